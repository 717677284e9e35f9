"""Execute notebooks headless into build/executed/, printing each one's wall time.

Usage: python scripts/run_notebooks.py [--out DIR] [--set NAME=VALUE ...] [--executed-copy] [NB ...]
(NB: a prefix such as 02, or a path). `--set TAKE_C_APART=True` replaces that parameter's value in
the parameters cell before the run (the executed notebook shows the line as it ran).
The profile comes from DNN_PROFILE (`make run` sets quick unless told otherwise). Each executed
notebook carries the run's profile, device, date, library versions and wall time in its metadata
(``dnn_run``), which the course site prints on each page.

A completed full-profile run that records its results in results/full/ (DNN_RESULTS_DIR unset, no
`--set`) also writes the notebook's executed copy, executed/NN_*.ipynb, slimmed and with the hash
of the source it ran (scripts/executed_copies.py); a quick run never does. `--executed-copy`
(`make executed`) refuses to start a run that could not write one.

Worked solutions (cells tagged ``solution``) run in the quick profile, where they are tested; in
the full profile they are left out unless DNN_SOLUTIONS=1, so that they never lengthen a full run
(a learner who wants one in full runs its cell, or sets DNN_SOLUTIONS=1).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import executed_copies  # noqa: E402
from nbtools import ROOT, kernel_manager_class, notebook_paths  # noqa: E402

OUT = ROOT / "build" / "executed"


def select(args: list[str]) -> list[Path]:
    paths = notebook_paths()
    if not args:
        return paths
    chosen = [
        p
        for p in paths
        if any(p.name.startswith(a) or p.name == Path(a).name for a in args)
    ]
    if not chosen:
        raise SystemExit(f"no notebook matches {args}; have: {[p.name for p in paths]}")
    return chosen


def full_profile() -> bool:
    """DNN_PROFILE=full, or no DNN_PROFILE outside CI (utils.get_profile's rule)."""
    profile = os.environ.get("DNN_PROFILE", "").strip().lower()
    ci = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}
    return profile == "full" or (not profile and not ci)


def why_no_executed_copy(settings: dict | None = None) -> str:
    """Why this run may not write executed copies ("" when it may): only full-profile runs
    that record their results in results/full/, with the notebook's own parameters."""
    if not full_profile():
        return "not the full profile"
    results = os.environ.get("DNN_RESULTS_DIR", "").strip()
    if results and Path(results).resolve() != (ROOT / "results").resolve():
        return f"DNN_RESULTS_DIR={results}: the results do not go to results/full/"
    if settings:
        return "--set changes the notebook's parameters"
    return ""


def solutions_skipped() -> bool:
    """Full-profile runs leave the worked solutions out unless DNN_SOLUTIONS=1; DNN_SOLUTIONS=0
    leaves them out of any run (`make device-check` times the lessons, not the exercises)."""
    if os.environ.get("DNN_SOLUTIONS", "").strip().lower() in {"0", "false", "no"}:
        return True
    return full_profile() and os.environ.get("DNN_SOLUTIONS", "").strip() not in {
        "1",
        "true",
        "yes",
    }


def set_parameters(nb, settings: dict[str, str]) -> None:
    """Rewrite ``NAME = ...`` lines of the parameters cell; an unknown NAME is an error."""
    cell = next(
        c for c in nb.cells if c.cell_type == "code" and "# Parameters" in c.source
    )
    for name, value in settings.items():
        pattern = re.compile(rf"^{re.escape(name)} = .*$", re.M)
        if not pattern.search(cell.source):
            raise SystemExit(f"no parameter {name} in the parameters cell")
        cell.source = pattern.sub(
            f"{name} = {value}  # set by run_notebooks.py --set", cell.source
        )


