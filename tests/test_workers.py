"""Notebook 09's worker processes (utils.workers): a private network with loopback only, no
process or folder outliving the notebook, fast and clear failures with their real exit codes.

Every test talks to nothing but loopback; the socket checks only read /proc (and `ss`)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from utils import workers
from utils.workers import LocalCluster, WorkerFailed

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="namespaces and /proc: Linux"
)

# the smallest MultiWorkerMirroredStrategy worker: one all-reduce, then it waits for a file
MWMS_WORKER = """
import os, sys, time
import tensorflow as tf
strategy = tf.distribute.MultiWorkerMirroredStrategy()
total = strategy.reduce("SUM", strategy.run(lambda: tf.constant(1.0)), axis=None)
print("all-reduced", float(total), flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
print("done", flush=True)
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_pair(cluster: LocalCluster, ports: list[int], release: Path) -> list:
    program = cluster.folder / "mwms.py"
    program.write_text(MWMS_WORKER)
    spec = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    procs = []
    for index in range(2):
        task = {"cluster": spec, "task": {"type": "worker", "index": index}}
        env = dict(os.environ, TF_CONFIG=json.dumps(task), CUDA_VISIBLE_DEVICES="")
        env.update(TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
        log = cluster.folder / f"w{index}.log"
        command = [sys.executable, program, release]
        procs.append(cluster.start(command, env=env, log=log, port=ports[index]))
    return procs


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)


def test_tensorflow_workers_listen_on_no_interface_of_the_machine():
    """Two real MultiWorkerMirroredStrategy workers, all-reduced once and still running:
    their gRPC servers listen on 0.0.0.0 inside their own namespace, which has only `lo`,
    and nothing of theirs listens on the machine's network (as /proc and `ss -ltn` see it)."""
    cluster = LocalCluster("dnn-test-workers-", quiet=True)
    try:
        assert cluster.isolated, cluster.why_not  # we are root in this sandbox
        ports = [free_port(), free_port()]
        release = cluster.folder / "release"
        procs = start_pair(cluster, ports, release)
        wait_for(
            lambda: (
                all("all-reduced 2.0" in p.log.read_text() for p in procs)
                or any(p.poll() is not None for p in procs)
            ),
            1800,  # a hang guard: the wait ends as soon as both have all-reduced
            "both workers all-reduced",
        )
        assert all(p.poll() is None for p in procs), [p.log.read_text() for p in procs]
        for p in procs:
            inside = [s for s in workers.listening_sockets(p.pid) if s[1] in ports]
            assert inside and {port for _, port in inside} <= set(ports), inside
            assert workers.interfaces(p.pid) == ["lo"]
        on_machine = [s for s in workers.listening_sockets() if s[1] in ports]
        assert on_machine == [], on_machine
        if shutil.which("ss"):
            table = subprocess.run(
                ["ss", "-ltnH"], capture_output=True, text=True
            ).stdout
            local = [line.split()[3] for line in table.splitlines() if line.strip()]
            assert not [a for a in local if a.rsplit(":", 1)[-1] in map(str, ports)]
        release.write_text("")
        assert cluster.wait(procs, timeout=900) == [0, 0]
    finally:
        cluster.close()


def test_the_fallback_says_so_before_any_worker_starts(monkeypatch, capsys):
    monkeypatch.setenv("DNN_WORKERS_NO_NETNS", "1")
    cluster = LocalCluster("dnn-test-workers-")
    try:
        assert not cluster.isolated
        said = capsys.readouterr().out
        assert "WARNING" in said and "EVERY network interface" in said
        assert "DNN_WORKERS_NO_NETNS" in said
        p = cluster.start([sys.executable, "-c", "pass"], log=cluster.folder / "x.log")
        assert cluster.wait([p], timeout=600) == [0]
    finally:
        cluster.close()


def test_workers_and_scratch_die_with_the_notebook(tmp_path):
    """The process that made the cluster is killed (SIGKILL, nothing runs in it any more):
    its workers and the network's keeper end, and the scratch folder is removed."""
    parent = tmp_path / "parent.py"
    parent.write_text(
        textwrap.dedent(
            f"""
            import json, sys, time
            sys.path.insert(0, {str(ROOT)!r})
            from utils.workers import LocalCluster
            c = LocalCluster("dnn-test-workers-", quiet=True)
            sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
            ps = [c.start(sleeper, log=c.folder / f"s{{k}}.log") for k in range(2)]
            print(json.dumps(dict(pids=[p.pid for p in ps], keeper=c.keeper_pid,
                                  folder=str(c.folder))), flush=True)
            time.sleep(600)
            """
        )
    )
    proc = subprocess.Popen(
        [sys.executable, "-I", parent], stdout=subprocess.PIPE, text=True
    )
    info = json.loads(proc.stdout.readline())
    assert Path(info["folder"]).is_dir()
    assert all(workers.running(p) for p in info["pids"])
    proc.kill()
    proc.wait()
    wait_for(
        lambda: not any(workers.running(p) for p in info["pids"] + [info["keeper"]]),
        300,
        "the workers and the keeper ended",
    )
    wait_for(lambda: not Path(info["folder"]).exists(), 300, "the folder removed")


def test_a_port_taken_fails_fast_with_the_workers_own_error_and_the_port():
    """Another process listens on worker 0's port: the wait ends in seconds (not after the
    timeout), naming the port and quoting the worker's own error; exit codes are real."""
    cluster = LocalCluster("dnn-test-workers-", quiet=True)
    try:
        taken, other = free_port(), free_port()
        squatter = cluster.start(
            [
                sys.executable,
                "-c",
                "import socket, time; s = socket.socket(); "
                f"s.bind(('127.0.0.1', {taken})); s.listen(); print('up', flush=True); "
                "time.sleep(600)",
            ],
            log=cluster.folder / "squatter.log",
        )
        wait_for(lambda: "up" in squatter.log.read_text(), 600, "the squatter listens")
        procs = start_pair(cluster, [taken, other], cluster.folder / "release")
        # fails fast: the wait ends on the worker's own failure (WorkerFailed naming the port),
        # not at its timeout (which would say "out of time"); no clock decides this test
        with pytest.raises(WorkerFailed) as failed:
            cluster.wait(procs, timeout=1800)
        assert "out of time" not in str(failed.value)
        message = str(failed.value)
        assert f"port {taken}" in message and "exited with code 1" in message, message
        assert "rror" in message.split(f"port {taken}")[1], message
        assert procs[0].returncode == 1
    finally:
        cluster.close()


def test_exit_codes_are_kept_and_a_failure_stops_the_other_at_once():
    cluster = LocalCluster("dnn-test-workers-", quiet=True)
    try:
        code = "import sys; print('ValueError: bad input', flush=True); sys.exit(3)"
        fails = cluster.start(
            [sys.executable, "-c", code], log=cluster.folder / "a.log"
        )
        sleeps = cluster.start(
            [sys.executable, "-c", "import time; time.sleep(600)"],
            log=cluster.folder / "b.log",
            port=1234,
        )
        with pytest.raises(WorkerFailed, match="worker 0 .* exited with code 3: Val"):
            cluster.wait([fails, sleeps], timeout=600)
        # stopped at once: killed (-9) rather than left to end its sleep, and no clock decides
        assert (fails.returncode, sleeps.returncode) == (3, -signal.SIGKILL)
        # expected failures: the codes come back as they are
        fails2 = cluster.start(
            [sys.executable, "-c", code], log=cluster.folder / "c.log"
        )
        ok = cluster.start([sys.executable, "-c", "pass"], log=cluster.folder / "d.log")
        assert cluster.wait([fails2, ok], timeout=600, expect_failure=True) == [3, 0]
    finally:
        cluster.close()


def test_out_of_time_stops_the_workers_and_says_so():
    cluster = LocalCluster("dnn-test-workers-", quiet=True)
    try:
        slow = cluster.start(
            [
                sys.executable,
                "-c",
                "print('still going', flush=True); import time; time.sleep(600)",
            ],
            log=cluster.folder / "slow.log",
        )
        with pytest.raises(WorkerFailed, match="out of time after 1 s.*still going"):
            cluster.wait([slow], timeout=1)
        assert slow.returncode == -signal.SIGKILL
    finally:
        cluster.close()
    assert not workers.running(slow.pid)
    assert not cluster.folder.exists()


def test_sockets_are_read_from_proc_in_both_families(tmp_path):
    """The /proc/net reader against sockets this test opens on loopback itself."""
    import socket

    with socket.socket() as s4, socket.socket(socket.AF_INET6) as s6:
        s4.bind(("127.0.0.1", 0))
        s4.listen()
        s6.bind(("::1", 0))
        s6.listen()
        seen = workers.listening_sockets()
        assert ("127.0.0.1", s4.getsockname()[1]) in seen
        assert ("::1", s6.getsockname()[1]) in seen
