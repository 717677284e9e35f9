"""A repository-wide ban on Keras 2 idioms (the project is Keras 3 only)."""

from __future__ import annotations

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


@pytest.mark.parametrize("idiom", sorted(BANNED))
def test_no_keras2_idiom(idiom):
    hits = []
    for path in files():
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if BANNED[idiom].search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not hits, f"{idiom} found:\n" + "\n".join(hits)


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
