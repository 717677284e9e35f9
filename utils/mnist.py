"""MNIST: the real thing (full profile) or an offline stand-in (quick profile)."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np

from .data import DataValidationError, RemoteFile, check_readable_file, fetch
from .profile import is_quick

MNIST = RemoteFile(
    relpath="mnist.npz",
    url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    source="MNIST (LeCun, Cortes, Burges), CC BY-SA 3.0, in the Keras datasets layout",
    max_bytes=256 << 20,  # the published file is 11.5 MB
)
MAX_NPZ_BYTES = 256 << 20
NPY_HEADER_ALLOWANCE = 4096  # a .npy member is its array's bytes plus a short header

SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

# sha256 of each array's raw bytes in the published file: a re-saved copy with
# the same arrays is recognised as the same data.
ARRAY_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


MAX_NPZ_MEMBERS = 16


def _zip_entry_count(path: Path) -> int | None:
    """How many members a zip file's end-of-directory record declares (ZIP64 too), read from
    its last bytes before :mod:`zipfile` builds an object per member (millions of tiny members
    would fill the memory). None when no record is found: :mod:`zipfile` then says why."""
    import struct

    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - (1 << 16) - 22))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) < at + 22:
            return None
        count = struct.unpack("<H", tail[at + 10 : at + 12])[0]
        if count != 0xFFFF:
            return count
        locator = tail.rfind(b"PK\x06\x07", 0, at)
        if locator < 0 or len(tail) < locator + 20:
            return None
        f.seek(struct.unpack("<Q", tail[locator + 8 : locator + 16])[0])
        record = f.read(56)
        if not record.startswith(b"PK\x06\x06") or len(record) < 40:
            return None
        return struct.unpack("<Q", record[32:40])[0]


def read_npz_members(path: Path) -> dict[str, np.ndarray]:
    """The four MNIST arrays of an .npz file, read member by member, each within its limit.

    Checked before anything is inflated: the file is a regular file of at most
    ``MAX_NPZ_BYTES``, a zip archive whose members are exactly the four ``.npy`` arrays (an
    extra member, even one that would inflate to gigabytes, is named and never inflated), each
    declaring no more bytes than its array needs. Each member is then inflated with a cap at
    that size (a member whose header lies about its size stops there), and parsed with
    ``allow_pickle=False``.
    """
    import io
    import zipfile

    check_readable_file(path, ".npz file", MAX_NPZ_BYTES)
    entries = _zip_entry_count(path)
    if entries is not None and entries > MAX_NPZ_MEMBERS:
        raise DataValidationError(
            f"its zip directory lists {entries:,} members (MNIST has 4): not read further"
        )
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise DataValidationError(
            f"cannot read it as a NumPy .npz file (not a zip archive, or cut short: {err})"
        ) from None
    arrays = {}
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        expected = {f"{k}.npy" for k in SHAPES}
        extra = [n for n in names if n not in expected]
        if extra or len(names) != len(set(names)):
            raise DataValidationError(
                f"holds member(s) MNIST does not have: {', '.join(map(repr, extra[:5])) or 'a repeated name'} "
                f"(expected exactly {sorted(expected)}); nothing of them was inflated"
            )
        for info in infos:
            key = info.filename[:-4]
            need = int(np.prod(SHAPES[key])) + NPY_HEADER_ALLOWANCE
            try:
                with zf.open(info) as member:  # the header first: shape and dtype
                    version = np.lib.format.read_magic(member)
                    read_header = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, _, dtype = read_header(member)
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                EOFError,
                RuntimeError,  # an encrypted member
                NotImplementedError,  # a compression method zipfile lacks
            ) as err:
                raise DataValidationError(
                    f"member {info.filename} is not a NumPy array file ({err})"
                ) from None
            if shape != SHAPES[key]:
                raise DataValidationError(
                    f"{key} has shape {shape}, expected {SHAPES[key]}"
                )
            if dtype != np.uint8:
                raise DataValidationError(f"{key} has dtype {dtype}, expected uint8")
            if info.file_size > need:
                raise DataValidationError(
                    f"member {info.filename} declares {info.file_size:,} bytes, more than a "
                    f"{' x '.join(map(str, SHAPES[key]))} uint8 array needs: not inflated"
                )
            try:
                with zf.open(info) as member:
                    data = member.read(need + 1)
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                EOFError,
                RuntimeError,
                NotImplementedError,
            ) as err:
                raise DataValidationError(
                    f"member {info.filename} is damaged ({err})"
                ) from None
            if len(data) > need:
                raise DataValidationError(
                    f"member {info.filename} inflates to more than its header says: damaged"
                )
            try:
                arrays[key] = np.lib.format.read_array(
                    io.BytesIO(data), allow_pickle=False
                )
            except (ValueError, OSError, EOFError) as err:
                raise DataValidationError(
                    f"member {info.filename} is not a NumPy array file ({err})"
                ) from None
    return arrays


def validate_mnist_npz(path: Path) -> None:
    """Raise DataValidationError unless ``path`` holds MNIST in the Keras layout."""
    arrays = read_npz_members(path)
    for key, shape in SHAPES.items():
        if key not in arrays:
            raise DataValidationError(
                f"array {key!r} is missing (found {sorted(arrays)})"
            )
        a = arrays[key]
        if a.shape != shape:
            raise DataValidationError(f"{key} has shape {a.shape}, expected {shape}")
        if a.dtype != np.uint8:
            raise DataValidationError(f"{key} has dtype {a.dtype}, expected uint8")
    for key in ("y_train", "y_test"):
        if arrays[key].max() > 9:
            raise DataValidationError(f"{key} holds labels above 9")
    same = all(
        hashlib.sha256(arrays[k].tobytes()).hexdigest() == h
        for k, h in ARRAY_SHA256.items()
    )
    if not same:
        warnings.warn(
            f"{path}: MNIST-shaped, but its arrays differ from the published MNIST.",
            stacklevel=3,
        )


def load_mnist(quick: bool | None = None) -> Split:
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, MNIST layout.

    Full profile: real MNIST from the data folder (downloaded once if missing).
    Quick profile: :func:`mnist_standin`, made offline from scikit-learn's digits.
    """
    quick = is_quick() if quick is None else quick
    if quick:
        return mnist_standin()
    path = fetch(MNIST, validate=validate_mnist_npz)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def mnist_standin(n_test: int = 300) -> Split:
    """Offline stand-in for MNIST: scikit-learn's 1,797 bundled 8x8 digits.

    Each digit is upscaled to 20x20 and centred in a 28x28 frame (as MNIST's
    digits are), scaled to 0..255 uint8. Same shapes and dtypes as MNIST, far
    fewer images; good for checking code, not for measuring anything.
    """
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.zeros((len(digits.images), 28, 28), dtype=np.uint8)
    for i, img in enumerate(digits.images):
        small = Image.fromarray((img * (255.0 / 16.0)).astype(np.uint8))
        images[i, 4:24, 4:24] = np.asarray(small.resize((20, 20), Image.BILINEAR))
    labels = digits.target.astype(np.uint8)
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = images[order], labels[order]
    return (images[n_test:], labels[n_test:]), (images[:n_test], labels[:n_test])
