"""Record headline metrics to ``results/<profile>/<notebook>.json``.

Every number in the results table comes from here: a notebook calls
:func:`record` with what it just measured; nothing is typed by hand.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import time
from pathlib import Path
from typing import Any

from .data import REPO_ROOT, write_atomically
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
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"notebook": notebook, "metrics": {}}
    if path.exists():
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError:
            pass
    data.setdefault("metrics", {})[name] = entry
    write_atomically(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
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
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
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
