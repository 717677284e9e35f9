"""The executed copies (executed/NN_*.ipynb): the source hash that tells a stale copy, the
slimming, which runs may write one, the links to them, and the copies committed so far.

Passes with no copy committed; prints (never fails on) the stale copies."""

from __future__ import annotations

import base64
import copy
import io
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import executed_copies as ec  # noqa: E402
import nbtools  # noqa: E402

LESSON = ROOT / "notebooks" / "07_house_price_regression.ipynb"


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def as_if_run(nb: dict, profile: str = "full") -> dict:
    """The notebook with outputs, counts, ids and metadata a run would give it."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"other-{i}"
        cell.setdefault("metadata", {})["execution"] = {"iopub.status.busy": "now"}
        if cell["cell_type"] == "code":
            cell["execution_count"] = i
            cell["outputs"] = [
                {"output_type": "stream", "name": "stdout", "text": "x\n"}
            ]
    nb["metadata"]["dnn_run"] = {"profile": profile, "completed": True}
    nb["metadata"]["widgets"] = {"state": {}}
    return nb


def png_b64(image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


# --- the source hash -------------------------------------------------------------------------


def test_the_hash_ignores_outputs_ids_metadata_and_the_generated_links():
    nb = load(LESSON)
    run = as_if_run(nb)
    first = next(c for c in run["cells"] if c["cell_type"] == "markdown")
    first["source"] = nbtools.BADGE.sub(
        "[![Open In Colab](https://example.org/b.svg)](https://example.org/nb)"
        " · [read it with its outputs](https://example.org/executed/07.ipynb)",
        nbtools.source(first),
    )
    colab = next(c for c in run["cells"] if c["cell_type"] == "code")
    colab["source"] = nbtools.REPO_URL_LINE.sub(
        'REPO_URL = "https://example.org/fork"', nbtools.source(colab)
    )
    assert ec.source_hash(run) == ec.source_hash(nb)
    assert len(ec.source_hash(nb)) == 64


@pytest.mark.parametrize("change", ["code", "markdown", "type", "order"])
def test_the_hash_changes_with_the_lesson(change):
    nb = load(LESSON)
    changed = copy.deepcopy(nb)
    code = [c for c in changed["cells"] if c["cell_type"] == "code"]
    if change == "code":
        code[3]["source"] = nbtools.source(code[3]) + "\nprint(1)"
    elif change == "markdown":
        md = [c for c in changed["cells"] if c["cell_type"] == "markdown"]
        md[2]["source"] = nbtools.source(md[2]).replace(" ", "  ", 1) + " more"
    elif change == "type":
        code[3]["cell_type"] = "markdown"
    else:
        changed["cells"][2], changed["cells"][3] = (
            changed["cells"][3],
            changed["cells"][2],
        )
    assert ec.source_hash(changed) != ec.source_hash(nb)


def test_a_stale_copy_and_a_missing_one_are_found(tmp_path):
    notebooks, copies = tmp_path / "notebooks", tmp_path / "executed"
    notebooks.mkdir()
    for name in ("07_house_price_regression.ipynb", "09_distributed_training.ipynb"):
        (notebooks / name).write_text((ROOT / "notebooks" / name).read_text())
    target = ec.write_copy(as_if_run(load(LESSON)), notebooks / LESSON.name, copies)
    assert ec.stale_copies(copies, notebooks) == []
    assert ec.missing_copies(copies, notebooks) == ["09_distributed_training.ipynb"]
    assert load(target)["metadata"]["dnn_run"]["source_sha256"] == ec.source_hash(
        load(LESSON)
    )
    assert not list(copies.glob(".*")), "the temporary file was left behind"

    edited = load(notebooks / LESSON.name)
    cell = next(c for c in edited["cells"] if c["cell_type"] == "code")
    cell["source"] = nbtools.source(cell) + "\n# one more line"
    (notebooks / LESSON.name).write_text(json.dumps(edited))
    assert ec.stale_copies(copies, notebooks) == [LESSON.name]
    # a copy without a recorded hash is judged by the sources it holds
    bare = load(target)
    del bare["metadata"]["dnn_run"]["source_sha256"]
    assert ec.recorded_hash(bare) == ec.source_hash(load(LESSON))


def test_a_copy_says_in_words_which_run_it_shows(tmp_path):
    run = as_if_run(load(LESSON))
    run["metadata"]["dnn_run"].update(
        date="2026-12-02T06:40:00+00:00",
        device="CPU only (2 cores)",
        precision="mixed_bfloat16",
        versions={"tensorflow": "2.21.0", "keras": "3.15.1", "numpy": "2"},
        wall_time_s=600.0,
    )
    target = ec.write_copy(run, LESSON, tmp_path)
    again = ec.write_copy(load(target), LESSON, tmp_path)  # rewritten: still one header
    cells = load(again)["cells"]
    headers = [c for c in cells if ec.HEADER_TAG in c["metadata"].get("tags", [])]
    assert len(headers) == 1 and cells.index(headers[0]) == 1
    text = nbtools.source(headers[0])
    for part in (
        "full profile",
        "CPU only (2 cores)",
        "mixed_bfloat16",
        "2026-12-02",
        "tensorflow 2.21.0, keras 3.15.1",
        "10.0 min",
    ):
        assert part in text
    assert ec.source_hash(load(again)) == ec.source_hash(load(LESSON))
    assert len(cells) == len(load(LESSON)["cells"]) + 1


def test_the_check_lists_current_stale_and_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ec, "EXECUTED_COPIES", tmp_path)
    ec.write_copy(as_if_run(load(LESSON)), LESSON, tmp_path)
    stale = as_if_run(load(ROOT / "notebooks" / "09_distributed_training.ipynb"))
    stale["cells"][-1]["source"] = "changed since"
    (tmp_path / "09_distributed_training.ipynb").write_text(json.dumps(stale))
    assert ec.check(tmp_path) == 0
    out = capsys.readouterr().out
    assert f"current  {LESSON.name}" in out
    assert "STALE    09_distributed_training.ipynb" in out
    assert "missing  00_fundamentals.ipynb" in out
    assert "make executed NB=09" in out


# --- slimming ----------------------------------------------------------------------------


def big_figure():
    """A 3000 x 1500 figure like a notebook's: a smooth image with many colours, a plot, text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 5), dpi=300)
    x = np.linspace(0, 6, 400)
    ax0.imshow(np.sin(x[None, :]) * np.cos(x[:, None]), cmap="viridis")
    ax1.plot(x, np.sin(x), label="sin")
    ax1.plot(x, np.cos(x), "--", label="cos")
    ax1.legend()
    ax1.set_title("training (solid) vs validation (dashed)")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=300)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def test_the_slimmer_shrinks_a_big_figure():
    from PIL import Image

    data = big_figure()
    slim = ec.slim_png(data)
    image = Image.open(io.BytesIO(base64.b64decode(slim)))
    assert image.width <= ec.MAX_WIDTH
    assert len(slim) < 200_000, f"{len(data)} -> {len(slim)} characters"
    assert len(slim) < len(data) / 3


