"""The data layer: one cache folder, pinned checksums, clear errors offline.

* Files live in ``data/`` at the repository root, or wherever ``DNN_DATA_DIR``
  points. A file already there is used and never downloaded again.
* Downloads go through ``keras.utils.get_file`` with a pinned ``file_hash``,
  into a scratch folder first, so a failed or corrupt download never leaves a
  good-looking file in the cache.
* A file the user placed by hand is accepted when its *content* checks out
  (a validator per dataset), with a warning when its bytes differ from the
  published file.
* No file and no network (or a read-only data folder): one
  :class:`DataUnavailableError` that names the file, where to put it and where
  it comes from. A load that fails creates nothing in the data folder.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .profile import is_quick

REPO_ROOT = Path(__file__).resolve().parent.parent


class DataError(RuntimeError):
    """Base class for data problems the user can fix."""


class DataUnavailableError(DataError):
    """The file is not in the cache and could not be downloaded."""


class ChecksumError(DataError):
    """A downloaded file's checksum does not match the pinned one."""


class DataValidationError(DataError):
    """A file's content is not what the dataset should hold."""


@dataclass(frozen=True)
class RemoteFile:
    """A published file: where it goes in the cache and where it comes from."""

    relpath: str  # path inside the data folder, e.g. "mnist.npz"
    url: str
    file_hash: str  # the pinned digest, in ``hash_algorithm`` (sha256 unless the publisher only pins md5)
    source: str  # who publishes it, and its licence, for the error message
    hash_algorithm: str = "sha256"
    # the largest file accepted, checked from its size before a byte is read (the published
    # file's size with a wide margin): a file padded to gigabytes is refused by name at once
    max_bytes: int | None = None


def data_dir() -> Path:
    """The cache folder: $DNN_DATA_DIR, else data/ in the repository (else ~/dnn-data)."""
    env = os.environ.get("DNN_DATA_DIR", "").strip()
    if env:
        return Path(env).expanduser().resolve()
    if (REPO_ROOT / "pyproject.toml").exists():
        return REPO_ROOT / "data"
    return Path.home() / "dnn-data"


