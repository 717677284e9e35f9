"""The executed copies: executed/NN_*.ipynb, each notebook as its last full-profile run left it.

A full-profile run of `scripts/run_notebooks.py` whose results go to results/full/ (`make executed
NB=05`) writes its notebook here, slimmed: figures downscaled to at most MAX_WIDTH pixels and
re-encoded (a 256-colour palette when that changes the pixels little), long text outputs cut to
their first and last lines, terminal colour codes and widget state dropped. The run's header
(``dnn_run``: profile, device, precision, versions, date, wall time) stays in the metadata, with
``source_sha256``: the hash of the lesson's source it ran (cell types and sources; outputs,
metadata, cell ids and the generated Colab links do not count). A copy whose hash differs from
its notebook in notebooks/ is *stale*: its outputs come from an earlier version of the lesson.

Usage:
  python scripts/executed_copies.py --check            which copies are current, stale, missing
  python scripts/executed_copies.py --slim IN.ipynb OUT.ipynb   slim one executed notebook
  python scripts/executed_copies.py --sync-prose       give the copies whose code is current their
      notebook's markdown (a prose edit needs no rerun; a code edit does)
  python scripts/executed_copies.py --local-paths      take this machine's folders (the
      repository's, the data folder's, the home folder) out of the copies' outputs
  python scripts/executed_copies.py --import DIR [NB ...]
      take completed full-profile runs from DIR (e.g. build/executed) as executed copies, when
      the sources they ran are those of notebooks/ today and results/full/ holds their metrics
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbtools import (  # noqa: E402
    ALLOWED_CELL_METADATA,
    BADGE,
    EXECUTED_COPIES,
    NOTEBOOK_NAME,
    OUTPUTS_LINK,
    REPO_URL_LINE,
    ROOT,
    notebook_paths,
    source,
    trim_stream,
)

MAX_WIDTH = 1000  # pixels: a figure wider than this is scaled down
PALETTE_RMS = (
    3.0  # a 256-colour palette is kept when it moves pixels by at most this (0..255)
)
MAX_COPY_BYTES = 3 * 2**20
MAX_TOTAL_BYTES = 15 * 2**20
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KEPT_METADATA = ("kernelspec", "language_info", "dnn_run")
# matplotlib's animation player embeds its frames as base64 PNGs, with JavaScript line breaks
EMBEDDED_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)")


# cells whose outputs show the data itself (photos, digits, texts of a dataset): derivatives of
# the data, which this repository never holds (.gitignore says the same of results' figures).
# A copy keeps their text and drops their figures ("dataset-sample"), or drops every output
# ("dataset-text"), with a note in place
DATASET_FIGURES, DATASET_TEXT = "dataset-sample", "dataset-text"
DATASET_NOTE = (
    "[{what} left out of this copy: {why}, which this repository does not hold; "
    "run the notebook to see {them}]\n"
)

# the first cell after the title in a copy: its run, in words (GitHub does not show metadata)
HEADER_TAG = "dnn-run-header"

# --- the lesson's source -------------------------------------------------------------------


def _normalised(cell: dict) -> str:
    text = source(cell).replace("\r\n", "\n")
    if cell.get("cell_type") == "markdown":
        # the badge and the link to the executed copy are generated (`make links`)
        text = OUTPUTS_LINK.sub("", BADGE.sub("[Open In Colab]", text))
    elif cell.get("cell_type") == "code":
        text = REPO_URL_LINE.sub('REPO_URL = ""', text)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def source_hash(nb: dict) -> str:
    """sha256 of a notebook's lesson: its cells' types and sources, in order. Outputs, execution
    counts, metadata, cell ids and the generated Colab links leave it unchanged."""
    cells = [
        [c.get("cell_type"), _normalised(c)]
        for c in nb["cells"]
        if HEADER_TAG not in c.get("metadata", {}).get("tags", [])
    ]
    payload = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def code_hash(nb: dict) -> str:
    """sha256 of a notebook's code cells alone, in order: what its outputs depend on."""
    cells = [_normalised(c) for c in nb["cells"] if c.get("cell_type") == "code"]
    payload = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def recorded_hash(executed: dict) -> str:
    """The source hash an executed notebook records, else the hash of the cells it holds (the
    sources it ran, e.g. a quick run's)."""
    run = executed.get("metadata", {}).get("dnn_run", {})
    return run.get("source_sha256") or source_hash(executed)