def test_a_small_figure_never_grows():
    from PIL import Image

    noise = np.random.default_rng(0).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    data = png_b64(Image.fromarray(noise))
    assert len(ec.slim_png(data)) <= len(data)
    assert (
        ec.slim_png("bm90IGFuIGltYWdl") == "bm90IGFuIGltYWdl"
    )  # not an image: left alone


def test_the_slimmer_trims_text_and_drops_what_a_reader_cannot_use():
    from PIL import Image

    figure = png_b64(Image.new("RGB", (40, 30), "white"))
    lines = [f"\x1b[1mEpoch {i}\x1b[0m 10/10\r20/20 loss {i}\n" for i in range(500)]
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "id": "a",
                "execution_count": 7,
                "source": "fit()",
                "metadata": {"tags": ["solution"], "execution": {"x": 1}},
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": lines},
                    {
                        "output_type": "execute_result",
                        "execution_count": 7,
                        "metadata": {},
                        "data": {"image/png": figure, "text/plain": "<Figure>"},
                    },
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"image/png": figure, "text/plain": "<Figure>"},
                    },
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {ec.WIDGET_VIEW: {"model_id": "m"}},
                    },
                    {
                        "output_type": "error",
                        "ename": "E",
                        "evalue": "",
                        "traceback": ["\x1b[0;31mE\x1b[0m"],
                    },
                ],
            }
        ],
        "metadata": {
            "dnn_run": {"profile": "full", "date": "2026-12-06"},
            "widgets": {"application/vnd.jupyter.widget-state+json": {}},
            "kernelspec": {"name": "python3"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    slim = ec.slim(nb)
    cell = slim["cells"][0]
    text = cell["outputs"][0]["text"]
    assert "... (476 lines of output not shown) ..." in text
    assert "\x1b" not in text and "\r" not in text
    # what a terminal shows of a progress bar
    assert text.splitlines()[0] == "20/20 loss 0"
    assert [o["output_type"] for o in cell["outputs"]] == [
        "stream",
        "display_data",
        "error",
    ]
    assert cell["outputs"][2]["traceback"] == ["E"]
    assert cell["execution_count"] == 7 and cell["id"] == "a"
    assert cell["metadata"] == {"tags": ["solution"]}
    assert set(slim["metadata"]) == {"dnn_run", "kernelspec"}
    assert nb["cells"][0]["outputs"][0]["text"] is lines  # the original is left alone


def test_the_animation_frames_are_slimmed_too():
    from PIL import Image

    frame = png_b64(Image.new("RGB", (2000, 800), "white"))
    wrapped = "\\\n".join(frame[i : i + 76] for i in range(0, len(frame), 76))
    html = f'frames[0] = "data:image/png;base64,{wrapped}";'
    out = ec.slim_output(
        {"output_type": "display_data", "metadata": {}, "data": {"text/html": html}}
    )
    new = out["data"]["text/html"]
    data = new.split("base64,", 1)[1].split('"', 1)[0]
    assert Image.open(io.BytesIO(base64.b64decode(data))).width == ec.MAX_WIDTH


# --- which runs write a copy -------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "settings", "allowed"),
    [
        ({"DNN_PROFILE": "full"}, None, True),
        ({}, None, True),  # the full profile is the default
        ({"DNN_PROFILE": "quick"}, None, False),
        ({"CI": "true"}, None, False),
        ({"DNN_PROFILE": "full", "DNN_RESULTS_DIR": "/tmp/elsewhere"}, None, False),
        ({"DNN_PROFILE": "full", "DNN_RESULTS_DIR": str(ROOT / "results")}, None, True),
        ({"DNN_PROFILE": "full"}, {"EPOCHS": "1"}, False),
    ],
)
def test_only_full_runs_that_record_results_full_write_a_copy(
    monkeypatch, env, settings, allowed
):
    import run_notebooks

    for name in ("DNN_PROFILE", "DNN_RESULTS_DIR", "CI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert (run_notebooks.why_no_executed_copy(settings) == "") is allowed


def test_make_executed_refuses_a_run_that_cannot_write_a_copy(monkeypatch):
    import run_notebooks

    monkeypatch.setenv("DNN_PROFILE", "quick")
    with pytest.raises(SystemExit, match="not the full profile"):
        run_notebooks.main(["--executed-copy", "07"])


# --- the links to the copies -------------------------------------------------------------


def test_links_to_a_copy_appear_once_it_exists(tmp_path, monkeypatch):
    import sync_links

    monkeypatch.setattr(sync_links, "EXECUTED_COPIES", tmp_path)
    first = next(c for c in load(LESSON)["cells"] if c["cell_type"] == "markdown")
    text = nbtools.OUTPUTS_LINK.sub("", nbtools.source(first))
    assert sync_links.badge_cell_text(LESSON, text) == text
    assert "not run yet" in sync_links.notebook_table()

    (tmp_path / LESSON.name).write_text("{}")
    linked = sync_links.badge_cell_text(LESSON, text)
    url = f"{nbtools.repository_url()}/blob/main/executed/{LESSON.name}"
    assert f"[{nbtools.OUTPUTS_LINK_TEXT}]({url})" in linked
    assert sync_links.badge_cell_text(LESSON, linked) == linked  # written once
    row = next(r for r in sync_links.notebook_table().splitlines() if "| 07 |" in r)
    assert f"[read](executed/{LESSON.name})" in row
    assert f"/blob/main/executed/{LESSON.name}" in row.split("[Colab](")[2]

    (tmp_path / LESSON.name).unlink()
    assert sync_links.badge_cell_text(LESSON, linked) == text


def test_the_site_tells_current_stale_and_not_run_pages(tmp_path):
    import build_book

    current = tmp_path / LESSON.name
    current.write_text(json.dumps(as_if_run(load(LESSON))))
    assert build_book.page_state(current, LESSON) == "current"
    stale = as_if_run(load(LESSON))
    stale["metadata"]["dnn_run"]["source_sha256"] = "0" * 64
    current.write_text(json.dumps(stale))
    assert build_book.page_state(current, LESSON) == "stale"
    assert build_book.page_state(LESSON, LESSON) == "not run"


# --- the committed copies ----------------------------------------------------------------

QUICK_SIGNS = ("QUICK PROFILE", "Profile:   quick")


def output_text(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            parts.append(nbtools.source({"source": out.get("text", "")}))
            parts.append(
                nbtools.source({"source": out.get("data", {}).get("text/plain", "")})
            )
    return "\n".join(parts)


def problems(paths: list[Path]) -> list[str]:
    """What is wrong with these executed copies, for the repository."""
    names = {p.name for p in nbtools.notebook_paths()}
    found, total = [], 0
    for path in paths:
        nb = load(path)
        run = nb["metadata"].get("dnn_run", {})
        checks = {
            "no such notebook in notebooks/": path.name in names,
            "not a full-profile run": run.get("profile") == "full",
            "the run did not complete": run.get("completed") is True,
            "no source hash": len(run.get("source_sha256", "")) == 64,
            "a quick-profile banner in its outputs": not any(
                sign in output_text(nb) for sign in QUICK_SIGNS
            ),
            f"over {ec.MAX_COPY_BYTES / 2**20:.0f} MB": path.stat().st_size
            < ec.MAX_COPY_BYTES,
        }
        found += [f"{path.name}: {what}" for what, ok in checks.items() if not ok]
        total += path.stat().st_size
    if total >= ec.MAX_TOTAL_BYTES:
        found.append(f"the copies take {total / 2**20:.1f} MB")
    return found


def test_every_committed_copy_is_a_complete_full_run_and_small():
    assert problems(ec.copies()) == []


def test_the_committed_copies_check_finds_a_quick_run(tmp_path):
    quick = as_if_run(load(LESSON), profile="quick")
    next(c for c in quick["cells"] if c["cell_type"] == "code")["outputs"].append(
        {"output_type": "stream", "name": "stdout", "text": "QUICK PROFILE: small\n"}
    )
    (tmp_path / LESSON.name).write_text(json.dumps(quick))
    (tmp_path / "99_nothing.ipynb").write_text(json.dumps(as_if_run(load(LESSON))))
    assert sorted(problems(ec.copies(tmp_path))) == [
        f"{LESSON.name}: a quick-profile banner in its outputs",
        f"{LESSON.name}: no source hash",
        f"{LESSON.name}: not a full-profile run",
        "99_nothing.ipynb: no source hash",
        "99_nothing.ipynb: no such notebook in notebooks/",
    ]


def test_a_prose_edit_is_synced_without_a_run_and_a_code_edit_is_not(tmp_path):
    notebooks, copies = tmp_path / "notebooks", tmp_path / "executed"
    notebooks.mkdir()
    (notebooks / LESSON.name).write_text(LESSON.read_text())
    ran = as_if_run(load(LESSON))
    code = [c for c in ran["cells"] if c["cell_type"] == "code"]
    code[0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "42\n"}]
    target = ec.write_copy(ran, notebooks / LESSON.name, copies)

    edited = load(notebooks / LESSON.name)
    md = [c for c in edited["cells"] if c["cell_type"] == "markdown"]
    md[1]["source"] = "A sentence rewritten after the run."
    edited["cells"].insert(
        3, {"cell_type": "markdown", "metadata": {}, "source": "New."}
    )
    (notebooks / LESSON.name).write_text(json.dumps(edited))
    assert ec.stale_copies(copies, notebooks) == [LESSON.name]
    assert ec.prose_behind(copies, notebooks) == [LESSON.name]
    assert ec.sync_prose(target, notebooks / LESSON.name)
    synced = load(target)
    assert ec.stale_copies(copies, notebooks) == []
    texts = [nbtools.source(c) for c in synced["cells"]]
    assert "A sentence rewritten after the run." in texts and "New." in texts
    first_code = next(c for c in synced["cells"] if c["cell_type"] == "code")
    assert first_code["outputs"][0]["text"] == "42\n"  # the run's outputs stay
    assert ec.HEADER_TAG in synced["cells"][1]["metadata"]["tags"]

    code = next(c for c in edited["cells"] if c["cell_type"] == "code")
    code["source"] = nbtools.source(code) + "\nprint('changed')"
    (notebooks / LESSON.name).write_text(json.dumps(edited))
    assert ec.prose_behind(copies, notebooks) == []
    assert not ec.sync_prose(
        target, notebooks / LESSON.name
    )  # only a run refreshes code
    assert ec.stale_copies(copies, notebooks) == [LESSON.name]


def test_no_copy_waits_for_its_prose():
    behind = ec.prose_behind()
    assert not behind, (
        f"executed copies whose notebook's prose changed since their run: {behind}; "
        "`make executed-prose` brings them up to date (no run needed)"
    )


def test_the_stale_copies_are_listed():
    stale = ec.stale_copies()
    print(f"executed copies: {len(ec.copies())}; stale: {stale or 'none'}")
    if stale:
        warnings.warn(
            "executed copies from an earlier version of their notebook (refresh with "
            f"`make executed NB=NN`): {', '.join(stale)}",
            stacklevel=1,
        )


def tiny_notebook(path: Path, fail: bool) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = nbtools.KERNELSPEC
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A tiny lesson"),
        nbformat.v4.new_code_cell(
            "import json, os\n"
            "info = {'profile': 'full', 'device': 'CPU only'}\n"
            "open(os.environ['DNN_RUN_INFO'], 'w').write(json.dumps(info))\n"
            "print('\\n'.join(f'line {i}' for i in range(100)))"
        ),
        nbformat.v4.new_code_cell("1 / 0" if fail else "2 + 2"),
    ]
    nbformat.write(nb, path)
    return path


def test_a_completed_full_run_writes_its_copy_and_a_failed_one_does_not(
    tmp_path, monkeypatch
):
    import run_notebooks

    monkeypatch.setenv("DNN_PROFILE", "full")
    copies = tmp_path / "executed"
    good = tiny_notebook(tmp_path / "98_good.ipynb", fail=False)
    bad = tiny_notebook(tmp_path / "99_bad.ipynb", fail=True)
    assert run_notebooks.run(good, tmp_path / "out", None, copies)[0] is True
    assert run_notebooks.run(bad, tmp_path / "out", None, copies)[0] is False
    assert [p.name for p in copies.iterdir()] == ["98_good.ipynb"]
    nb = load(copies / "98_good.ipynb")
    run = nb["metadata"]["dnn_run"]
    assert run["profile"] == "full" and run["completed"] is True
    assert run["source_sha256"] == ec.source_hash(load(good))
    assert "lines of output not shown" in nbtools.source(
        {"source": nb["cells"][2]["outputs"][0]["text"]}
    )
    assert nb["cells"][3]["outputs"][0]["data"]["text/plain"] == "4"


def test_only_full_runs_whose_results_are_in_results_full_are_imported(
    tmp_path, capsys
):
    runs, dest, results = tmp_path / "runs", tmp_path / "executed", tmp_path / "full"
    runs.mkdir()
    results.mkdir()
    good = as_if_run(load(LESSON))
    good["metadata"]["dnn_run"].update(
        date="2026-12-02T06:40:00+00:00", wall_time_s=300.0
    )
    (runs / LESSON.name).write_text(json.dumps(good))
    metric = {"m": {"recorded_at": "2026-12-02T06:43:07+00:00"}}
    (results / f"{LESSON.stem}.json").write_text(json.dumps({"metrics": metric}))
    other = ROOT / "notebooks" / "09_distributed_training.ipynb"
    quick = as_if_run(load(other), profile="quick")
    quick["cells"][-1]["source"] = "changed since"
    (runs / other.name).write_text(json.dumps(quick))

    assert ec.import_runs(runs, [], dest, results) == 0
    out = capsys.readouterr().out
    assert f"taken: {LESSON.name}" in out
    assert (
        f"refused  {other.name}: not the full profile; ran other sources than notebooks/"
        " holds now; results/full/ holds no metric recorded during this run" in out
    )
    assert [p.name for p in dest.iterdir()] == [LESSON.name]
    # a later run replaced the results: this one is not the run that recorded them
    metric["m"]["recorded_at"] = "2026-12-03T00:00:00+00:00"
    (results / f"{LESSON.stem}.json").write_text(json.dumps({"metrics": metric}))
    assert ec.import_runs(runs, ["07"], tmp_path / "again", results) == 1


def test_outputs_that_show_the_data_stay_out_of_a_copy():
    image = {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo="}}
    said = {"output_type": "stream", "name": "stdout", "text": "24 digits\n"}
    nb = {
        "metadata": {},
        "cells": [
            {"cell_type": "code", "metadata": {"tags": [tag]}, "outputs": [said, image]}
            for tag in (ec.DATASET_FIGURES, ec.DATASET_TEXT, "solution")
        ],
    }
    figures, texts, other = (c["outputs"] for c in ec.slim(nb)["cells"])
    assert figures[0] == said and len(figures) == 2
    assert "left out of this copy" in figures[1]["text"]
    assert len(texts) == 1 and "quote the dataset's texts" in texts[0]["text"]
    assert len(other) == 2 and other[1]["data"]["image/png"]  # other cells keep theirs


def test_a_kernel_that_dies_is_said_and_not_a_completed_run(tmp_path, monkeypatch):
    import nbformat
    import run_notebooks

    monkeypatch.setenv("DNN_PROFILE", "full")
    path = tiny_notebook(tmp_path / "97_dies.ipynb", fail=False)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell("import os, signal\nos.kill(os.getpid(), 9)")
    )
    nbformat.write(nb, path)
    copies = tmp_path / "executed"
    with pytest.raises(
        run_notebooks.KernelDied, match="97_dies.ipynb: its kernel died"
    ):
        run_notebooks.run(path, tmp_path / "out", None, copies)
    assert not copies.exists()  # no copy from a run that did not complete
    ran = json.loads((tmp_path / "out" / path.name).read_text())
    assert ran["metadata"]["dnn_run"]["completed"] is False


def test_the_machines_folders_stay_out_of_a_copy(tmp_path, monkeypatch):
    data = tmp_path / "shared" / "data"
    monkeypatch.setenv("DNN_DATA_DIR", str(data))
    warning = (
        f"{ec.ROOT}/utils/vgg.py:456: UserWarning: {data}/vgg16/w.h5: bytes differ\n"
    )
    assert ec.slim_text(warning) == (
        "utils/vgg.py:456: UserWarning: $DNN_DATA_DIR/vgg16/w.h5: bytes differ\n"
    )
    nb = as_if_run(load(LESSON))
    nb["cells"][1]["outputs"] = [
        {"output_type": "stream", "name": "stderr", "text": warning},
        {"output_type": "error", "ename": "E", "evalue": "", "traceback": [warning]},
    ]
    path = tmp_path / "copy.ipynb"
    path.write_text(json.dumps(nb))
    assert ec.tidy_paths(path)
    text = path.read_text()
    assert str(ec.ROOT) not in text and str(data) not in text
    assert "$DNN_DATA_DIR/vgg16/w.h5" in text
    assert not ec.tidy_paths(path)  # nothing left to take out


def test_no_committed_copy_shows_this_machines_folders():
    for path in ec.copies():
        assert str(ec.ROOT) + "/" not in path.read_text(), (
            f"{path.name}: run `scripts/executed_copies.py --local-paths`"
        )
