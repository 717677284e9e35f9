"""Record headline metrics to ``results/<profile>/<notebook>.json``.

Every number in the results table comes from here: a notebook calls
:func:`record` with what it just measured; nothing is typed by hand.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import stat
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from .data import REPO_ROOT, DataError, locked, write_atomically
from .environment import run_info
from .profile import get_profile


def results_dir() -> Path:
    """$DNN_RESULTS_DIR, else results/ in the repository (else ./results)."""
    env = os.environ.get("DNN_RESULTS_DIR", "").strip()
    if env:
        return Path(env).expanduser().resolve()
    if (REPO_ROOT / "pyproject.toml").exists():
        return REPO_ROOT / "results"
    return Path.cwd() / "results"


def _plain(value: Any) -> Any:
    """NumPy scalars to Python numbers, so the JSON stays readable."""
    if hasattr(value, "item") and callable(value.item):
        try:
            return value.item()
        except (ValueError, TypeError):
            pass
    return value


def run_folder(profile: str | None = None) -> Path:
    """``results/<profile>/``, or ``results/<profile>/<policy>/`` for a mixed-precision run.

    Runs in float32 and under a mixed policy are kept apart, so that each can be compared with
    the other and neither overwrites the other's figures.
    """
    info = run_info()
    precision = info.precision if info else "float32"
    folder = results_dir() / (profile or get_profile())
    return folder if precision == "float32" else folder / precision


class ResultsError(DataError):
    """The results folder or a results file cannot be written."""


MAX_RESULTS_BYTES = (
    16 << 20
)  # a notebook's results file holds a few dozen metrics (kilobytes)


def _damaged_reason(path: Path) -> str | None:
    """Why the results file at ``path`` cannot be read as one (None when it is fine or absent).

    Reads at most ``MAX_RESULTS_BYTES``; never follows into a pipe or a device.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        try:
            info = path.stat()
        except OSError:
            return "a link that points nowhere"
    if stat.S_ISDIR(info.st_mode):
        return "a folder"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, a socket or a device)"
    if info.st_size > MAX_RESULTS_BYTES:
        return f"{info.st_size:,} bytes, far more than a results file holds"
    try:
        raw = path.read_bytes()
    except OSError as err:
        return f"unreadable ({err.strerror or err})"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8 text"
    except RecursionError:
        return "JSON nested too deeply"
    except ValueError as err:
        return f"not valid JSON, cut short or edited ({err})"
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__}, not an object"
    if not isinstance(data.get("metrics", {}), dict):
        return "its 'metrics' is not an object"
    return None


def _set_aside(path: Path, why: str) -> Path:
    """Rename a damaged results file to ``<name>.damaged-<UTC time>`` beside it, and warn."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists() or aside.is_symlink():
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        n += 1
    os.rename(path, aside)
    warnings.warn(
        f"{path} could not be read ({why}), so it was not overwritten: it is kept as "
        f"{aside.name} beside it, and a new results file is started. Look at it and merge "
        "what you want to keep.",
        stacklevel=3,
    )
    return aside


def check_results_folder(profile: str | None = None) -> Path:
    """Make sure this run's results can be written, before anything trains.

    Creates ``results/<profile>/`` (or the mixed-precision sub-folder) when needed, writes and
    removes a scratch file there, and names every results file in it that could not be read
    (those would be set aside when the notebook records). A read-only folder, a file where the
    folder should be, or a results "file" that is a folder or a pipe is a
    :class:`ResultsError` naming the path, before training instead of after it.
    """
    folder = run_folder(profile)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ResultsError(
            f"{folder} should be the results folder, but a file of that name is there: "
            "move it, or set DNN_RESULTS_DIR to another folder"
        ) from None
    except OSError as err:
        raise ResultsError(
            f"cannot create the results folder {folder}: {err.strerror or err}. Set "
            "DNN_RESULTS_DIR to a folder you can write, before any training is wasted."
        ) from None
    if not folder.is_dir():
        raise ResultsError(
            f"{folder} should be the results folder, but it is not a folder"
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise ResultsError(
            f"the results folder {folder} cannot be written ({err.strerror or err}): this "
            "notebook's figures would be lost after training. Make it writable, or set "
            "DNN_RESULTS_DIR to a folder you can write."
        ) from None
    for path in sorted(folder.glob("*.json")):
        why = _damaged_reason(path)
        if why in ("a folder", "not a regular file (a pipe, a socket or a device)"):
            raise ResultsError(
                f"{path} is {why} where a results file should be: move it away before "
                "running this notebook (its results could not be recorded)"
            )
        if why:
            warnings.warn(
                f"{path} could not be read ({why}): when a notebook records into it, it will "
                "be set aside (renamed, not overwritten) and a new one started.",
                stacklevel=2,
            )
    return folder


def _merge_into(path: Path, notebook: str, name: str, entry: dict) -> None:
    """Read ``path``, add ``entry``, write it back: under the file's lock, never over damage."""
    with locked(path):
        why = _damaged_reason(path)
        data: dict = {"notebook": notebook, "metrics": {}}
        if why in ("a folder", "not a regular file (a pipe, a socket or a device)"):
            raise ResultsError(
                f"cannot record {name}: {path} is {why} where the results file should be. "
                "Move it away and record again."
            )
        if why:
            _set_aside(path, why)
        elif path.exists():
            data = json.loads(path.read_bytes().decode("utf-8"))
        data.setdefault("metrics", {})[name] = entry
        write_atomically(
            path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()
        )


