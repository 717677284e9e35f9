"""Worker processes for notebook 09: a private network, a scratch folder, and clean ends.

TensorFlow's gRPC server binds ``0.0.0.0:PORT`` whatever host ``TF_CONFIG`` names (its
``grpc_server_lib.cc`` builds the listening address from the port alone, and serves it
without authentication). So that the workers cannot be reached from the network, they are
started inside a network namespace of their own, which has a loopback interface and
nothing else (see ``_launch.py``). Where the kernel refuses one (a container without the
right), :class:`LocalCluster` says so plainly before any worker starts, and they run on the
machine's own network.

Every process started here gets SIGKILL when the notebook's process dies, and the scratch
folder is removed when the notebook closes the cluster or dies.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_LAUNCH = Path(__file__).with_name("_launch.py")


class WorkerFailed(RuntimeError):
    """A worker process ended with an error (its own message and port are in the text)."""


def _tail(path: Path | None, lines: int = 3) -> str:
    if path is None or not path.exists():
        return "(no log)"
    text = path.read_text(errors="replace").splitlines()
    errors = [line for line in text if "rror" in line or "Exception" in line]
    chosen = errors[-lines:] if errors else text[-lines:]
    return " | ".join(line.strip()[:300] for line in chosen) or "(empty log)"


def listening_sockets(pid: int | str = "self") -> list[tuple[str, int]]:
    """The TCP sockets in LISTEN state in the network namespace of process ``pid``, as
    (address, port), read from ``/proc/<pid>/net/tcp`` and ``tcp6`` (what ``ss -ltn``
    shows there). Nothing is sent anywhere."""
    found = []
    for name in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{name}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A":  # 0A: LISTEN
                continue
            address, port = fields[1].split(":")
            raw = bytes.fromhex(address)
            if name == "tcp":
                host = ".".join(str(b) for b in raw[::-1])
            else:  # four 32-bit words, each little-endian
                words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
                import ipaddress

                host = str(ipaddress.IPv6Address(b"".join(words)))
            found.append((host, int(port, 16)))
    return found


def interfaces(pid: int | str = "self") -> list[str]:
    """The network interfaces the process ``pid`` sees (``/proc/<pid>/net/dev``)."""
    lines = Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]
    return sorted(line.split(":")[0].strip() for line in lines)


def running(pid: int) -> bool:
    """True while a process with this id exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def processes_mentioning(text: str | Path) -> list[int]:
    """Ids of the running processes whose command line contains ``text`` (e.g. a folder)."""
    needle = str(text).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "cmdline").read_bytes() and running(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


class LocalCluster:
    """Processes on this machine, in a private network when the kernel allows one.

    ``cluster = LocalCluster("dnn-09-")`` makes a scratch folder (``cluster.folder``) and
    the network; ``cluster.start(...)`` starts a process in it; ``cluster.wait(...)``
    waits for workers; ``cluster.close()`` stops everything and removes the folder.
    """

    def __init__(self, prefix: str = "dnn-workers-", *, quiet: bool = False) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=prefix))
        self.started: list[subprocess.Popen] = []
        self._keeper = subprocess.Popen(
            [
                sys.executable,
                "-I",
                str(_LAUNCH),
                "keep",
                str(os.getpid()),
                str(self.folder),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a kill of the kernel's process group spares it
        )
        self.started.append(self._keeper)
        answer = (self._keeper.stdout.readline() or "shared: the launcher died").strip()
        self.isolated = answer == "isolated"
        self.why_not = "" if self.isolated else answer.removeprefix("shared: ")
        atexit.register(self.close)
        if quiet:
            return
        if self.isolated:
            print(
                "The workers get a private network: only a loopback interface, reachable "
                "from no other process or machine."
            )
        else:
            print(
                "WARNING: no private network for the workers here "
                f"({self.why_not}).\nTheir gRPC servers will listen on EVERY network "
                "interface of this machine (0.0.0.0:PORT), without authentication, while "
                "they run. On a shared network, stop here, or run this notebook where the "
                "kernel allows network namespaces (or behind a firewall)."
            )

    def start(
        self,
        command: list[str],
        *,
        env: dict | None = None,
        log: Path,
        port: int | None = None,
    ) -> subprocess.Popen:
        """Start ``command`` in the cluster's network, its output to ``log``; it is killed
        if the notebook's process dies. ``port``: the one it serves on, for messages."""
        if self._keeper.poll() is not None:
            raise RuntimeError("the cluster is closed")
        launcher = [sys.executable, "-I", str(_LAUNCH), "join"]
        launcher += [str(self._keeper.pid), str(os.getpid()), "--"]
        with open(log, "w") as out:
            process = subprocess.Popen(
                launcher + [str(c) for c in command],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        process.log, process.port = Path(log), port
        self.started.append(process)
        return process

    def wait(
        self,
        processes: list[subprocess.Popen],
        timeout: float,
        *,
        expect_failure: bool = False,
        grace: float = 120.0,
    ) -> list[int]:
        """Each process's own exit code. When one fails, the others get ``grace`` seconds
        to end (or none, unless ``expect_failure``), then are stopped; an unexpected failure
        raises :class:`WorkerFailed` with its code, port and last error line. A process
        still running after ``timeout`` seconds is stopped, and that raises too."""
        deadline = time.monotonic() + timeout
        failed_at = None
        try:
            while any(p.poll() is None for p in processes):
                now = time.monotonic()
                if failed_at is None and any(
                    p.poll() not in (None, 0) for p in processes
                ):
                    failed_at = now
                if failed_at is not None and (
                    not expect_failure or now > failed_at + grace
                ):
                    break
                if now > deadline:
                    break
                time.sleep(0.05)
        finally:
            stopped = [p for p in processes if p.poll() is None]
            for p in stopped:
                p.kill()
                p.wait()
        codes = [p.returncode for p in processes]
        failures = [
            f"worker {k} (port {p.port}) exited with code {p.returncode}: {_tail(p.log)}"
            for k, p in enumerate(processes)
            if p.returncode != 0 and p not in stopped
        ]
        if stopped and failed_at is None:
            names = ", ".join(f"worker {processes.index(p)}" for p in stopped)
            raise WorkerFailed(
                f"out of time after {timeout:.0f} s: {names} stopped (exit codes {codes}); "
                + "; ".join(
                    f"worker {k} said: {_tail(p.log)}" for k, p in enumerate(processes)
                )
            )
        if failures and not expect_failure:
            raise WorkerFailed("; ".join(failures) + f" (exit codes {codes})")
        return codes

    @property
    def keeper_pid(self) -> int:
        """The process that holds the private network and removes the scratch folder."""
        return self._keeper.pid

    def stop(self) -> None:
        """Stop every process started here that still runs (not the keeper); reap them all."""
        for p in self.started[1:]:
            if p.poll() is None:
                p.kill()
            p.wait()

    def close(self) -> None:
        """Stop every process still running, end the network, remove the scratch folder."""
        self.stop()
        if self._keeper.poll() is None:
            self._keeper.stdin.close()  # the keeper removes the folder and ends
            try:
                self._keeper.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._keeper.kill()
                self._keeper.wait()
        self._keeper.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)
