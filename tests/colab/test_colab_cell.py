"""The notebooks' first cell, as Colab runs it: it installs `utils` and touches nothing else.

Run by `make colabtest`, which points DNN_COLAB_STACK at the site-packages of .venv-oldest
(Colab's TensorFlow 2.19 and Keras 3.10 with the scientific stack, and not this project). Each
test makes a fresh virtual environment that sees that stack through a .pth file, as a Colab
runtime has TensorFlow preinstalled, and runs the cell there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import nbtools  # noqa: E402

STACK = os.environ.get("DNN_COLAB_STACK", "")
pytestmark = pytest.mark.skipif(
    not STACK, reason="set DNN_COLAB_STACK (make colabtest does) to a site-packages"
)


def first_cells() -> list[str]:
    cells = []
    for path in nbtools.notebook_paths():
        nb = json.loads(path.read_text())
        cells.append(nbtools.source(nbtools.code_cells(nb)[0]))
    return cells


def snapshot(folder: Path) -> str:
    """A digest of every file's path, size and modification time under ``folder``."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            st = p.stat()
            h.update(
                f"{p.relative_to(folder)} {st.st_size} {st.st_mtime_ns}\n".encode()
            )
    return h.hexdigest()


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """(python of a clean venv that sees the Colab stack, a local copy of this project)."""
    base = tmp_path_factory.mktemp("colab")
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True)
    python = base / "venv" / "bin" / "python"
    site = subprocess.run(
        [
            str(python),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "colab_stack.pth").write_text(STACK + "\n")
    clone = base / "clone"
    clone.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, clone / name)
    shutil.copytree(
        ROOT / "utils", clone / "utils", ignore=shutil.ignore_patterns("__pycache__")
    )
    stub = base / "stub" / "google" / "colab"
    stub.mkdir(parents=True)
    # no google/__init__.py: `google` stays a namespace package, as protobuf's is
    (stub / "__init__.py").write_text('"""A stand-in for Colab\'s own module."""\n')
    return python, Path(site), clone, base / "stub"


def run_cell(python: Path, cell: str, in_colab: bool, clone: Path, stub: Path):
    script = (
        ("import google.colab  # Colab's kernel has imported it\n" if in_colab else "")
        + cell
        + "\nimport importlib\nimportlib.invalidate_caches()\n"
        + "import utils\nprint('utils from', utils.__file__)\n"
    )
    env = dict(
        os.environ,
        DNN_UTILS_SOURCE=str(clone),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONPATH=str(stub) if in_colab else "",
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(  # from the stub's folder: not where this project is
        [str(python), "-c", script], env=env, capture_output=True, text=True, cwd=stub
    )


def versions(python: Path) -> str:
    return subprocess.run(
        [
            str(python),
            "-c",
            "from importlib.metadata import version as v; "
            "print(v('tensorflow'), v('keras'), v('numpy'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_every_notebook_has_the_same_first_cell():
    cells = first_cells()
    assert len(set(cells)) == 1 and cells[0].startswith(nbtools.COLAB_CELL_MARK)


def test_outside_colab_the_cell_does_nothing(colab):
    python, site, clone, stub = colab
    before = snapshot(site)
    done = run_cell(python, first_cells()[0], False, clone, stub)
    assert done.returncode != 0 and "No module named 'utils'" in done.stderr
    assert snapshot(site) == before


def test_in_colab_the_cell_installs_utils_and_leaves_tensorflow_and_keras(colab):
    python, site, clone, stub = colab
    stack_before, found_before = snapshot(Path(STACK)), versions(python)
    done = run_cell(python, first_cells()[0], True, clone, stub)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"utils from {site}" in done.stdout  # installed into the runtime, not linked
    assert versions(python) == found_before  # tensorflow, keras, numpy as they were
    assert snapshot(Path(STACK)) == stack_before  # not a file of the stack changed
    # and the notebooks' own setup runs on that stack
    setup = subprocess.run(
        [str(python), "-c", "import utils; utils.setup_notebook(seed=0)"],
        env=dict(os.environ, DNN_PROFILE="quick", TF_CPP_MIN_LOG_LEVEL="3"),
        capture_output=True,
        text=True,
        cwd=stub,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    assert "tensorflow 2.19" in setup.stdout or os.environ.get("DNN_COLAB_ANY_TF")
