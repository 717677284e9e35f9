"""Execute notebooks headless into build/executed/, printing each one's wall time.

Usage: python scripts/run_notebooks.py [NB ...]   (NB: a prefix such as 02, or a path)
The profile comes from DNN_PROFILE (`make run` sets quick unless told otherwise).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbtools import ROOT, notebook_paths  # noqa: E402

OUT = ROOT / "build" / "executed"


def select(args: list[str]) -> list[Path]:
    paths = notebook_paths()
    if not args:
        return paths
    chosen = [p for p in paths if any(p.name.startswith(a) or p.name == Path(a).name for a in args)]
    if not chosen:
        raise SystemExit(f"no notebook matches {args}; have: {[p.name for p in paths]}")
    return chosen


def run(path: Path) -> tuple[bool, float]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=None, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    ok = True
    try:
        client.execute()
    except CellExecutionError as err:
        ok = False
        print(str(err)[-3000:], file=sys.stderr)
    seconds = time.perf_counter() - start
    OUT.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, OUT / path.name)
    return ok, seconds


def main(args: list[str]) -> int:
    profile = os.environ.get("DNN_PROFILE", "(default: full)")
    print(f"profile: {profile}; executed notebooks go to {OUT.relative_to(ROOT)}/")
    failed = []
    for path in select(args):
        print(f"running {path.name} ...", flush=True)
        ok, seconds = run(path)
        print(f"{'ok    ' if ok else 'FAILED'} {path.name}  {seconds:7.1f} s  ({seconds / 60:.1f} min)", flush=True)
        if not ok:
            failed.append(path.name)
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
