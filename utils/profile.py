"""Run profiles: one environment variable decides how big a run is.

``DNN_PROFILE=full`` (the default) uses the lecture's data sizes and epochs;
``DNN_PROFILE=quick`` uses small offline stand-in data and few epochs, so a
notebook runs in seconds to minutes on a laptop or in CI. ``CI=true`` implies
``quick`` unless ``DNN_PROFILE`` says otherwise.
"""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")

PROFILES = ("full", "quick")


class ProfileError(ValueError):
    """Raised when DNN_PROFILE holds something other than 'full' or 'quick'."""


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def get_profile() -> str:
    """Return the active profile, 'full' or 'quick', read from the environment."""
    raw = os.environ.get("DNN_PROFILE", "").strip().lower()
    if raw:
        if raw not in PROFILES:
            raise ProfileError(
                f"DNN_PROFILE={raw!r} is not a profile; use 'full' (the lecture's sizes) "
                "or 'quick' (small offline stand-in data)."
            )
        return raw
    return "quick" if _truthy(os.environ.get("CI")) else "full"


def is_quick() -> bool:
    """True when the quick profile is active."""
    return get_profile() == "quick"


def pick(*, full: T, quick: T) -> T:
    """Choose a value by profile, e.g. ``EPOCHS = pick(full=10, quick=1)``.

    Written with both values side by side so a reader of the parameters cell
    sees the lecture's setting and the fast one at once.
    """
    return quick if is_quick() else full
