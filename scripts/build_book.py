"""Render executed notebooks into the course site: build/book/html (Sphinx + myst-nb, offline).

Usage: python scripts/build_book.py [--executed DIR] [--out DIR]
  --executed  folder of executed notebooks (default build/executed, written by `make run`)
  --out       where the site goes (default build/book); the HTML is in OUT/html

Nothing is executed. Each page says which run produced its outputs (profile, device, date,
versions: the ``dnn_run`` metadata `make run` writes); a page from a quick-profile run carries a
banner. The Colab badge image becomes a text link, long text outputs are trimmed, and MathJax is
served from the local copy `make setup` unpacks into build/vendor/mathjax.
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
from nbtools import BADGE, ROOT, colab_url, notebook_paths, repository_url, title  # noqa: E402

MATHJAX = ROOT / "build" / "vendor" / "mathjax"
MATHJAX_PARTS = [
    "tex-mml-chtml.js",
    "output/chtml/fonts/woff-v2",
    "input/tex/extensions",
    "a11y",
    "ui",
]
KEEP_LINES = 12
REMOTE_STYLESHEET = re.compile(
    r"<link[^>]*href=[\"']https?://[^>]*>", re.I
)  # a long text output keeps its first and last lines


def trim_stream(text: str, keep: int = KEEP_LINES) -> str:
    lines = text.splitlines()
    if len(lines) <= 3 * keep:
        return text
    hidden = len(lines) - 2 * keep
    return (
        "\n".join(
            lines[:keep]
            + [f"... ({hidden} lines of output not shown) ..."]
            + lines[-keep:]
        )
        + "\n"
    )


def run_line(info: dict) -> str:
    versions = info.get("versions", {})
    parts = [
        f"**{info.get('profile', 'unknown')} profile**",
        info.get("device", "unknown device"),
    ]
    if info.get("date"):
        parts.append(info["date"][:10])
    parts.append(
        ", ".join(
            f"{k} {v}"
            for k, v in versions.items()
            if k in ("tensorflow", "keras", "python")
        )
    )
    if info.get("wall_time_s") is not None:
        parts.append(f"{info['wall_time_s'] / 60:.1f} min")
    return "Outputs on this page: " + "; ".join(p for p in parts if p) + "."


QUICK_BANNER = """```{warning}
**Quick profile.** This page was built from a quick-profile run: small stand-in data and one or two
epochs, made to check that every cell runs. Its numbers and figures mean nothing; build the site
from `DNN_PROFILE=full make run` for the real course.
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


def prepare(src: Path, dst: Path) -> dict:
    """Copy one executed notebook for the site; return its run info."""
    nb = nbformat.read(src, as_version=4)
    info = dict(nb.metadata.get("dnn_run", {})) or info_from_setup_output(nb)
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise SystemExit(f"{src}: the first cell should be the title")
    link = f"[Open this notebook in Colab]({colab_url(ROOT / 'notebooks' / src.name)})"
    nb.cells[0].source = BADGE.sub(link, nb.cells[0].source)
    notes = [run_line(info)]
    if info.get("profile") != "full":
        notes.insert(0, QUICK_BANNER)
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
        for out in cell.get("outputs", []):
            if out.output_type == "stream" and out.name == "stdout":
                out.text = trim_stream(out.text)
            html = out.get("data", {}).get("text/html")
            if html:  # matplotlib's animation player links Font Awesome 4 from a CDN; the theme ships its own
                out["data"]["text/html"] = REMOTE_STYLESHEET.sub("", "".join(html))
    nb.metadata = {
        k: v for k, v in nb.metadata.items() if k in ("kernelspec", "language_info")
    }
    nbformat.write(nb, dst)
    return info


def results_table() -> str:
    """results/README.md for the index page, from its first notebook's section on (the title and
    the introduction are the index page's own): one table per notebook, in plain words."""
    path = ROOT / "results" / "README.md"
    if not path.exists():
        return "(no results yet: run `make report`)"
    text = path.read_text()
    start = text.find("\n### ")
    return text[start + 1 :] if start >= 0 else text


def build(executed: Path, out: Path) -> Path:
    start = time.perf_counter()
    if not (MATHJAX / "tex-mml-chtml.js").exists():
        raise SystemExit(
            f"MathJax is missing from {MATHJAX}: run `make setup` (scripts/install_book_deps.sh)"
        )
    names = [p.name for p in notebook_paths()]
    found = [executed / n for n in names if (executed / n).exists()]
    if not found:
        raise SystemExit(f"no executed notebooks in {executed}: run `make run` first")
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
    for path in found:
        infos[path.stem] = prepare(path, src / "notebooks" / path.name)
        nb_title = title(nbformat.read(path, as_version=4))
        profile = infos[path.stem].get("profile", "unknown")
        rows.append(
            f"| [{nb_title}](notebooks/{path.stem}.ipynb) | {profile} | "
            f"[Colab]({colab_url(ROOT / 'notebooks' / path.name)}) |"
        )
        toc.append(f"notebooks/{path.stem}")
    missing = sorted(set(names) - {p.name for p in found})
    profiles = sorted({i.get("profile", "unknown") for i in infos.values()})
    summary = f"This build shows {len(found)} notebooks, run in the {' and '.join(profiles)} profile."
    if missing:
        summary += (
            " Not executed yet, so not shown: "
            + ", ".join(m.removesuffix(".ipynb") for m in missing)
            + "."
        )
    if "full" not in profiles:
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
        f"book: {len(found)} notebooks -> {html.relative_to(ROOT) if html.is_relative_to(ROOT) else html} "
        f"({size / 2**20:.1f} MiB) in {time.perf_counter() - start:.1f} s"
    )
    return html


def main(args: list[str]) -> int:
    executed, out = ROOT / "build" / "executed", ROOT / "build" / "book"
    if "--executed" in args:
        executed = (Path.cwd() / args[args.index("--executed") + 1]).resolve()
    if "--out" in args:
        out = (Path.cwd() / args[args.index("--out") + 1]).resolve()
    build(executed, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
