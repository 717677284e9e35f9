"""Small helpers shared by the scripts that read or rewrite notebooks."""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
# the executed copies of the full-profile runs, kept in the repository (scripts/executed_copies.py)
EXECUTED_COPIES = ROOT / "executed"
NOTEBOOK_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
ALLOWED_NOTEBOOK_METADATA = {"kernelspec", "language_info"}
ALLOWED_CELL_METADATA = {"tags", "jupyter"}
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
# beside the badge, once the notebook has an executed copy (`make links` writes it)
OUTPUTS_LINK_TEXT = "read it with its outputs"
OUTPUTS_LINK = re.compile(r" · \[read it with its outputs\]\([^)]*\)")
REPO_URL_LINE = re.compile(r'^REPO_URL = "[^"]*"$', re.M)
COLAB_CELL_MARK = "# Colab only"
# The first code cell of every notebook (`make links` writes it). It installs `utils` inside
# Colab and does nothing anywhere else. `utils` asks for neither TensorFlow nor Keras, so pip
# leaves Colab's own untouched (reinstalling them would make Colab restart its runtime).
# DNN_UTILS_SOURCE, when set, names another source for pip (the tests install a local clone).
COLAB_CELL = """# Colab only: install this collection's `utils` package (elsewhere it does nothing).
import sys

REPO_URL = "{repo}"
if "google.colab" in sys.modules:
    import os
    import subprocess

    # Colab's own TensorFlow and Keras stay as they are: `utils` does not ask for them
    source = os.environ.get("DNN_UTILS_SOURCE", f"git+{{REPO_URL}}.git")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)
"""
SETUP_CALL = re.compile(r"^\s*(RUN\s*=\s*)?utils\.setup_notebook\(", re.M)
PARAMS_MARK = "# Parameters"


def repository_url() -> str:
    """The repository's address, written once in pyproject.toml."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return meta["project"]["urls"]["Repository"].rstrip("/")


def colab_url(notebook: Path, branch: str = "main") -> str:
    """Colab's address for a notebook of this repository on GitHub."""
    repo = repository_url()
    owner_repo = repo.split("github.com/", 1)[1]
    rel = notebook.resolve().relative_to(ROOT).as_posix()
    return f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{rel}"


def github_url(path: Path, branch: str = "main") -> str:
    """GitHub's page for a file of this repository (GitHub renders a notebook with its outputs)."""
    rel = path.resolve().relative_to(ROOT).as_posix()
    return f"{repository_url()}/blob/{branch}/{rel}"


def badge_markdown(notebook: Path) -> str:
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(notebook)})"


def notebook_paths() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def source(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def title(nb: dict) -> str:
    """The first markdown heading of a notebook."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "(untitled)"


KEEP_LINES = 12


def trim_stream(text: str, keep: int = KEEP_LINES) -> str:
    """A long text output keeps its first and last `keep` lines, with a line saying how many
    were left out between them (a short one is returned as it is)."""
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


def kernel_manager_class(asynchronous: bool = False):
    """jupyter_client's KernelManager (or AsyncKernelManager, for nbclient), made to start kernels on Unix sockets (IPC) on POSIX.

    Over IPC nothing listens on a TCP port (not even loopback's) and ipykernel no longer warns
    that it "is running over TCP without encryption". The sockets go into a private folder of
    their own (mode 0700), by absolute path, since the kernel runs in the notebook's folder.
    """
    import os
    import tempfile

    from jupyter_client.manager import AsyncKernelManager, KernelManager
    from traitlets import CaselessStrEnum

    base = AsyncKernelManager if asynchronous else KernelManager
    if os.name != "posix":
        return base

    class IPCKernelManager(base):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        def _ip_default(self) -> str:
            if self.transport != "ipc":
                return super()._ip_default()
            return os.path.join(tempfile.mkdtemp(prefix="dnn-kernel-"), "kernel")

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart)
            if self.transport == "ipc" and not restart:
                try:
                    os.rmdir(os.path.dirname(self.ip))
                except OSError:
                    pass

    return IPCKernelManager
