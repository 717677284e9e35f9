"""Store notebooks clean: no outputs, no execution counts, minimal metadata.

Usage: python scripts/clean_notebooks.py notebooks/*.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbtools import ALLOWED_CELL_METADATA, KERNELSPEC  # noqa: E402


def clean(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    nb.metadata = nbformat.NotebookNode(
        {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    )
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode(
            {k: v for k, v in cell.metadata.items() if k in ALLOWED_CELL_METADATA}
        )
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.pop("attachments", None) if cell.cell_type != "markdown" else None
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validator.normalize(nb)
    after = nbformat.writes(nb)
    if after != before:
        nbformat.write(nb, path)
        return True
    return False


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        if clean(Path(arg)):
            print(f"cleaned {arg}")