def is_stale(executed: dict, notebook: Path) -> bool:
    return recorded_hash(executed) != source_hash(_load(notebook))


def copies(folder: Path = EXECUTED_COPIES) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def stale_copies(
    folder: Path = EXECUTED_COPIES, notebooks: Path = ROOT / "notebooks"
) -> list[str]:
    """Names of the copies whose notebook has changed since their run (or no longer exists)."""
    return [
        p.name
        for p in copies(folder)
        if not (notebooks / p.name).exists() or is_stale(_load(p), notebooks / p.name)
    ]


def missing_copies(
    folder: Path = EXECUTED_COPIES, notebooks: Path = ROOT / "notebooks"
) -> list[str]:
    """Names of the notebooks that have no executed copy yet."""
    return [
        p.name
        for p in sorted(notebooks.glob("*.ipynb"))
        if NOTEBOOK_NAME.match(p.name) and not (folder / p.name).exists()
    ]


def prose_behind(
    folder: Path = EXECUTED_COPIES, notebooks: Path = ROOT / "notebooks"
) -> list[str]:
    """Names of the stale copies whose code is still the notebook's: only the prose changed,
    and `sync_prose` brings them up to date without a run."""
    return [
        p.name
        for p in copies(folder)
        if (notebooks / p.name).exists()
        and is_stale(_load(p), notebooks / p.name)
        and code_hash(_load(p)) == code_hash(_load(notebooks / p.name))
    ]


def sync_prose(copy_path: Path, notebook: Path) -> bool:
    """Give a copy its notebook's current markdown, when the code cells are those it ran: each
    code cell keeps its outputs, every other cell comes from the notebook. Returns whether it
    changed the copy (False when the code differs: only a run refreshes that)."""
    executed, lesson = _load(copy_path), _load(notebook)
    if code_hash(executed) != code_hash(lesson) or not is_stale(executed, notebook):
        return False
    ran = iter(c for c in executed["cells"] if c.get("cell_type") == "code")
    header = [
        c
        for c in executed["cells"]
        if HEADER_TAG in c.get("metadata", {}).get("tags", [])
    ]
    cells = []
    for cell in lesson["cells"]:
        if cell.get("cell_type") == "code":
            done = next(ran)
            cell = {**cell, "outputs": done["outputs"]}
            cell["execution_count"] = done.get("execution_count")
        cells.append(cell)
    executed["cells"] = cells[:1] + header + cells[1:]
    executed["metadata"]["dnn_run"]["source_sha256"] = source_hash(lesson)
    _write_atomically(
        copy_path, json.dumps(executed, indent=1, ensure_ascii=False) + "\n"
    )
    return True


# --- slimming ------------------------------------------------------------------------------


