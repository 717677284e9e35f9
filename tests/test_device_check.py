"""No step of `make test` is decided by the machine's speed (the quick device check included)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "device_check.py"


@pytest.fixture
def device_check(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("device_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "RESULTS", tmp_path / "gpu")
    return module


class SlowClock:
    """A clock on which every look advances by ``step`` seconds: a very slow machine."""

    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


class FinishedStep:
    """A step that ends well, whatever timeout it is given; records the timeouts."""

    timeouts: list = []

    def __init__(self, command, **kwargs):
        self.command, self.pid = command, 0

    def wait(self, timeout=None):
        FinishedStep.timeouts.append(timeout)
        return 0


def fake_steps(monkeypatch, module, step_class) -> None:
    """The script's own subprocess module only: its steps become ``step_class``."""
    fake = types.SimpleNamespace(
        Popen=step_class, TimeoutExpired=subprocess.TimeoutExpired
    )
    monkeypatch.setattr(module, "subprocess", fake)


@pytest.mark.parametrize("budget", ["180", "1", "0.001"])
def test_the_quick_check_passes_on_a_slow_clock_whatever_the_budget(
    device_check, monkeypatch, budget
):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    # the script's own clock only (the time module itself stays as it is)
    slow = types.SimpleNamespace(perf_counter=SlowClock(10_000.0))
    monkeypatch.setattr(device_check, "time", slow)
    fake_steps(monkeypatch, device_check, FinishedStep)
    FinishedStep.timeouts = []
    assert device_check.main(["--budget", budget]) == 0
    summary = (device_check.RESULTS / "quick" / "device_check.json").read_text()
    assert '"budget_s": null' in summary
    # bench, 02 and 04 all ran to the end, each with only the hang guard as its limit
    assert summary.count('"status": "ok"') == 3
    assert FinishedStep.timeouts == [device_check.HANG_GUARD_S] * 3


def test_a_quick_step_that_hangs_past_the_guard_still_fails(device_check, monkeypatch):
    class HungStep(FinishedStep):
        def wait(self, timeout=None):
            if timeout is not None:
                raise subprocess.TimeoutExpired(self.command, timeout)
            return -9

    monkeypatch.setenv("DNN_PROFILE", "quick")
    fake_steps(monkeypatch, device_check, HungStep)
    monkeypatch.setattr(device_check.os, "killpg", lambda pid, sig: None)
    assert device_check.main([]) == 1


def test_the_full_check_reports_a_step_out_of_budget_without_failing(
    device_check, monkeypatch
):
    class SlowStep(FinishedStep):
        def wait(self, timeout=None):
            if timeout is not None and timeout < 1000:
                raise subprocess.TimeoutExpired(self.command, timeout)
            return 0 if timeout is None else -9

    monkeypatch.setenv("DNN_PROFILE", "full")
    fake_steps(monkeypatch, device_check, SlowStep)
    monkeypatch.setattr(device_check.os, "killpg", lambda pid, sig: None)
    assert device_check.main(["--budget", "480"]) == 0
    summary = (device_check.RESULTS / "full" / "device_check.json").read_text()
    assert "stopped: out of time" in summary


def test_make_test_runs_no_step_under_a_time_budget():
    """`make -n test` prints every command `make test` would run: none carries a budget or
    a wall-clock limit shorter than the hang guards (nbval's cell timeout of 900 s and more)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    dry = subprocess.run(
        ["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, env=env
    ).stdout
    assert "device_check.py" in dry and "nbval" in dry  # the dry run saw the steps
    assert "--budget" not in dry
    assert not re.search(r"(^|[\s;])timeout\s", dry)
    for limit in re.findall(r"--nbval-cell-timeout=(\d+)", dry):
        assert int(limit) >= 900


CLOCK_VERDICT = re.compile(
    r"assert[^\n]*(monotonic|perf_counter|time\.time)\(\)|"
    r"assert[^\n]*(elapsed|seconds|took)\s*<\s*\d"
)


def test_no_unit_test_asserts_on_the_clock():
    """Speed is measured in benchmarks, never asserted: no test compares a duration with a
    bound (a slower machine must pass too)."""
    this = Path(__file__).name
    found = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path.name != this
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if CLOCK_VERDICT.search(line)
    ]
    assert found == []


def test_the_clock_check_sees_a_race():
    assert CLOCK_VERDICT.search("    assert time.monotonic() - started < 5")
    assert CLOCK_VERDICT.search("assert elapsed < 30, 'too slow'")
    assert not CLOCK_VERDICT.search("assert seconds_left > 0 or True")
