"""MNIST: the real thing (full profile) or an offline stand-in (quick profile)."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np

from .data import DataValidationError, RemoteFile, fetch
from .profile import is_quick

MNIST = RemoteFile(
    relpath="mnist.npz",
    url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    source="MNIST (LeCun, Cortes, Burges), CC BY-SA 3.0, in the Keras datasets layout",
)

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


def validate_mnist_npz(path: Path) -> None:
    """Raise DataValidationError unless ``path`` holds MNIST in the Keras layout."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except Exception as err:  # not an npz, truncated, ...
        raise DataValidationError(
            f"cannot read it as a NumPy .npz file ({err})"
        ) from None
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
