"""`.ci/run` runs `make setup` then `make test`, and fails when either fails."""

import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_ci_with_fake_make(tmp_path, failing_target: str | None):
    fake = tmp_path / "bin" / "make"
    fake.parent.mkdir()
    log = tmp_path / "calls.txt"
    fake.write_text(
        f'#!/bin/sh\necho "$@" >> {log}\n[ "$1" = "{failing_target}" ] && exit 2\nexit 0\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True
    )
    calls = log.read_text().split() if log.exists() else []
    return proc.returncode, calls


def test_runs_setup_then_test(tmp_path):
    code, calls = run_ci_with_fake_make(tmp_path, None)
    assert code == 0 and calls == ["setup", "test"]


def test_failing_tests_fail_ci(tmp_path):
    code, calls = run_ci_with_fake_make(tmp_path, "test")
    assert code != 0 and calls == ["setup", "test"]


def test_failing_setup_stops_ci(tmp_path):
    code, calls = run_ci_with_fake_make(tmp_path, "setup")
    assert code != 0 and calls == ["setup"]
