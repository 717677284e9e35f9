"""The data layer: cache, checksum, hand-placed files, offline errors."""

import hashlib
import os

import numpy as np
import pytest

from utils.data import (
    ChecksumError,
    DataUnavailableError,
    DataValidationError,
    RemoteFile,
    data_dir,
    fetch,
)
from utils.mnist import MNIST, load_mnist, mnist_standin, validate_mnist_npz

PAYLOAD = b"hello, data\n"
REMOTE = RemoteFile(
    "toy/hello.txt",
    "https://example.invalid/hello.txt",
    hashlib.sha256(PAYLOAD).hexdigest(),
    "the test suite",
)


def test_data_dir_follows_env(tmp_path):
    assert data_dir() == (tmp_path / "data").resolve()


def test_cached_file_is_used_without_network(full_profile, no_network):
    target = data_dir() / REMOTE.relpath
    target.parent.mkdir(parents=True)
    target.write_bytes(PAYLOAD)
    assert fetch(REMOTE) == target
    assert no_network == []  # never asked the network


def test_missing_file_offline_gives_one_clear_error(full_profile, no_network):
    with pytest.raises(DataUnavailableError) as info:
        fetch(REMOTE)
    msg = str(info.value)
    assert "toy/hello.txt" in msg
    assert str(data_dir() / "toy" / "hello.txt") in msg  # where to put it
    assert REMOTE.url in msg  # where it comes from
    assert "Temporary failure in name resolution" in msg
    assert no_network == [REMOTE.url]
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_quick_profile_never_downloads(monkeypatch, no_network):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    with pytest.raises(DataUnavailableError, match="quick profile never downloads"):
        fetch(REMOTE)
    assert no_network == []


def _fake_get_file(content):
    def get_file(fname, origin, file_hash, hash_algorithm, cache_dir, cache_subdir):
        path = os.path.join(cache_dir, cache_subdir, fname)
        with open(path, "wb") as f:
            f.write(content)
        if hashlib.sha256(content).hexdigest() != file_hash:
            raise ValueError("Incomplete or corrupted file detected.")
        return path

    return get_file


def test_download_goes_through_get_file_with_the_pinned_hash(full_profile, monkeypatch):
    import keras

    seen = {}

    def get_file(**kwargs):
        seen.update(kwargs)
        return _fake_get_file(PAYLOAD)(**kwargs)

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    path = fetch(REMOTE)
    assert path.read_bytes() == PAYLOAD
    assert seen["file_hash"] == REMOTE.file_hash and seen["origin"] == REMOTE.url
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "hello.txt"
    ]  # no scratch left


def test_checksum_mismatch_leaves_nothing_behind(full_profile, monkeypatch):
    import keras

    monkeypatch.setattr(keras.utils, "get_file", _fake_get_file(b"tampered\n"))
    with pytest.raises(ChecksumError, match="does not match"):
        fetch(REMOTE)
    assert (
        not data_dir().exists()
    )  # nothing created: no folder, no scratch, no partial file


def test_checksum_checked_even_if_get_file_does_not(full_profile, monkeypatch):
    import keras

    def lax_get_file(fname, origin, file_hash, hash_algorithm, cache_dir, cache_subdir):
        path = os.path.join(cache_dir, cache_subdir, fname)
        open(path, "wb").write(b"tampered\n")
        return path

    monkeypatch.setattr(keras.utils, "get_file", lax_get_file)
    with pytest.raises(ChecksumError):
        fetch(REMOTE)
    assert not (data_dir() / REMOTE.relpath).exists()


def test_wrong_bytes_without_validator_is_rejected(full_profile):
    target = data_dir() / REMOTE.relpath
    target.parent.mkdir(parents=True)
    target.write_bytes(b"something else")
    with pytest.raises(ChecksumError, match="Delete it"):
        fetch(REMOTE)


# --- MNIST -----------------------------------------------------------------


def _write_npz(path, **arrays):
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)


def _mnist_like(n_train=60000, n_test=10000, dtype=np.uint8):
    return dict(
        x_train=np.zeros((n_train, 28, 28), dtype),
        y_train=np.zeros(n_train, np.uint8),
        x_test=np.zeros((n_test, 28, 28), dtype),
        y_test=np.zeros(n_test, np.uint8),
    )


def test_hand_placed_mnist_with_wrong_shape_is_rejected(full_profile, no_network):
    arrays = _mnist_like()
    arrays["x_train"] = np.zeros((60000, 32, 32), np.uint8)
    _write_npz(data_dir() / "mnist.npz", **arrays)
    with pytest.raises(
        DataValidationError,
        match=r"x_train has shape \(60000, 32, 32\), expected \(60000, 28, 28\)",
    ):
        load_mnist()
    assert no_network == []


def test_hand_placed_mnist_with_wrong_dtype_is_rejected(full_profile, no_network):
    _write_npz(data_dir() / "mnist.npz", **_mnist_like(dtype=np.float32))
    with pytest.raises(DataValidationError, match="dtype float32"):
        load_mnist()


def test_hand_placed_mnist_missing_array_is_rejected(tmp_path):
    arrays = _mnist_like()
    del arrays["y_test"]
    _write_npz(tmp_path / "m.npz", **arrays)
    with pytest.raises(DataValidationError, match="'y_test' is missing"):
        validate_mnist_npz(tmp_path / "m.npz")


def test_hand_placed_garbage_is_rejected(tmp_path):
    (tmp_path / "m.npz").write_bytes(b"not a zip")
    with pytest.raises(DataValidationError, match="cannot read"):
        validate_mnist_npz(tmp_path / "m.npz")


def test_hand_placed_mnist_shaped_file_is_accepted_with_warnings(
    full_profile, no_network
):
    _write_npz(data_dir() / "mnist.npz", **_mnist_like())
    with pytest.warns(UserWarning) as caught:
        (x, y), (xt, yt) = load_mnist()
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
    text = " ".join(str(w.message) for w in caught)
    assert "bytes differ" in text and "arrays differ" in text
    assert no_network == []


def test_missing_mnist_offline_names_the_file(full_profile, no_network):
    with pytest.raises(DataUnavailableError) as info:
        load_mnist()
    assert "mnist.npz" in str(info.value) and MNIST.url in str(info.value)


def test_standin_has_mnist_shapes_and_dtypes():
    (x, y), (xt, yt) = mnist_standin()
    assert x.shape[1:] == (28, 28) and xt.shape[1:] == (28, 28)
    assert x.dtype == np.uint8 and y.dtype == np.uint8
    assert len(x) + len(xt) == 1797 and len(x) <= 5000
    assert set(np.unique(y)) == set(range(10))
    assert x.max() > 200  # scaled to 0..255 like MNIST
    assert (
        x[:, :4, :].max() == 0 and x[:, :, -4:].max() == 0
    )  # centred with a margin, like MNIST


def test_quick_profile_loads_the_standin(monkeypatch, no_network):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    (x, _), _ = load_mnist()
    assert len(x) == 1497
    assert no_network == []
