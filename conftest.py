"""pytest plumbing for the notebook tests (`pytest --nbval-lax notebooks`, `make nbtest`).

1. Kernels talk to pytest over IPC (Unix sockets in Jupyter's runtime folder, readable by this
   user alone) instead of TCP on 127.0.0.1: nothing listens on a port, and ipykernel has no
   reason to warn that it "is running over TCP without encryption".
2. With ``DNN_EXECUTED_OUT=DIR``, every notebook is written to DIR with the outputs its cells produced
   in this run and the run's ``dnn_run`` metadata (profile, device, versions, wall time), as
   `scripts/run_notebooks.py` writes it: the course site is built from the notebooks the tests
   executed, with no second execution.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "scripts"))
from nbtools import kernel_manager_class  # noqa: E402

try:
    import nbformat
    import nbval.kernel
    import nbval.plugin
except ImportError:  # an environment without the notebook tools (Colab's stack, say)
    nbval = None


if nbval is not None:
    nbval.kernel.KernelManager = kernel_manager_class()


class _ExecutedCopies:
    """Collects each notebook's outputs cell by cell and writes the notebook at its end."""

    def __init__(self, out: Path):
        self.out = out
        self.started: dict[str, float] = {}
        self.info_files: dict[str, Path] = {}
        self.failed: set[str] = set()
        self.seconds: dict[str, float] = {}

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item):
        notebook = item.parent
        key = str(notebook.fspath)
        if isinstance(notebook, nbval.plugin.IPyNbFile) and key not in self.started:
            # before the notebook's kernel starts, so that the kernel inherits it:
            # setup_notebook() writes the run's header there
            handle, name = tempfile.mkstemp(prefix="dnn-run-info-", suffix=".json")
            os.close(handle)
            self.info_files[key] = Path(name)
            os.environ["DNN_RUN_INFO"] = name
            self.started[key] = time.perf_counter()
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        if not isinstance(item, nbval.plugin.IPyNbCell) or call.when != "call":
            return
        report = outcome.get_result()
        if item.test_outputs is not None:
            item.cell.outputs = [nbformat.from_dict(o) for o in item.test_outputs]
        if report.failed:
            self.failed.add(str(item.parent.fspath))

    def pytest_runtest_teardown(self, item, nextitem):
        notebook = item.parent
        if not isinstance(notebook, nbval.plugin.IPyNbFile):
            return
        if nextitem is not None and nextitem.parent is notebook:
            return  # not the notebook's last cell
        key = str(notebook.fspath)
        seconds = time.perf_counter() - self.started.get(key, time.perf_counter())
        info_file = self.info_files.pop(key, None)
        try:
            run_info = json.loads(info_file.read_text() or "{}") if info_file else {}
        except (OSError, ValueError):
            run_info = {}
        if info_file:
            info_file.unlink(missing_ok=True)
        os.environ.pop("DNN_RUN_INFO", None)
        nb = notebook.nb
        count = 0
        for cell in nb.cells:
            if cell.cell_type == "code":
                count += 1
                cell.execution_count = count
        nb.metadata["dnn_run"] = {
            **run_info,
            "wall_time_s": round(seconds, 1),
            "completed": key not in self.failed,
        }
        self.out.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, self.out / Path(key).name)
        self.seconds[Path(key).name] = seconds

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.write_sep(
            "-", "each notebook's wall time (kernel start to last cell)"
        )
        for name, seconds in self.seconds.items():
            mark = "FAILED " if any(f.endswith(name) for f in self.failed) else ""
            terminalreporter.write_line(f"{mark}{name:<48} {seconds:7.1f} s")
        terminalreporter.write_line(f"executed copies in {self.out}")


def pytest_configure(config):
    out = os.environ.get("DNN_EXECUTED_OUT", "").strip()
    if out and nbval is not None and config.getoption("nbval_lax", False):
        config.pluginmanager.register(
            _ExecutedCopies(Path(out).resolve()), "dnn-executed-copies"
        )
