"""A repository-wide ban on Keras 2 idioms (the project is Keras 3 only)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BANNED = {
    "keras.utils.vis_utils": re.compile(r"vis_utils"),
    "lr= in optimizers": re.compile(r"(?<![A-Za-z_])lr\s*="),
    "fit_generator": re.compile(r"fit_generator"),
    "ImageDataGenerator": re.compile(r"ImageDataGenerator"),
    ".h5 model checkpoints": re.compile(
        r"(\.save|save_weights|load_model|ModelCheckpoint)\([^)]*\.h5\b"
    ),
    "input_shape= on layers": re.compile(r"input_shape\s*="),
    "matplotlib.cm.get_cmap": re.compile(r"cm\.get_cmap"),
}
THIS = Path(__file__).resolve()


def files() -> list[Path]:
    out = []
    for folder in ("utils", "notebooks", "scripts", "tests"):
        out += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.suffix in {".py", ".ipynb"} and p.resolve() != THIS
        ]
    return sorted(out)


def code_of(path: Path) -> str:
    """A file's text; for a notebook, its code cells one after the other."""
    text = path.read_text(errors="replace")
    if path.suffix != ".ipynb":
        return text
    cells = json.loads(text)["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def called_by(text: str, at: int) -> str:
    """The name of the call whose parentheses enclose position ``at`` ('' if none)."""
    depth = 0
    for i in range(at - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            if depth == 0:
                name = re.search(r"[\w.]*$", text[:i])
                return name.group(0) if name else ""
            depth -= 1
    return ""


def allowed(idiom: str, text: str, at: int) -> bool:
    """`input_shape=` is Keras 3's own argument of the keras.applications models."""
    return idiom == "input_shape= on layers" and "applications." in called_by(text, at)


@pytest.mark.parametrize("idiom", sorted(BANNED))
def test_no_keras2_idiom(idiom):
    hits = []
    for path in files():
        text = code_of(path)
        for match in BANNED[idiom].finditer(text):
            if not allowed(idiom, text, match.start()):
                n = text.count("\n", 0, match.start()) + 1
                line = text.splitlines()[n - 1]
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not hits, f"{idiom} found:\n" + "\n".join(hits)


def test_applications_may_take_input_shape_and_layers_may_not():
    ok = "base = keras.applications.VGG16(\n    include_top=False,\n    input_shape=(224, 224, 3),\n)"
    bad = "x = keras.layers.Dense(\n    10,\n    input_shape=(784,),\n)"
    idiom = "input_shape= on layers"
    assert allowed(idiom, ok, ok.index("input_shape"))
    assert not allowed(idiom, bad, bad.index("input_shape"))


def test_the_ban_catches_what_it_should():
    bad = {
        "lr= in optimizers": "opt = keras.optimizers.RMSprop(lr=1e-4)",
        "input_shape= on layers": "layers.Dense(10, input_shape=(784,))",
        ".h5 model checkpoints": "model.save('model.h5')",
        "matplotlib.cm.get_cmap": "cmap = matplotlib.cm.get_cmap('jet')",
    }
    for idiom, line in bad.items():
        assert BANNED[idiom].search(line), idiom
    assert not BANNED["lr= in optimizers"].search(
        "keras.optimizers.Adam(learning_rate=1e-3)"
    )
