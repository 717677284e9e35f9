"""`make device-check`: what a GPU does with this course, in one short run (8 minutes at most).

1. `make bench` (float32, float16 and bfloat16 on a GPU; the CPU's precisions elsewhere);
2. notebook 02 in the profile given (full on a GPU: the lecture's CNN, timed);
3. then, while time is left, notebook 04 (the lecture's way on a GPU: end-to-end training of the
   head and fine-tuning of block 5, and the feature extraction), and more notebooks after it.

Everything is recorded under results/gpu/ (bench.json, the notebooks' metrics and
device_check.json, a summary with each step's wall time and outcome); the executed notebooks go
to build/device/executed/. The notebooks run with DNN_DEVICE=gpu, so on a CPU
(`DNN_PROFILE=quick make device-check`, which `make test` runs) they take the GPU's branches:
the script is known to work before a GPU is lent.

Usage: python scripts/device_check.py [--budget SECONDS]   (default 480)

The budget applies to the full profile only, where it decides how many notebooks fit, and never
fails the check: a step that runs out of time is reported with the time it had. The quick profile
(in `make test`) runs its steps to completion whatever the budget and the machine's speed; a
guard of an hour per step, far above any machine's normal time, only catches a hang.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results" / "gpu"
EXECUTED = ROOT / "build" / "device" / "executed"
# the quick profile's only limit: a step still running after this long has hung
HANG_GUARD_S = 3600
# in order; each with a rough share of the budget it needs on one GPU in the full profile
NOTEBOOK_STEPS = [
    ("02", 90),
    ("04", 240),
    ("03", 240),
    ("08", 120),
    ("06", 240),
]


def shown(path: Path) -> Path:
    """A path relative to the repository when it is inside it."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def run_step(name: str, command: list[str], seconds_left: float, env: dict) -> dict:
    """Run one step with ``seconds_left`` as its timeout (what is left of the budget in the
    full profile, the hang guard in the quick one)."""
    start = time.perf_counter()
    # its own process group, so that a step out of time is stopped with its kernel
    proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        code = proc.wait(timeout=max(1, seconds_left))
        status = "ok" if code == 0 else f"failed (exit {code})"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        status = f"stopped: out of time after {seconds_left:.0f} s"
    seconds = time.perf_counter() - start
    print(f"device-check: {name}: {status} in {seconds:.0f} s", flush=True)
    return {"step": name, "status": status, "seconds": round(seconds, 1)}


def main(args: list[str]) -> int:
    budget = float(args[args.index("--budget") + 1]) if "--budget" in args else 480.0
    profile = os.environ.get("DNN_PROFILE", "").strip() or "full"
    env = dict(
        os.environ,
        DNN_PROFILE=profile,
        DNN_DEVICE="gpu",
        DNN_RESULTS_DIR=str(RESULTS),
        DNN_SOLUTIONS="0",  # the lessons, not the exercises' worked solutions
        PYTHONUNBUFFERED="1",
    )
    python = sys.executable
    full = profile == "full"
    started = time.perf_counter()
    steps = [
        run_step(
            "bench", [python, "scripts/bench.py"], budget if full else HANG_GUARD_S, env
        )
    ]
    for notebook, needs in NOTEBOOK_STEPS:
        left = budget - (time.perf_counter() - started) if full else HANG_GUARD_S
        if full and left < needs:
            steps.append({"step": f"notebook {notebook}", "status": "skipped: no time"})
            continue
        command = [python, "scripts/run_notebooks.py", "--out", str(EXECUTED), notebook]
        steps.append(run_step(f"notebook {notebook}", command, left, env))
        if not full and notebook == "04":
            break  # the quick check stops after the two notebooks that matter most
    total = time.perf_counter() - started
    summary = {
        "profile": profile,
        "budget_s": budget if full else None,
        "total_s": round(total, 1),
        "steps": steps,
        "recorded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
    }
    out = RESULTS / profile / "device_check.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    allowed = f" of {budget:.0f}" if full else " (no budget in the quick profile)"
    print(f"device-check: {total:.0f} s{allowed}; summary in {shown(out)}")
    # a step that failed fails the check; in the full profile, a step that ran out of the
    # budget is a measurement (reported), in the quick one only a hang stops a step
    bad = ("failed",) if full else ("failed", "stopped")
    failed = [s["step"] for s in steps if s["status"].startswith(bad)]
    if failed:
        print("device-check: failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
