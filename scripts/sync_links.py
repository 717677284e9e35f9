"""Generate every repository link from the one URL in pyproject.toml.

* each notebook's Colab badge (first markdown cell), followed, when the notebook has an executed
  copy (executed/, scripts/executed_copies.py), by a link to read it with its outputs on GitHub,
* each notebook's Colab-only install cell (the whole cell, from nbtools.COLAB_CELL),
* the README's table of notebooks (between the notebooks markers), with links to each executed
  copy: on GitHub, which renders its outputs, and in Colab.

`--check` changes nothing and exits 1 when something is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbtools import (  # noqa: E402
    BADGE,
    COLAB_CELL,
    COLAB_CELL_MARK,
    EXECUTED_COPIES,
    OUTPUTS_LINK,
    OUTPUTS_LINK_TEXT,
    ROOT,
    badge_markdown,
    colab_url,
    github_url,
    notebook_paths,
    repository_url,
    source,
    title,
)

START, END = "<!-- notebooks:start -->", "<!-- notebooks:end -->"


def _set_source(cell: dict, text: str) -> None:
    cell["source"] = text.splitlines(keepends=True)


def has_copy(path: Path) -> bool:
    return (EXECUTED_COPIES / path.name).exists()


def copy_path(path: Path) -> Path:
    """Where the notebook's executed copy lives in the repository (the links point there)."""
    return ROOT / "executed" / path.name


def badge_cell_text(path: Path, text: str) -> str:
    """The first markdown cell with the Colab badge, and the link to the executed copy when
    there is one."""
    text = OUTPUTS_LINK.sub("", text)
    badge = badge_markdown(path)
    if has_copy(path):
        badge += f" · [{OUTPUTS_LINK_TEXT}]({github_url(copy_path(path))})"
    return (
        BADGE.sub(lambda _: badge, text) if BADGE.search(text) else f"{badge}\n\n{text}"
    )


def sync_notebook(path: Path, write: bool = True) -> bool:
    raw = path.read_text()
    nb = json.loads(raw)
    first_md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    _set_source(first_md, badge_cell_text(path, source(first_md)))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and source(cell).startswith(COLAB_CELL_MARK):
            _set_source(cell, COLAB_CELL.format(repo=repository_url()).rstrip("\n"))
    out = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if out != raw:
        if write:
            path.write_text(out)
        return True
    return False


def notebook_table() -> str:
    rows = ["| # | notebook | open | with its outputs |", "|---|---|---|---|"]
    for path in notebook_paths():
        nb = json.loads(path.read_text())
        rel = path.relative_to(ROOT).as_posix()
        copy = copy_path(path)
        outputs = (
            f"[read]({copy.relative_to(ROOT).as_posix()}) · [Colab]({colab_url(copy)})"
            if has_copy(path)
            else "not run yet"
        )
        rows.append(
            f"| {path.name[:2]} | [{title(nb)}]({rel}) | [Colab]({colab_url(path)}) | {outputs} |"
        )
    return "\n".join(rows)


def sync_readme(write: bool = True) -> bool:
    readme = ROOT / "README.md"
    text = readme.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"README.md lacks the {START} / {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{notebook_table()}\n{END}{tail}"
    if new != text:
        if write:
            readme.write_text(new)
        return True
    return False


def main(check: bool) -> int:
    changed = [p.name for p in notebook_paths() if sync_notebook(p, write=not check)]
    if sync_readme(write=not check):
        changed.append("README.md")
    if check:
        if changed:
            print("out of date (run `make links`): " + ", ".join(changed))
            return 1
        print("links are up to date")
        return 0
    print("updated: " + (", ".join(changed) if changed else "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