def run(
    path: Path,
    out: Path = OUT,
    settings: dict | None = None,
    copies: Path | None = None,
) -> tuple[bool, float]:
    """Execute one notebook into `out`; when `copies` is given and the run completed in the
    full profile, write its executed copy there too."""
    nb = nbformat.read(path, as_version=4)
    if settings:
        set_parameters(nb, settings)
    # the kernel listens on Unix sockets (IPC), not TCP ports: nothing is reachable from
    # outside this user, and ipykernel has no cause to warn about unencrypted TCP
    client = NotebookClient(
        nb,
        kernel_manager_class=kernel_manager_class(asynchronous=True),
        timeout=None,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        # nbclient leaves out cells carrying this tag; "none" matches no cell
        skip_cells_with_tag="solution" if solutions_skipped() else "none",
    )
    info_file = Path(tempfile.mkstemp(prefix="dnn-run-info-", suffix=".json")[1])
    os.environ["DNN_RUN_INFO"] = str(
        info_file
    )  # the kernel inherits it; setup_notebook() writes there
    start = time.perf_counter()
    ok, died = True, False
    try:
        client.execute()
    except CellExecutionError as err:
        ok = False
        print(str(err)[-3000:], file=sys.stderr)
    except DeadKernelError:
        ok, died = False, True
    finally:
        del os.environ["DNN_RUN_INFO"]
    seconds = time.perf_counter() - start
    try:
        run_info = json.loads(info_file.read_text() or "{}")
    except ValueError:
        run_info = {}
    info_file.unlink(missing_ok=True)
    nb.metadata["dnn_run"] = {
        **run_info,
        "wall_time_s": round(seconds, 1),
        "completed": ok,
    }
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out / path.name)
    if copies is not None and ok and run_info.get("profile") == "full":
        first = not (copies / path.name).exists()
        target = executed_copies.write_copy(nb, path, copies)
        shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        print(f"executed copy: {shown} ({target.stat().st_size / 2**20:.2f} MB)")
        if first:
            print("its first: `make links` links it from the README and the notebook")
    if died:
        raise KernelDied(f"{path.name}: its kernel died after {seconds:.0f} s")
    return ok, seconds


class KernelDied(RuntimeError):
    """The kernel process ended in the middle of a cell (a crash in native code, say), not a
    cell that raised."""


def main(args: list[str]) -> int:
    out = OUT
    if "--out" in args:
        i = args.index("--out")
        out = (Path.cwd() / args[i + 1]).resolve()
        args = args[:i] + args[i + 2 :]
    settings = {}
    while "--set" in args:
        i = args.index("--set")
        name, _, value = args[i + 1].partition("=")
        settings[name] = value
        args = args[:i] + args[i + 2 :]
    required = "--executed-copy" in args
    args = [a for a in args if a != "--executed-copy"]
    why_not = why_no_executed_copy(settings)
    if required and why_not:
        raise SystemExit(f"no executed copy can come from this run: {why_not}")
    copies = None if why_not else executed_copies.EXECUTED_COPIES
    profile = os.environ.get("DNN_PROFILE", "(default: full)")
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"profile: {profile}; executed notebooks go to {shown}/")
    if copies is not None:
        print("a completed run also writes its executed copy to executed/")
    failed = []
    for path in select(args):
        print(f"running {path.name} ...", flush=True)
        try:
            ok, seconds = run(path, out, settings, copies)
        except KernelDied as died:
            # a crash of the kernel process, not a failing cell (on a 2-core CPU TensorFlow
            # has segfaulted once in a bfloat16 run of 09 that passes alone): said, then
            # one more try; a second death fails the run
            print(f"{died}; running it once more", flush=True)
            try:
                ok, seconds = run(path, out, settings, copies)
            except KernelDied as again:
                print(f"{again} again", flush=True)
                ok, seconds = False, 0.0
        print(
            f"{'ok    ' if ok else 'FAILED'} {path.name}  {seconds:7.1f} s  ({seconds / 60:.1f} min)",
            flush=True,
        )
        if not ok:
            failed.append(path.name)
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
