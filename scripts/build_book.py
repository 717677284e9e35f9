"""Render executed notebooks into the course site: build/book/html (Sphinx + myst-nb, offline).

Usage: python scripts/build_book.py [--executed DIR] [--out DIR] [--only NB ...]
  --executed  folder of executed notebooks (default executed/, the executed copies of the
              full-profile runs; build/quick/executed for the quick site the tests build)
  --out       where the site goes (default build/book); the HTML is in OUT/html
  --only      these notebooks only (prefixes such as 02), for a quick look

Nothing is executed. Each page says which run produced its outputs (profile, device, date,
versions: the ``dnn_run`` metadata `scripts/run_notebooks.py` writes); a page from a quick-profile
run carries a banner; a page whose executed notebook ran an earlier version of the lesson (its
source hash differs from notebooks/) carries one too, and is still shown; a notebook with no
executed copy is shown as it is stored, without outputs, with a note. Each page links the
notebook's Colab badge and, where it has one, its executed copy (on GitHub and in Colab). Long
text outputs are trimmed, and MathJax is served from the local copy `make setup` unpacks into
build/vendor/mathjax.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import executed_copies  # noqa: E402
from nbtools import (  # noqa: E402
    BADGE,
    EXECUTED_COPIES,
    OUTPUTS_LINK,
    ROOT,
    colab_url,
    github_url,
    notebook_paths,
    repository_url,
    title,
    trim_stream,
)

MATHJAX = ROOT / "build" / "vendor" / "mathjax"
MATHJAX_PARTS = [
    "tex-mml-chtml.js",
    "output/chtml/fonts/woff-v2",
    "input/tex/extensions",
    "a11y",
    "ui",
]
# matplotlib's animation player links Font Awesome 4 from a CDN; the theme ships its own
REMOTE_STYLESHEET = re.compile(r"<link[^>]*href=[\"']https?://[^>]*>", re.I)


def run_line(info: dict) -> str:
    parts = executed_copies.run_parts(info)
    parts[0] = f"**{parts[0]}**"
    return "Outputs on this page: " + "; ".join(parts) + "."


# each note carries a class of its own, which the browser tests look for
QUICK_BANNER = """```{warning}
:class: dnn-quick
**Quick profile.** This page was built from a quick-profile run: small stand-in data and one or two
epochs, made to check that every cell runs. Its numbers and figures mean nothing; the course site
(`make book`) shows the executed copies of the full-profile runs.
```"""

STALE_BANNER = """```{important}
:class: dnn-stale
**Outputs from an earlier version of this notebook** (run on {date}). The notebook has changed
since: the code and text on this page are those that ran, and may differ from the current
notebook's. Open it in Colab to run the current version.
```"""

NOT_RUN_NOTE = """```{note}
:class: dnn-not-run
**Not yet run in the full profile:** this page shows the notebook without its outputs. Run it to
see its outputs.
```"""


def info_from_setup_output(nb: nbformat.NotebookNode) -> dict:
    """Run info read back from the setup cell's printed lines, for notebooks executed before
    `run_notebooks.py` stored it in the metadata."""
    info: dict = {}
    for cell in nb.cells:
        text = "".join(
            o.get("text", "")
            for o in cell.get("outputs", [])
            if o.get("output_type") == "stream"
        )
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key == "Profile":
                info["profile"] = value.split()[0].rstrip(",")
            elif key == "Device":
                info["device"] = value.strip()
            elif key == "Versions":
                pairs = [v.strip().split(" ", 1) for v in value.split(",")]
                info["versions"] = {k: v for k, v in pairs if v}
        if "profile" in info:
            return info
    return info


def links(name: str) -> str:
    """The page's links: the notebook in Colab, and its executed copy (GitHub renders it; Colab
    opens it with its outputs) when the repository has one."""
    notebook = ROOT / "notebooks" / name
    parts = [f"[Open this notebook in Colab]({colab_url(notebook)})"]
    copy = EXECUTED_COPIES / name
    if copy.exists():
        parts.append(f"[read it with its outputs on GitHub]({github_url(copy)})")
        parts.append(f"[open it with its outputs in Colab]({colab_url(copy)})")
    return " · ".join(parts)


def page_state(src: Path, notebook: Path) -> str:
    """ "not run" (no executed notebook), "stale" (it ran another version of the lesson) or
    "current"."""
    if src == notebook:
        return "not run"
    executed = json.loads(src.read_text(encoding="utf-8"))
    notebook_nb = json.loads(notebook.read_text(encoding="utf-8"))
    if executed_copies.recorded_hash(executed) != executed_copies.source_hash(
        notebook_nb
    ):
        return "stale"
    return "current"


def prepare(src: Path, dst: Path, state: str = "current") -> dict:
    """Copy one executed notebook (or, with state "not run", a notebook without outputs) for
    the site; return its run info, with the page's state."""
    nb = nbformat.read(src, as_version=4)
    # the copy's header cell says in words what the page's own note says
    nb.cells = [
        c
        for c in nb.cells
        if executed_copies.HEADER_TAG not in c.metadata.get("tags", [])
    ]
    if state == "not run":
        info: dict = {}
    else:
        info = dict(nb.metadata.get("dnn_run", {})) or info_from_setup_output(nb)
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise SystemExit(f"{src}: the first cell should be the title")
    first = OUTPUTS_LINK.sub("", nb.cells[0].source)
    nb.cells[0].source = BADGE.sub(lambda _: links(src.name), first)
    if state == "not run":
        notes = [NOT_RUN_NOTE]
    else:
        notes = [run_line(info)]
        if info.get("profile") != "full":
            notes.insert(0, QUICK_BANNER)
        if state == "stale":
            date = str(info.get("date", ""))[:10] or "an unknown date"
            notes.insert(0, STALE_BANNER.replace("{date}", date))
        if info.get("completed") is False:
            notes.insert(
                0,
                "```{error}\nThis run stopped with an error; the page's later cells have no outputs.\n```",
            )
    # the notes go right under the title, before the introduction
    lines = nb.cells[0].source.split("\n")
    cut = next(
        (i + 1 for i, line in enumerate(lines) if line.startswith("# ")), len(lines)
    )
    nb.cells[0].source = "\n".join(lines[:cut])
    rest = "\n".join(lines[cut:]).strip()
    extra = [nbformat.v4.new_markdown_cell("\n\n".join(notes))]
    if rest:
        extra.append(nbformat.v4.new_markdown_cell(rest))
    nb.cells[1:1] = extra
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.source.startswith("# Colab only"):
            cell.metadata.setdefault("tags", []).append("remove-cell")
        if "solution" in cell.metadata.get(
            "tags", []
        ):  # worked solutions: code folded, outputs shown
            cell.metadata["tags"].append("hide-input")
        cell.outputs = executed_copies.drop_echoed_figures(cell)
        for out in cell.get("outputs", []):
            if out.output_type == "stream" and out.name == "stdout":
                out.text = trim_stream(out.text)
            html = out.get("data", {}).get("text/html")
            if html:
                out["data"]["text/html"] = REMOTE_STYLESHEET.sub("", "".join(html))
    nb.metadata = {
        k: v for k, v in nb.metadata.items() if k in ("kernelspec", "language_info")
    }
    nbformat.write(nb, dst)
    return {**info, "state": state}