SPECIAL_FILES = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _size(n: int) -> str:
    """A byte count for a message: 3.2 GiB, 58.9 MB, 512 bytes."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,} bytes"


def check_readable_file(
    path: Path, what: str = "file", max_bytes: int | None = None
) -> None:
    """Raise :class:`DataValidationError` unless ``path`` is a regular file we may read.

    Checked from its metadata alone, before anything opens it: a named pipe would make a read
    wait forever, a folder or a device cannot be a dataset, and a file without read permission
    gives an error naming it instead of Python's ``PermissionError``. A symbolic link to a
    regular file is fine (it is read, never written). With ``max_bytes``, a file larger than
    that is refused from its size, before a byte is read (a file padded to gigabytes would
    otherwise be read whole into memory).
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataValidationError(
            f"{path} does not exist (a link that points nowhere?)"
        ) from None
    except OSError as err:
        raise DataValidationError(
            f"{path} cannot be read: {err.strerror or err}"
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise DataValidationError(
            f"{path} is a folder where a {what} should be: put the {what} itself there"
        )
    if not stat.S_ISREG(info.st_mode):
        kind = SPECIAL_FILES.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise DataValidationError(
            f"{path} is {kind}, not a regular {what}: reading it could wait forever or "
            f"return anything. Replace it with the {what} itself."
        )
    if not os.access(path, os.R_OK):
        raise DataValidationError(
            f"{path} cannot be read (permission denied): give yourself read access "
            f"(chmod u+r {path}) or point DNN_DATA_DIR at a copy you can read"
        )
    if max_bytes is not None and info.st_size > max_bytes:
        raise DataValidationError(
            f"{path} is {_size(info.st_size)}, more than the {_size(max_bytes)} a {what} of "
            "this dataset can be (the published one is far smaller): padded, or not the right "
            "file. Nothing was read from it."
        )


def read_limited(path: Path, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, checked before and while reading.

    The size is checked from the file's metadata first; the read itself stops one byte past
    the limit, so a file that grows while it is read cannot exhaust memory either.
    """
    path = Path(path)
    check_readable_file(path, what, max_bytes)
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as err:
        raise DataValidationError(
            f"{path} cannot be read: {err.strerror or err}"
        ) from None
    if len(data) > max_bytes:
        raise DataValidationError(
            f"{path} grew past {_size(max_bytes)} while it was read: not the right file"
        )
    return data


PARTIAL_PREFIX = ".partial-"
STALE_AFTER_S = (
    24 * 3600
)  # a scratch file or folder of ours left this long is stale anyway


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but another user's
        return True
    return True


def scratch_is_stale(path: Path, pid: int | None) -> bool:
    """A scratch file or folder we made is stale when the process that made it has died (its
    pid is in its name) or, without a pid, when nothing has changed it for a day."""
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    if pid is not None and pid != os.getpid() and not _pid_alive(pid):
        return True
    return age > STALE_AFTER_S


def remove_stale_partials(target: Path) -> list[Path]:
    """Remove ``.partial-<target name>-*`` files beside ``target`` that a killed process left.

    Only our own names are touched (the prefix, the target's name, then the writer's pid), only
    regular files (never a link or a folder), and only stale ones (:func:`scratch_is_stale`).
    Returns what was removed.
    """
    target = Path(target)
    pattern = re.compile(
        re.escape(f"{PARTIAL_PREFIX}{target.name}-") + r"(?:(\d+)-)?[A-Za-z0-9_]+$"
    )
    removed = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        m = pattern.match(name)
        if not m:
            continue
        path = target.parent / name
        try:
            if not stat.S_ISREG(path.lstat().st_mode):
                continue
        except OSError:
            continue
        if scratch_is_stale(path, int(m.group(1)) if m.group(1) else None):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold an exclusive lock (``fcntl.flock``) on ``.<name>.lock`` beside ``target``.

    Every reader-and-writer of ``target`` that takes this lock sees the others' writes: a
    read-modify-write under it never loses another process's change. The lock file is empty
    and stays (removing it would race with a process waiting on it).
    """
    import fcntl

    target = Path(target)
    lock_path = target.parent / f".{target.name}.lock"
    fd = os.open(
        lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
    )
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a new temporary file beside it, then rename.

    The temporary file is created with O_EXCL (``tempfile.mkstemp``) under a random name (with
    the writer's pid, so that one a killed process left is recognised and removed by the next
    write: :func:`remove_stale_partials`), so a file or link planted where we write is never
    opened or followed; the rename replaces ``target`` itself (a link there is replaced, not
    written through). The new file keeps the permissions of the file it replaces (a new one
    gets the usual ones, 0666 less the umask), not ``mkstemp``'s owner-only 0600.
    """
    target = Path(target)
    remove_stale_partials(target)
    try:
        old = target.lstat()
        mode = (
            stat.S_IMODE(old.st_mode)
            if stat.S_ISREG(old.st_mode)
            else 0o666 & ~_current_umask()
        )
    except OSError:
        mode = 0o666 & ~_current_umask()
    fd, tmp = tempfile.mkstemp(
        prefix=f"{PARTIAL_PREFIX}{target.name}-{os.getpid()}-", dir=target.parent
    )
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_digest(path: Path, chunk: int = 1 << 20, algorithm: str = "sha256") -> str:
    """Hex digest (sha256 unless told) of a file's bytes."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def missing_message(remote: RemoteFile, reason: str = "") -> str:
    target = data_dir() / remote.relpath
    msg = (
        f"Data file not found: {remote.relpath}\n"
        f"  Put it here:        {target}\n"
        f"  It comes from:      {remote.url}\n"
        f"  Published by:       {remote.source}\n"
        f"  Expected {remote.hash_algorithm + ':':<11}{remote.file_hash}\n"
        "  Or point DNN_DATA_DIR at a folder that already holds it, "
        "or use DNN_PROFILE=quick (offline stand-in data)."
    )
    if reason:
        msg += f"\n  Download failed:    {reason}"
    return msg


def fetch(remote: RemoteFile, validate: Callable[[Path], None] | None = None) -> Path:
    """Return the local path of ``remote``, downloading it once if needed.

    ``validate(path)`` raises :class:`DataValidationError` when a file's content
    is wrong; it is used to accept a hand-placed file whose bytes differ.
    """
    target = data_dir() / remote.relpath
    remove_stale_partials(
        target
    )  # what a download killed while copying into place left
    if target.exists():
        # a pipe, a folder, an unreadable file or one padded to gigabytes: named, before reading
        check_readable_file(target, max_bytes=remote.max_bytes)
        if file_digest(target, algorithm=remote.hash_algorithm) == remote.file_hash:
            return target
        if validate is None:
            raise ChecksumError(
                f"{target} is not the published file ({remote.hash_algorithm} differs from {remote.file_hash}).\n"
                f"Delete it to download it again from {remote.url}."
            )
        try:
            validate(target)
        except DataValidationError as err:
            raise DataValidationError(
                f"{target} was placed by hand but its content is wrong: {err}\n"
                f"Replace it with the file from {remote.url} ({remote.hash_algorithm} {remote.file_hash})."
            ) from None
        warnings.warn(
            f"{target}: bytes differ from the published file, but its content checks out; using it.",
            stacklevel=2,
        )
        return target
    if is_quick():
        raise DataUnavailableError(
            "The quick profile never downloads; this loader should have used stand-in data.\n"
            + missing_message(remote)
        )
    folder = next(
        (p for p in (target.parent, *target.parent.parents) if p.exists()), None
    )
    if folder is not None and not os.access(folder, os.W_OK):
        raise DataUnavailableError(
            missing_message(
                remote, reason=f"{folder} is read-only, so nothing can be saved there"
            )
        )
    return _download(remote, target, validate)


def _download(
    remote: RemoteFile, target: Path, validate: Callable[[Path], None] | None
) -> Path:
    """Download into a scratch folder outside the data folder; move into place only when it checks out.

    A load that fails leaves the data folder as it was: no folder created, no
    partial file, and a read-only folder gets the same "put FILE in DIR" message
    as a missing network.
    """
    import keras

    scratch = Path(tempfile.mkdtemp(prefix="dnn-download-"))
    try:
        try:
            got = keras.utils.get_file(
                fname=target.name,
                origin=remote.url,
                file_hash=remote.file_hash,
                hash_algorithm=remote.hash_algorithm,
                cache_dir=str(scratch),
                cache_subdir=".",
            )
        except ValueError as err:  # keras: "Incomplete or corrupted file detected"
            raise ChecksumError(
                f"Downloaded {remote.url} but its {remote.hash_algorithm} does not match {remote.file_hash}; "
                f"nothing was saved to {target}. ({err})"
            ) from None
        except Exception as err:  # no network, HTTP error, DNS failure...
            raise DataUnavailableError(
                missing_message(remote, reason=str(err).strip() or type(err).__name__)
            ) from None
        got = Path(got)
        if (
            file_digest(got, algorithm=remote.hash_algorithm) != remote.file_hash
        ):  # belt and braces: never cache a bad file
            raise ChecksumError(
                f"Downloaded {remote.url} but its {remote.hash_algorithm} does not match {remote.file_hash}; "
                f"nothing was saved to {target}."
            )
        if validate is not None:
            validate(got)
        _move_into_place(got, target, remote)
        return target
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _move_into_place(got: Path, target: Path, remote: RemoteFile) -> None:
    """Copy a checked download into a new temporary file beside ``target``, then rename it.

    The temporary file gets a random name and is created exclusively (``tempfile.mkstemp``),
    so nothing planted in the data folder is followed; the rename is atomic on one file system.
    Folders this call had to create are removed again if the write fails (a full disk, say):
    a failed load leaves the data folder as it found it.
    """
    created = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f"{PARTIAL_PREFIX}{target.name}-{os.getpid()}-", dir=target.parent
        )
        os.fchmod(fd, 0o666 & ~_current_umask())
        with os.fdopen(fd, "wb") as out, open(got, "rb") as src:
            shutil.copyfileobj(src, out)
        os.replace(tmp, target)
    except OSError as err:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        for folder in created:  # innermost first
            try:
                folder.rmdir()
            except OSError:
                break
        raise DataUnavailableError(
            missing_message(
                remote, reason=f"downloaded, but cannot write to {target.parent}: {err}"
            )
        ) from None


def decode_utf8(raw: bytes, message: Callable[[int, int], str]) -> str:
    """``raw`` as UTF-8 text, or a DataValidationError saying ``message(byte, line)`` of the
    first byte that is not UTF-8 (its value and its line, counted from 1)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataValidationError(message(raw[err.start], line)) from None


def csv_text(raw: bytes, path: Path) -> str:
    """The text of a CSV file's bytes: UTF-8 (with or without a byte-order mark), any line ends.

    * UTF-16 or UTF-32 (a byte-order mark, or zero bytes between the characters): named as
      such, with how to save it as UTF-8, instead of being called truncated or garbage;
    * classic-Mac line ends (``\\r`` alone) and Windows ones (``\\r\\n``) become ``\\n``;
    * a file whose last row has no line end is read as it stands: the row checks below still
      catch a row cut short, and a last row with every column is kept (with a warning);
    * other bytes that are not UTF-8 (Excel's plain "CSV" writes Windows-1252): an error
      naming the byte and its line.
    """
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if raw.startswith(bom):
            break
    else:
        name = "UTF-16" if raw[:4096].count(b"\x00") > len(raw[:4096]) // 4 else None
    if name:
        raise DataValidationError(
            f"{path} is {name} text, not UTF-8: save it again as 'CSV UTF-8' (in a text "
            f"editor: encoding UTF-8), or use the published file"
        )
    body = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    if not body.strip():
        raise DataValidationError(
            f"{path} is empty" + (" (only a byte-order mark)" if body != raw else "")
        )
    if b"\x00" in body:
        line = body[: body.index(b"\x00")].count(b"\n") + 1
        raise DataValidationError(
            f"{path} holds zero bytes (first on line {line}): not a text file, or padded"
        )
    text = decode_utf8(
        body,
        lambda byte, line: (
            f"{path} is not UTF-8 text: byte 0x{byte:02x} on line {line} "
            "(Excel's plain 'CSV' format writes Windows-1252). Save it again as "
            "'CSV UTF-8', or use the published file."
        ),
    )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        header = text.split("\n", 1)[0]
        last = text.rsplit("\n", 1)[-1]
        try:
            fields = next(csv.reader([header])), next(csv.reader([last]))
        except (csv.Error, StopIteration):
            fields = ([], [])
        if len(fields[1]) < len(fields[0]):
            raise DataValidationError(
                f"{path} ends in the middle of a row (its last line has {len(fields[1])} of "
                f"{len(fields[0])} fields): the file looks truncated"
            )
        warnings.warn(
            f"{path} does not end with a line end; its last row has every column and is "
            f"read as it stands (if the file was cut short, its last value may be cut too: "
            f"{last[-40:]!r})",
            stacklevel=3,
        )
        text += "\n"
    return text


def check_csv_width(text: str, path: Path, max_columns: int) -> None:
    """Refuse a CSV whose header names more than ``max_columns`` columns, before pandas parses
    it: a header of hundreds of thousands of columns makes ``read_csv`` work for many minutes."""
    header = text.split("\n", 1)[0]
    if header.count(",") + 1 <= max_columns:
        return
    try:
        columns = len(next(csv.reader([header])))
    except (csv.Error, StopIteration):
        columns = header.count(",") + 1
    if columns > max_columns:
        raise DataValidationError(
            f"{path} has {columns:,} columns in its header, more than the {max_columns:,} this "
            "dataset could have: not the right file (or not a comma-separated one)"
        )
