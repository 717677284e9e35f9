"""Choose on validation, score the test split once: no notebook touches its test split before the
section that scores it.

The final evaluation section starts at the first markdown heading that names the test split ("The
test split, once", "Evaluation on the test set", "The test digits, once"...). Before it, no code cell
may call ``evaluate``, ``predict`` or ``score`` on anything named like a test split (``x_test``,
``test_ds``, ``feats["test"]``...). A notebook without such a heading may not score a test split at
all (06 and 07 hold out only a validation or dev split).
"""

from __future__ import annotations

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


@pytest.mark.parametrize("path", nbtools.notebook_paths(), ids=lambda p: p.stem)
def test_the_test_split_is_scored_only_in_its_final_section(path):
    import json

    cells = json.loads(path.read_text())["cells"]
    assert early_test_use(cells) == []


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