def record(
    notebook: str,
    name: str,
    value: float,
    *,
    unit: str = "",
    dataset: str = "",
    epochs: int | None = None,
    wall_time_s: float | None = None,
    note: str = "",
    **extra: Any,
) -> None:
    """Add (or replace) metric ``name`` in ``results/<profile>/<notebook>.json`` and print it."""
    info = run_info()
    profile = get_profile()
    entry = {
        "name": name,
        "value": _plain(value),
        "unit": unit,
        "profile": profile,
        "dataset": dataset,
        "epochs": epochs,
        "wall_time_s": None if wall_time_s is None else round(float(wall_time_s), 1),
        "device": info.device if info else "unknown (setup_notebook() not called)",
        "precision": info.precision if info else "float32",
        "versions": info.versions if info else {},
        "recorded_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if note:
        entry["note"] = note
    entry.update({k: _plain(v) for k, v in extra.items()})
    path = run_folder(profile) / f"{notebook}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _merge_into(path, notebook, name, entry)
    except OSError as err:
        raise ResultsError(
            f"cannot record {name} into {path}: {err.strerror or err}"
        ) from None
    shown = f"{value:.4g}" if isinstance(_plain(value), float) else str(value)
    tag = "" if profile == "full" else "  [quick profile: stand-in data, not a result]"
    print(f"recorded {name} = {shown}{(' ' + unit) if unit else ''}{tag}")


def recorder(notebook: str, **common: Any):
    """A short form of :func:`record` for a notebook's last cell, one metric per line.

    ``rec = utils.recorder("02_mnist_dense_vs_cnn", dataset="MNIST")`` then
    ``rec("cnn_test_accuracy", 0.993, "fraction", ci=(low, high), n=10_000)``: the unit comes
    third, ``ci=(low, high)`` is stored as ``ci_low`` and ``ci_high``, and every keyword given to
    ``recorder`` (``dataset``, ``epochs``...) is added to each metric unless the call sets it.
    """

    def rec(
        name: str,
        value: Any,
        unit: str = "",
        *,
        ci: tuple[float, float] | None = None,
        **extra: Any,
    ) -> None:
        fields = {**common, **extra}
        unit = unit or fields.pop("unit", "")  # a recorder-wide unit, unless given here
        fields.pop("unit", None)
        if ci is not None:
            fields["ci_low"], fields["ci_high"] = ci
        record(notebook, name, value, unit=unit, **fields)

    return rec


def save_figure(fig: Any, notebook: str, name: str, dpi: int = 80) -> Path:
    """Save a matplotlib figure to ``results/<profile>/figures/<notebook>__<name>.png`` and return the path."""
    path = run_folder() / "figures" / f"{notebook}__{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    import io

    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=dpi, bbox_inches="tight")
    write_atomically(path, png.getvalue())  # a killed run never leaves half a figure
    try:
        shown = path.relative_to(REPO_ROOT)
    except ValueError:
        shown = path
    print(f"saved figure {shown}")
    return path


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: Any) -> None:
        self.seconds = time.perf_counter() - self.start
