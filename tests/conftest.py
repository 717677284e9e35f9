"""Shared fixtures: every test gets its own empty data and results folders."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("DNN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DNN_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("DNN_PROFILE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    for name in ("DNN_DEVICE", "DNN_MIXED_PRECISION"):
        monkeypatch.delenv(name, raising=False)
    # the photo checks' verdict cache too, so that no test sees another's verdicts
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield
    # setup_notebook() keeps its RunInfo and sets Keras's global policy: undo both
    import keras

    from utils import environment

    environment._RUN = None
    keras.mixed_precision.set_global_policy("float32")


@pytest.fixture
def full_profile(monkeypatch):
    monkeypatch.setenv("DNN_PROFILE", "full")


@pytest.fixture
def no_network(monkeypatch):
    """Make keras.utils.get_file fail the way it does offline, and count calls."""
    import keras

    calls = []

    def offline(*args, **kwargs):
        calls.append(kwargs.get("origin"))
        raise Exception(
            "URL fetch failure on https://example.invalid: None -- [Errno -3] "
            "Temporary failure in name resolution"
        )

    monkeypatch.setattr(keras.utils, "get_file", offline)
    return calls


@pytest.fixture
def photo_folder():
    """A hand-placed subset: 3 photos per class and split, all good."""
    from test_bad_data import write_jpeg

    from utils import cats_dogs
    from utils.data import data_dir

    root = data_dir() / cats_dogs.SUBSET
    for split in cats_dogs.SPLITS:
        for cls in cats_dogs.CLASSES:
            for i in range(3):
                write_jpeg(
                    root / split / cls / f"{cls[:-1]}.{i}.jpg",
                    seed=hash((split, cls, i)) % 1000,
                )
    return root
