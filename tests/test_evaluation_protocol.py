"""Choose on validation, score the test split once: no notebook touches its test split before the
section that scores it.

The final evaluation section starts at the first markdown heading that names the test split ("The
test split, once", "Evaluation on the test set", "The test digits, once"...). Before it, no code cell
may call ``evaluate``, ``predict`` or ``score`` on anything named like a test split (``x_test``,
``test_ds``, ``feats["test"]``...). A notebook without such a heading may not score a test split at
all (06 and 07 hold out only a validation or dev split).

A cross-validated notebook (10) scores each test fold once, inside the function that trains a
model on that fold's training part (settings chosen on a validation part of it): there a scoring
call on a test fold may only appear inside a function definition, never in a cell's own code.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import nbtools  # noqa: E402

TEST_SECTION = re.compile(r"^#+ .*\btest (split|set|digits|photos)\b", re.I | re.M)
SCORING_CALL = re.compile(r"[\w.]*\.(evaluate|predict|score)\(")
TEST_NAME = re.compile(r"test", re.I)


def scoring_calls(src: str) -> list[str]:
    """Every ``.evaluate(...)``, ``.predict(...)`` and ``.score(...)`` call, with its balanced arguments."""
    calls = []
    for m in SCORING_CALL.finditer(src):
        depth, end = 0, m.end() - 1
        for end in range(m.end() - 1, len(src)):
            depth += {"(": 1, ")": -1}.get(src[end], 0)
            if depth == 0:
                break
        calls.append(src[m.start() : end + 1])
    return calls


def early_test_use(cells: list[dict]) -> list[str]:
    """The scoring calls on a test split made before the test section (empty when there are none)."""
    offences = []
    for cell in cells:
        src = nbtools.source(cell)
        if cell["cell_type"] == "markdown" and TEST_SECTION.search(src):
            return offences
        if cell["cell_type"] == "code":
            offences += [call for call in scoring_calls(src) if TEST_NAME.search(call)]
    return offences  # no test-split section: then no test split may be scored anywhere


CROSS_VALIDATED = {"10_text_with_rnns"}


def top_level_test_use(cells: list[dict]) -> list[str]:
    """The scoring calls on a test fold outside any function definition."""
    offences = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(nbtools.source(cell))
        inside = {
            id(node)
            for fn in ast.walk(tree)
            if isinstance(fn, (ast.FunctionDef, ast.Lambda))
            for node in ast.walk(fn)
        }
        offences += [
            ast.unparse(node)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and id(node) not in inside
            and SCORING_CALL.fullmatch(ast.unparse(node.func) + "(")
            and TEST_NAME.search(ast.unparse(node))
        ]
    return offences


@pytest.mark.parametrize("path", nbtools.notebook_paths(), ids=lambda p: p.stem)
def test_the_test_split_is_scored_only_in_its_final_section(path):
    import json

    cells = json.loads(path.read_text())["cells"]
    if path.stem in CROSS_VALIDATED:
        assert top_level_test_use(cells) == []
    else:
        assert early_test_use(cells) == []


def test_the_cross_validation_check_catches_a_test_fold_scored_in_a_cell():
    fold = [code("def predict(texts, train, test):\n    return m.predict(texts[test])")]
    assert top_level_test_use(fold) == []
    loose = fold + [code("acc = model.evaluate(texts[test], labels[test])")]
    assert top_level_test_use(loose) == ["model.evaluate(texts[test], labels[test])"]


def md(text):
    return {"cell_type": "markdown", "source": text}


def code(text):
    return {"cell_type": "code", "source": text}


def test_the_check_catches_early_use():
    cells = [
        code("model.fit(x_train, y_train)"),
        code("acc = model.evaluate(x_test, y_test)[1]"),
        md("## 6. The test split, once"),
        code("model.predict(x_test)"),
    ]
    assert early_test_use(cells) == ["model.evaluate(x_test, y_test)"]
    nested = [code('head.predict(feats["test"][:8], verbose=0)'), md("## The test set")]
    assert early_test_use(nested) == ['head.predict(feats["test"][:8], verbose=0)']


def test_the_check_allows_validation_use_and_needs_a_test_section():
    cells = [
        code("model.evaluate(x_val, y_val)"),
        code("model.predict(val_ds)"),
        md("### The test digits, once"),
        code("model.evaluate(x_test, y_test)"),
    ]
    assert early_test_use(cells) == []
    # a notebook without a test split (06 and 07 hold out a validation / dev split only) passes;
    # one that scores a test split with no section for it does not
    assert early_test_use([code("model.evaluate(x_val, y_val)")]) == []
    assert early_test_use([code("model.score(xd_test, yd_test)")]) == [
        "model.score(xd_test, yd_test)"
    ]
