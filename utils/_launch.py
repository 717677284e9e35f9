"""The small launcher behind :mod:`utils.workers` (standard library only, run as a script).

``keep PARENT_PID SCRATCH``
    Make a private network namespace (only a loopback interface, brought up), print one
    line (``isolated``, or ``shared: <why>`` when the kernel refuses), then wait until the
    notebook closes our stdin or dies; then remove SCRATCH. The notebook's worker
    processes join this namespace, so their servers are reachable from nowhere else.
``join KEEPER_PID PARENT_PID -- COMMAND...``
    Ask for SIGKILL when the parent dies, join the keeper's namespaces (when it has its
    own), then become COMMAND (``execv``: same process id, so the parent's ``Popen``
    sees the command's own exit code).

Run with ``python -I``: it must not import the ``utils`` package (nor TensorFlow).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import signal
import socket
import struct
import sys

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
PR_SET_PDEATHSIG = 1
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1

_libc = ctypes.CDLL(None, use_errno=True)


def _call(name: str, *args: int) -> None:
    if getattr(_libc, name)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")


def die_with_parent(parent: int) -> None:
    """SIGKILL when the parent process dies (kept across execve); gone already: exit."""
    _call("prctl", PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(137)


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


def private_network() -> str:
    """Unshare the network (as root), else a user namespace with it; '' or why not."""
    if os.environ.get("DNN_WORKERS_NO_NETNS"):  # tests: the fallback when refused
        return "refused (DNN_WORKERS_NO_NETNS is set)"
    reasons = []
    try:
        _call("unshare", CLONE_NEWNET)
    except OSError as e:
        reasons.append(f"network namespace: {e}")
        uid, gid = os.getuid(), os.getgid()
        try:
            _call("unshare", CLONE_NEWUSER | CLONE_NEWNET)
            for name, text in (
                ("setgroups", "deny"),
                ("uid_map", f"0 {uid} 1"),
                ("gid_map", f"0 {gid} 1"),
            ):
                with open(f"/proc/self/{name}", "w") as f:
                    f.write(text)
        except OSError as e2:
            reasons.append(f"user namespace: {e2}")
            return "; ".join(reasons)
    try:
        loopback_up()
    except OSError as e:
        return f"loopback in the new namespace: {e}"
    return ""


def keep(parent: int, scratch: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a notebook interrupt is not ours
    why = private_network()
    print("isolated" if not why else f"shared: {why}", flush=True)
    try:
        while sys.stdin.buffer.read(1 << 16):  # until the notebook closes it or dies
            pass
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def join(keeper: int, parent: int, command: list[str]) -> None:
    die_with_parent(parent)
    mine, theirs = (
        os.readlink("/proc/self/ns/net"),
        os.readlink(f"/proc/{keeper}/ns/net"),
    )
    if mine != theirs:
        # a user namespace of its own (not root): join it first, then its network
        if os.readlink("/proc/self/ns/user") != os.readlink(f"/proc/{keeper}/ns/user"):
            fd = os.open(f"/proc/{keeper}/ns/user", os.O_RDONLY)
            _call("setns", fd, CLONE_NEWUSER)
            os.close(fd)
        fd = os.open(f"/proc/{keeper}/ns/net", os.O_RDONLY)
        _call("setns", fd, CLONE_NEWNET)
        os.close(fd)
    os.execv(command[0], command)


if __name__ == "__main__":
    if sys.argv[1] == "keep":
        keep(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "join":
        join(int(sys.argv[2]), int(sys.argv[3]), sys.argv[sys.argv.index("--") + 1 :])
    else:
        sys.exit(f"unknown action {sys.argv[1]!r}")
