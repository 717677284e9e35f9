"""Every notebook is stored clean and follows the collection's skeleton."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import nbtools  # noqa: E402

NOTEBOOKS = nbtools.notebook_paths()
AGREED = {
    "00_fundamentals",
    "01_convolution_by_hand",
    "02_mnist_dense_vs_cnn",
    "03_dogs_vs_cats_from_scratch",
    "04_vgg16_transfer_and_fine_tuning",
    "05_what_convnets_learn",
    "06_traffic_rnn_lstm",
    "07_house_price_regression",
    "08_autoencoders",
    "09_distributed_training",
    "10_text_with_rnns",
}


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_there_are_notebooks_and_only_agreed_names():
    assert NOTEBOOKS, "no notebooks found"
    assert {p.stem for p in NOTEBOOKS} <= AGREED
    stray = [p.name for p in (ROOT / "notebooks").glob("*.ipynb") if p not in NOTEBOOKS]
    assert not stray, f"notebooks with names outside the numbering: {stray}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
class TestNotebook:
    def test_stored_without_outputs_or_counts(self, path):
        for i, cell in enumerate(nbtools.code_cells(load(path))):
            assert cell.get("outputs") == [], f"code cell {i} has outputs"
            assert cell.get("execution_count") is None, (
                f"code cell {i} has an execution count"
            )

    def test_minimal_metadata(self, path):
        nb = load(path)
        assert set(nb["metadata"]) <= nbtools.ALLOWED_NOTEBOOK_METADATA, nb[
            "metadata"
        ].keys()
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
        for i, cell in enumerate(nb["cells"]):
            assert set(cell.get("metadata", {})) <= nbtools.ALLOWED_CELL_METADATA, (
                f"cell {i}: {cell['metadata']}"
            )

    def test_colab_badge_matches_the_path(self, path):
        first = next(c for c in load(path)["cells"] if c["cell_type"] == "markdown")
        assert nbtools.badge_markdown(path) in nbtools.source(first)

    def test_colab_install_cell_is_guarded_and_uses_the_one_url(self, path):
        cells = nbtools.code_cells(load(path))
        colab = nbtools.source(cells[0])
        assert colab.startswith(nbtools.COLAB_CELL_MARK)
        assert f'REPO_URL = "{nbtools.repository_url()}"' in colab
        assert re.search(r'^if "google\.colab" in sys\.modules:', colab, re.M)
        # nothing runs outside Colab: every statement after the guard is indented under it
        after_guard = colab.split("in sys.modules:", 1)[1]
        assert all(
            line.startswith("    ") or not line.strip()
            for line in after_guard.splitlines()[1:]
        )

    def test_no_unguarded_colab_import(self, path):
        for cell in nbtools.code_cells(load(path)):
            assert not re.search(
                r"^\s*(import google\.colab|from google\.colab)",
                nbtools.source(cell),
                re.M,
            )

    def test_setup_call_is_the_first_code_cell_after_the_colab_cell(self, path):
        cells = nbtools.code_cells(load(path))
        assert nbtools.SETUP_CALL.search(nbtools.source(cells[1])), nbtools.source(
            cells[1]
        )
        for cell in cells[2:]:
            assert not nbtools.SETUP_CALL.search(nbtools.source(cell)), (
                "setup_notebook() called twice"
            )

    def test_has_one_parameters_cell_with_both_profiles(self, path):
        params = [
            c
            for c in nbtools.code_cells(load(path))
            if nbtools.source(c).startswith(nbtools.PARAMS_MARK)
        ]
        assert len(params) == 1, "exactly one cell starting with '# Parameters'"
        assert "pick(full=" in nbtools.source(params[0])

    def test_no_path_hacks_or_hard_coded_data_paths(self, path):
        for cell in nbtools.code_cells(load(path)):
            src = nbtools.source(cell)
            assert "sys.path" not in src
            assert "../shared" not in src and "/work/" not in src

    def test_has_exercises_and_prose_between_code(self, path):
        nb = load(path)
        md = [nbtools.source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
        assert any(re.search(r"^#+ .*Exercises", m, re.M) for m in md)
        # no two code cells in a row without a sentence between them (setup pair excepted)
        kinds = [c["cell_type"] for c in nb["cells"]][3:]
        runs = "".join("c" if k == "code" else "m" for k in kinds)
        assert "ccc" not in runs, "three code cells in a row: add prose between them"


def test_readme_links_are_generated_and_current():
    import subprocess

    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sync_links.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_have_hints_and_a_hidden_worked_solution(path):
    nb = load(path)
    exercises = next(
        nbtools.source(c) for c in nb["cells"] if "## Exercises" in nbtools.source(c)
    )
    numbered = re.findall(r"^\d+\. ", exercises, re.M)
    assert numbered, "no numbered exercises"
    assert exercises.count("*Hint:*") + exercises.count("(Hint:") >= len(numbered)
    assert exercises.count("*Expect:*") + exercises.count("expect ") >= len(numbered)
    solutions = [
        c for c in nbtools.code_cells(nb) if "solution" in c["metadata"].get("tags", [])
    ]
    assert solutions, "no worked solution (a code cell tagged 'solution')"
    for cell in solutions:
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_its_own_worked_solution(path):
    """Each numbered exercise: a 'Worked solution to exercise N' heading followed by solution
    code, or a pointer to the section of the lesson that is its solution."""
    nb = load(path)
    cells = nb["cells"]
    exercises = next(
        nbtools.source(c) for c in cells if "## Exercises" in nbtools.source(c)
    )
    items = re.split(r"^(\d+)\. ", exercises, flags=re.M)[1:]
    missing = []
    for number, text in zip(items[::2], items[1::2]):
        if "is the worked solution" in text:
            continue
        heading = next(
            (
                i
                for i, c in enumerate(cells)
                if c["cell_type"] == "markdown"
                and nbtools.source(c).startswith(
                    f"**Worked solution to exercise {number}:"
                )
            ),
            None,
        )
        after = cells[heading + 1] if heading is not None else {}
        tags = after.get("metadata", {}).get("tags", [])
        if (
            heading is None
            or after.get("cell_type") != "code"
            or "solution" not in tags
        ):
            missing.append(number)
    assert not missing, f"exercises without a worked solution: {missing}"


@pytest.mark.parametrize(
    "env,skipped",
    [
        ({"DNN_PROFILE": "full"}, True),
        ({"DNN_PROFILE": "full", "DNN_SOLUTIONS": "1"}, False),
        ({"DNN_PROFILE": "quick"}, False),
        ({"CI": "true"}, False),
        ({}, True),  # the full profile is the default
        ({"DNN_PROFILE": "quick", "DNN_SOLUTIONS": "0"}, True),  # the device check
    ],
)
def test_full_runs_leave_the_worked_solutions_out_unless_asked(
    monkeypatch, env, skipped
):
    import run_notebooks

    for name in ("DNN_PROFILE", "DNN_SOLUTIONS", "CI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert run_notebooks.solutions_skipped() is skipped


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notebook_clears_the_session(path):
    """`keras.backend.clear_session()` resets the precision policy to float32, so every model a
    notebook built after it would ignore DNN_MIXED_PRECISION (the trap the bench fell into)."""
    code = "\n".join(nbtools.source(c) for c in nbtools.code_cells(load(path)))
    assert "clear_session" not in code


def test_a_parameter_can_be_set_for_one_run():
    import nbformat
    import run_notebooks

    nb = nbformat.read(ROOT / "notebooks" / "03_dogs_vs_cats_from_scratch.ipynb", 4)
    run_notebooks.set_parameters(nb, {"TAKE_C_APART": "True"})
    params = next(
        c.source
        for c in nb.cells
        if c.cell_type == "code" and "# Parameters" in c.source
    )
    assert "TAKE_C_APART = True  # set by run_notebooks.py --set" in params
    with pytest.raises(SystemExit, match="no parameter NOPE"):
        run_notebooks.set_parameters(nb, {"NOPE": "1"})


@pytest.mark.parametrize(
    ("gpus", "expected"),
    [([], "cpus"), (["GPU:0"], "cpus"), (["GPU:0", "GPU:1"], "gpus")],
    ids=["no GPU", "one GPU", "two GPUs"],
)
def test_09_replicas_go_to_several_gpus_else_the_two_logical_cpus(gpus, expected):
    """09's only device branch, run both ways (a CPU machine lists no GPU, so the notebook's
    own runs take the CPU side alone)."""
    notebook = load(ROOT / "notebooks" / "09_distributed_training.ipynb")
    lines = [
        line
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for line in nbtools.source(cell).splitlines()
        if line.startswith("devices = ")
    ]
    assert len(lines) == 1, lines
    cpus = ["CPU:0", "CPU:1"]
    scope = {"gpus": gpus, "cpus": cpus}
    exec(lines[0], scope)
    assert scope["devices"] == {"gpus": gpus, "cpus": cpus}[expected]