def outputs_from(info: dict) -> str:
    if info["state"] == "not run":
        return "not run yet"
    text = f"{info.get('profile', 'unknown')} profile"
    if info.get("date"):
        text += f", {str(info['date'])[:10]}"
    if info["state"] == "stale":
        text += " (an earlier version)"
    return text


def summary_line(infos: dict) -> str:
    states = [i["state"] for i in infos.values()]
    shown = [i for i in infos.values() if i["state"] != "not run"]
    profiles = sorted({i.get("profile", "unknown") for i in shown})
    parts = []
    if shown:
        parts.append(
            f"{len(shown)} of the {len(infos)} notebooks with the outputs of a run in the "
            f"{' and '.join(profiles)} profile"
        )
    if states.count("stale"):
        parts.append(
            f"{states.count('stale')} of them from an earlier version of the notebook (said on its page)"
        )
    if states.count("not run"):
        parts.append(f"{states.count('not run')} not yet run, shown without outputs")
    return "This build shows " + "; ".join(parts) + "."


def results_table() -> str:
    """results/README.md for the index page, from its first notebook's section on (the title and
    the introduction are the index page's own): one table per notebook, in plain words."""
    path = ROOT / "results" / "README.md"
    if not path.exists():
        return "(no results yet: run `make report`)"
    text = path.read_text()
    start = text.find("\n### ")
    return text[start + 1 :] if start >= 0 else text


