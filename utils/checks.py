"""In-notebook checks of exact figures (parameter counts, shapes, counts).

Each check prints what it verified when it passes and raises
:class:`CheckFailed` (an ``AssertionError``) when it does not, so a headless
run (``pytest --nbval-lax``) fails on a wrong figure.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np


class CheckFailed(AssertionError):
    """A figure in a notebook is not what the lecture (or the maths) says."""


def _fmt(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, tuple):
        return (
            "("
            + ", ".join(
                "None"
                if v is None
                else str(int(v))
                if isinstance(v, (int, np.integer))
                else str(v)
                for v in value
            )
            + ")"
        )
    return str(value)


def check_equal(what: str, actual: Any, expected: Any, note: str = "") -> Any:
    """Assert ``actual == expected``; print ``OK what: value (note)``."""
    a = tuple(actual) if isinstance(actual, (list, tuple)) else actual
    e = tuple(expected) if isinstance(expected, (list, tuple)) else expected
    if isinstance(a, np.ndarray) or isinstance(e, np.ndarray):
        same = np.array_equal(np.asarray(a), np.asarray(e))
    else:
        same = a == e
    if not same:
        raise CheckFailed(
            f"{what}: got {_fmt(a)}, expected {_fmt(e)}"
            + (f" ({note})" if note else "")
        )
    print(f"OK  {what}: {_fmt(a)}" + (f" ({note})" if note else ""))
    return actual


def check_close(
    what: str, actual: Any, expected: Any, atol: float = 1e-6, note: str = ""
) -> float:
    """Assert two arrays or numbers agree to ``atol``; print the largest difference."""
    a = np.asarray(actual, dtype="float64")
    e = np.asarray(expected, dtype="float64")
    if a.shape != e.shape:
        raise CheckFailed(f"{what}: shapes differ, {a.shape} vs {e.shape}")
    diff = float(np.max(np.abs(a - e))) if a.size else 0.0
    if not diff <= atol:
        raise CheckFailed(
            f"{what}: largest difference {diff:.3g} exceeds {atol:g}"
            + (f" ({note})" if note else "")
        )
    print(
        f"OK  {what}: largest difference {diff:.2g} <= {atol:g}"
        + (f" ({note})" if note else "")
    )
    return diff


def check_true(what: str, condition: bool, detail: str = "") -> None:
    """Assert a condition that has no single expected value (e.g. an ordering)."""
    if not bool(condition):
        raise CheckFailed(f"{what}: not true" + (f" ({detail})" if detail else ""))
    print(f"OK  {what}" + (f" ({detail})" if detail else ""))


def count_params(weights: Iterable[Any]) -> int:
    """Number of scalars in a list of weight variables."""
    return int(sum(int(np.prod(w.shape)) for w in weights))


def check_params(
    model: Any,
    expected: int,
    what: str | None = None,
    note: str = "as in the lecture",
    trainable_only: bool = False,
) -> int:
    """Check a model's (or layer's) parameter count."""
    weights = model.trainable_weights if trainable_only else model.weights
    n = count_params(weights)
    kind = "trainable parameters" if trainable_only else "parameters"
    label = what or f"{getattr(model, 'name', 'model')} {kind}"
    return check_equal(label, n, expected, note)


def check_shape(
    what: str, shape: Iterable[Any], expected: Iterable[Any], note: str = ""
) -> tuple:
    """Check a shape exactly; write an open batch dimension as ``None`` in ``expected``."""
    return check_equal(what, tuple(shape), tuple(expected), note)