def slim_png(data: str, max_width: int = MAX_WIDTH) -> str:
    """A base64 PNG scaled down to `max_width` pixels at most and re-encoded as small as it stays
    readable; the original when nothing smaller comes out."""
    import numpy as np
    from PIL import Image

    raw = base64.b64decode(data)
    try:
        image = Image.open(io.BytesIO(raw))
        image.load()
    except Exception:  # not an image Pillow reads: left as it is
        return data
    image = image.convert("RGBA")
    resized = image.width > max_width
    if resized:
        height = max(1, round(image.height * max_width / image.width))
        # area averaging: sharp enough for tick labels, and it compresses better than Lanczos
        image = image.resize((max_width, height), Image.Resampling.BOX)
    pixels = np.asarray(image)
    if pixels[..., 3].min() == 255:
        image = image.convert("RGB")
    candidates = [_png(image)]
    if image.mode == "RGB":
        palette = image.quantize(
            256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    else:
        palette = image.quantize(
            256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    back = np.asarray(palette.convert(image.mode), dtype=np.float32)
    rms = float(np.sqrt(np.mean((back - np.asarray(image, dtype=np.float32)) ** 2)))
    if rms <= PALETTE_RMS:
        candidates.append(_png(palette))
    best = min(candidates, key=len)
    if len(best) >= len(raw) and not resized:
        return data
    return base64.b64encode(best).decode("ascii")


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def local_paths(text: str) -> str:
    """The machine's own folders out of an output: the repository's path becomes relative to
    the repository, the data folder's (DNN_DATA_DIR) ``$DNN_DATA_DIR``, the home folder ``~``.
    A reader of the copy learns nothing from where the run happened to live."""
    places = [(str(ROOT) + os.sep, "")]
    data = os.environ.get("DNN_DATA_DIR", "").strip()
    if data:
        places.append(
            (str(Path(data).expanduser().resolve()) + os.sep, "$DNN_DATA_DIR/")
        )
        places.append((data.rstrip(os.sep) + os.sep, "$DNN_DATA_DIR/"))
    home = str(Path.home())
    if home not in ("/", ""):
        places.append((home + os.sep, "~/"))
    for where, shown in sorted(places, key=lambda p: -len(p[0])):  # longest first
        text = text.replace(where, shown)
    return text


def slim_text(text: str) -> str:
    """Colour codes and the machine's own folders out, carriage-return progress bars as a
    terminal leaves them, and a long text cut to its first and last lines."""
    text = local_paths(ANSI.sub("", text))
    lines = [line.rsplit("\r", 1)[-1] for line in text.split("\n")]
    return trim_stream("\n".join(lines))


def _slim_html(html: str) -> str:
    def frame(match: re.Match) -> str:
        data = match.group(1).replace("\\\n", "").replace("\n", "").replace("\\", "")
        return "data:image/png;base64," + slim_png(data)

    return EMBEDDED_PNG.sub(frame, html)


def slim_output(out: dict) -> dict | None:
    out = copy.deepcopy(out)
    kind = out.get("output_type")
    if kind == "stream":
        out["text"] = slim_text(_text(out.get("text", "")))
    elif kind == "error":
        out["traceback"] = [
            local_paths(ANSI.sub("", line)) for line in out.get("traceback", [])
        ]
    elif kind in ("display_data", "execute_result"):
        data = out.get("data", {})
        if WIDGET_VIEW in data:
            del data[WIDGET_VIEW]
            if not data:
                return None
        if "image/png" in data:
            data["image/png"] = slim_png(_text(data["image/png"]).replace("\n", ""))
        if "text/plain" in data:
            data["text/plain"] = slim_text(_text(data["text/plain"]))
        if "text/html" in data:
            data["text/html"] = _slim_html(_text(data["text/html"]))
    return out


def tidy_paths(copy_path: Path) -> bool:
    """Take the machine's own folders out of an executed copy's text outputs (`local_paths`);
    True when it changed. Its sources, and so its source hash, stay as they are."""
    nb = _load(copy_path)
    changed = False
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                new = local_paths(_text(out.get("text", "")))
                changed |= new != _text(out.get("text", ""))
                out["text"] = new
            elif out.get("output_type") == "error":
                new = [local_paths(line) for line in out.get("traceback", [])]
                changed |= new != out.get("traceback", [])
                out["traceback"] = new
            elif "text/plain" in out.get("data", {}):
                old = _text(out["data"]["text/plain"])
                out["data"]["text/plain"] = local_paths(old)
                changed |= out["data"]["text/plain"] != old
    if changed:
        _write_atomically(
            copy_path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        )
    return changed


def drop_echoed_figures(cell: dict) -> list[dict]:
    """A cell's outputs without the execute_result that repeats a figure the cell displayed
    (a call ending in `;` over several lines still echoes its figure in some IPython versions)."""
    shown = {
        _text(o["data"]["image/png"])
        for o in cell.get("outputs", [])
        if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
    }
    return [
        o
        for o in cell.get("outputs", [])
        if not (
            o.get("output_type") == "execute_result"
            and _text(o.get("data", {}).get("image/png", "")) in shown
        )
    ]


def _shows_an_image(out: dict) -> bool:
    data = out.get("data", {})
    return any(k.startswith("image/") for k in data) or "<img" in _text(
        data.get("text/html", "")
    )


def drop_dataset_outputs(cell: dict) -> list[dict]:
    """A cell's outputs without those that show a dataset's own photos, digits or texts (the
    cell's tags say which), with a note where they were."""
    tags = cell.get("metadata", {}).get("tags", [])
    outputs = cell.get("outputs", [])
    if DATASET_TEXT in tags:
        kept = []
        what, why, them = "Outputs", "they quote the dataset's texts", "them"
    elif DATASET_FIGURES in tags:
        kept = [o for o in outputs if not _shows_an_image(o)]
        what, why, them = "Figures", "they show images from the dataset", "them"
    else:
        return outputs
    if len(kept) == len(outputs):
        return outputs
    note = DATASET_NOTE.format(what=what, why=why, them=them)
    return kept + [{"output_type": "stream", "name": "stdout", "text": note}]


def slim(nb: dict) -> dict:
    """A slimmed copy of an executed notebook (the given one is left as it is). Execution
    counts stay; of the notebook's metadata only the kernel, the language and the run's header
    (``dnn_run``) stay, and of a cell's only its tags."""
    nb = copy.deepcopy(nb)
    nb["metadata"] = {k: v for k, v in nb["metadata"].items() if k in KEPT_METADATA}
    for cell in nb["cells"]:
        cell["metadata"] = {
            k: v
            for k, v in cell.get("metadata", {}).items()
            if k in ALLOWED_CELL_METADATA
        }
        if cell.get("cell_type") == "code":
            cell["outputs"] = drop_dataset_outputs(cell)
            outputs = (slim_output(o) for o in drop_echoed_figures(cell))
            cell["outputs"] = [o for o in outputs if o is not None]
    return nb


def run_parts(run: dict) -> list[str]:
    """A run's header in words: profile, device, precision, date, versions, wall time."""
    versions = run.get("versions", {})
    parts = [
        f"{run.get('profile', 'unknown')} profile",
        run.get("device", "unknown device"),
        run.get("precision", ""),
        str(run.get("date", ""))[:10],
        ", ".join(
            f"{k} {v}"
            for k, v in versions.items()
            if k in ("tensorflow", "keras", "python")
        ),
    ]
    if run.get("wall_time_s") is not None:
        parts.append(f"{run['wall_time_s'] / 60:.1f} min")
    return [p for p in parts if p]


def header_cell(run: dict) -> dict:
    text = (
        "*Outputs of a "
        + "; ".join(run_parts(run))
        + ". This is the notebook as that run left it; the notebook to run is the"
        " one the Colab badge above opens.*"
    )
    return {
        "cell_type": "markdown",
        "id": HEADER_TAG,
        "metadata": {"tags": [HEADER_TAG]},
        "source": text,
    }


def write_copy(executed: dict, notebook: Path, folder: Path = EXECUTED_COPIES) -> Path:
    """Slim an executed notebook and write it as `folder/<notebook's name>` (atomically), its
    header recording the hash of `notebook`, the lesson's source as stored."""
    executed = copy.deepcopy(executed)
    tags = {
        c.get("id"): c.get("metadata", {}).get("tags") for c in _load(notebook)["cells"]
    }
    for cell in executed[
        "cells"
    ]:  # the tags as the notebook holds them now (not hashed)
        if tags.get(cell.get("id")):
            cell.setdefault("metadata", {})["tags"] = tags[cell["id"]]
    nb = slim(executed)
    run = nb["metadata"].setdefault("dnn_run", {})
    run["source_sha256"] = source_hash(executed)  # the sources it ran
    nb["cells"] = [
        c
        for c in nb["cells"]
        if HEADER_TAG not in c.get("metadata", {}).get("tags", [])
    ]
    nb["cells"].insert(1 if nb["cells"] else 0, header_cell(run))
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / notebook.name
    _write_atomically(target, text)
    return target


def _write_atomically(target: Path, text: str) -> None:
    handle, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.stem}-", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- the command line ----------------------------------------------------------------------


def _size(n: int) -> str:
    return f"{n / 2**20:.2f} MB" if n >= 2**20 else f"{n / 2**10:.0f} kB"


def check(folder: Path = EXECUTED_COPIES) -> int:
    stale = set(stale_copies(folder))
    total = 0
    for path in copies(folder):
        size = path.stat().st_size
        total += size
        run = _load(path).get("metadata", {}).get("dnn_run", {})
        state = "STALE  " if path.name in stale else "current"
        print(
            f"{state}  {path.name:45s} {_size(size):>9s}  run {str(run.get('date', '?'))[:10]}"
        )
    for name in missing_copies(folder):
        print(f"missing  {name}")
    print(
        f"{len(copies(folder))} copies, {len(stale)} stale, {len(missing_copies(folder))} missing;"
        f" {_size(total)} in all (limit {_size(MAX_TOTAL_BYTES)})"
    )
    behind = set(prose_behind(folder))
    for name in sorted(stale):
        if name in behind:
            print(f"{name}: only its prose changed: make executed-prose (no run)")
        else:
            print(
                f"refresh {name} by rerunning it in the full profile: make executed NB={name[:2]}"
            )
    return 0


def recorded_results(run: dict, results: Path) -> bool:
    """Whether `results` (results/full/NN.json) holds a metric recorded during this run: the
    sign that the run recorded its results there (and that no later run replaced them)."""
    import datetime as dt

    try:
        start = dt.datetime.fromisoformat(run["date"])
        end = start + dt.timedelta(seconds=float(run.get("wall_time_s") or 0) + 60)
        metrics = json.loads(results.read_text(encoding="utf-8"))["metrics"].values()
        stamps = [dt.datetime.fromisoformat(m["recorded_at"]) for m in metrics]
    except (KeyError, ValueError, TypeError, OSError, AttributeError):
        return False
    return any(start - dt.timedelta(seconds=60) <= t <= end for t in stamps)


def import_runs(
    folder: Path,
    wanted: list[str],
    dest: Path = EXECUTED_COPIES,
    results: Path = ROOT / "results" / "full",
) -> int:
    """Executed copies from full runs already made (e.g. into build/executed) before the runs
    wrote them: taken when the run completed, in the full profile, ran the sources notebooks/
    holds today, and recorded the results in results/full/ now (a metric stamped during the run)."""
    taken, refused = [], []
    for notebook in notebook_paths():
        if wanted and not any(notebook.name.startswith(w) for w in wanted):
            continue
        path = folder / notebook.name
        if not path.exists():
            continue
        executed = _load(path)
        run = executed.get("metadata", {}).get("dnn_run", {})
        checks = {
            "not the full profile": run.get("profile") == "full",
            "did not complete": run.get("completed") is True,
            "ran other sources than notebooks/ holds now": source_hash(executed)
            == source_hash(_load(notebook)),
            "results/full/ holds no metric recorded during this run": recorded_results(
                run, results / f"{notebook.stem}.json"
            ),
        }
        why = [what for what, ok in checks.items() if not ok]
        if why:
            refused.append(f"{path.name}: {'; '.join(why)}")
            continue
        write_copy(executed, notebook, dest)
        taken.append(notebook.name)
    for line in refused:
        print("refused  " + line)
    print("taken: " + (", ".join(taken) if taken else "none"))
    return 0 if taken or not refused else 1


def main(args: list[str]) -> int:
    if args[:1] == ["--check"]:
        return check()
    if args[:1] == ["--slim"] and len(args) == 3:
        src, dst = Path(args[1]), Path(args[2])
        nb = slim(_load(src))
        dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        print(
            f"{src}: {_size(src.stat().st_size)} -> {dst}: {_size(dst.stat().st_size)}"
        )
        return 0
    if args[:1] == ["--sync-prose"]:
        synced = [
            p.name
            for p in copies()
            if (ROOT / "notebooks" / p.name).exists()
            and sync_prose(p, ROOT / "notebooks" / p.name)
        ]
        print("prose brought up to date: " + (", ".join(synced) or "none"))
        return 0
    if args[:1] == ["--local-paths"]:
        tidied = [p.name for p in copies() if tidy_paths(p)]
        print("machine paths taken out of: " + (", ".join(tidied) or "none"))
        return 0
    if args[:1] == ["--import"] and len(args) >= 2:
        return import_runs(Path(args[1]), args[2:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