def build(executed: Path, out: Path, only: list[str] | None = None) -> Path:
    start = time.perf_counter()
    if not (MATHJAX / "tex-mml-chtml.js").exists():
        raise SystemExit(
            f"MathJax is missing from {MATHJAX}: run `make setup` (scripts/install_book_deps.sh)"
        )
    if not executed.is_dir():
        raise SystemExit(f"no folder {executed}: name a folder of executed notebooks")
    notebooks = [
        p
        for p in notebook_paths()
        if not only or any(p.name.startswith(o) for o in only)
    ]
    if not any((executed / p.name).exists() for p in notebooks):
        print(
            f"no executed notebooks in {executed}: every page shows its notebook without outputs"
        )
    src = out / "src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(ROOT / "book", src)
    for part in MATHJAX_PARTS:
        target = src / "_static" / "mathjax" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (MATHJAX / part).is_dir() else shutil.copyfile)(
            MATHJAX / part, target
        )
    (src / "notebooks").mkdir()
    rows, toc, infos = [], [], {}
    for notebook in notebooks:
        path = executed / notebook.name
        if not path.exists():
            path = notebook
        info = prepare(
            path, src / "notebooks" / notebook.name, page_state(path, notebook)
        )
        infos[notebook.stem] = info
        nb_title = title(nbformat.read(notebook, as_version=4))
        opens = f"[Colab]({colab_url(notebook)})"
        if (EXECUTED_COPIES / notebook.name).exists():
            copy = EXECUTED_COPIES / notebook.name
            opens += (
                f" · with outputs: [GitHub]({github_url(copy)}),"
                f" [Colab]({colab_url(copy)})"
            )
        rows.append(
            f"| [{nb_title}](notebooks/{notebook.stem}.ipynb) | {outputs_from(info)} | {opens} |"
        )
        toc.append(f"notebooks/{notebook.stem}")
    summary = summary_line(infos)
    profiles = {i.get("profile") for i in infos.values() if i["state"] != "not run"}
    if profiles and "full" not in profiles:
        summary = QUICK_BANNER + "\n\n" + summary
    table = "| notebook | outputs from | open |\n|---|---|---|\n" + "\n".join(rows)
    index = (src / "index.md").read_text()
    for marker, text in (
        ("run-summary", summary),
        ("notebooks", table),
        ("results", results_table()),
        ("toctree", "\n".join(toc)),
        ("repository", repository_url() + ".git"),
    ):
        index = index.replace(f"<!-- {marker} -->", text)
    (src / "index.md").write_text(index)
    html = out / "html"
    shutil.rmtree(html, ignore_errors=True)
    env = dict(
        os.environ, DNN_REPOSITORY_URL=repository_url(), DNN_BOOK_INFO=json.dumps(infos)
    )
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        str(src),
        str(html),
    ]
    result = subprocess.run(cmd, env=env)
    if result.returncode:
        raise SystemExit(f"sphinx-build failed (warnings are errors): {' '.join(cmd)}")
    size = sum(f.stat().st_size for f in html.rglob("*") if f.is_file())
    print(
        f"book: {len(notebooks)} notebooks -> {html.relative_to(ROOT) if html.is_relative_to(ROOT) else html} "
        f"({size / 2**20:.1f} MiB) in {time.perf_counter() - start:.1f} s"
    )
    return html


def main(args: list[str]) -> int:
    executed, out, only = EXECUTED_COPIES, ROOT / "build" / "book", None
    if "--executed" in args:
        executed = (Path.cwd() / args[args.index("--executed") + 1]).resolve()
    if "--out" in args:
        out = (Path.cwd() / args[args.index("--out") + 1]).resolve()
    if "--only" in args:
        rest = args[args.index("--only") + 1 :]
        only = [
            a
            for a in rest[
                : next((i for i, a in enumerate(rest) if a.startswith("--")), len(rest))
            ]
        ]
    build(executed, out, only)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
