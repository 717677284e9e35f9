"""VGG16 with ImageNet weights, offline-safe (notebooks 04 and 05).

Full profile: the "no top" weights file (the convolutional base only) from the
data folder, ``vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5``. When
it is not there it is downloaded once from Keras's own address, checked against
the md5 that Keras pins, and kept in the data folder. A file placed by hand is
accepted when its *content* is right (13 convolution layers of the right shapes,
no fully connected top), so a re-saved copy works too.

Quick profile: ``weights=None`` (random filters, nothing read or downloaded).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .data import DataValidationError, RemoteFile, fetch
from .profile import is_quick

VGG16_NOTOP = RemoteFile(
    "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
    "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "6d6bbae143d832006294945121d1f1fc",  # the md5 keras.applications.VGG16 pins for this file
    "Keras Applications: VGG16 (Simonyan & Zisserman 2014) trained on ImageNet, CC BY 4.0",
    hash_algorithm="md5",
)

# (block, number of conv layers, filters): the 13 convolutions of VGG16.
VGG16_BLOCKS = ((1, 2, 64), (2, 2, 128), (3, 3, 256), (4, 3, 512), (5, 3, 512))


def base_weight_shapes() -> dict[str, tuple[tuple[int, ...], tuple[int, ...]]]:
    """layer name -> (kernel shape, bias shape) for the convolutional base."""
    shapes, c_in = {}, 3
    for block, n, filters in VGG16_BLOCKS:
        for i in range(1, n + 1):
            shapes[f"block{block}_conv{i}"] = ((3, 3, c_in, filters), (filters,))
            c_in = filters
    return shapes


def validate_vgg16_notop(path: Path) -> None:
    """Raise DataValidationError unless ``path`` holds exactly VGG16's convolutional base."""
    import h5py

    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise DataValidationError(f"cannot be read as an HDF5 weights file (truncated or not HDF5): {err}") from None
    with f:
        found: dict[str, list[tuple[int, ...]]] = {}

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                found.setdefault(name.split("/")[0], []).append(tuple(obj.shape))

        try:
            f.visititems(visit)
        except (OSError, RuntimeError, KeyError) as err:
            raise DataValidationError(f"is damaged (truncated?): {err}") from None
    expected = base_weight_shapes()
    extra = sorted(set(found) - set(expected))
    if extra:
        hint = " This looks like the with-top file (fc1, fc2, predictions);" if {"fc1", "fc2"} & set(extra) else ""
        raise DataValidationError(f"holds layers the convolutional base does not have: {', '.join(extra)}.{hint} "
                                  "the notebooks need the 'notop' file")
    for layer, (kernel, bias) in expected.items():
        got = sorted(found.get(layer, []), key=len, reverse=True)
        if got != [kernel, bias]:
            raise DataValidationError(f"layer {layer} holds weights of shapes {got}, expected {[kernel, bias]}")


def vgg16_weights(quick: bool | None = None) -> str | None:
    """What to pass as ``weights=``: the checked local file (full profile) or None (quick)."""
    if is_quick() if quick is None else quick:
        return None
    return str(fetch(VGG16_NOTOP, validate=validate_vgg16_notop))


def vgg16_base(weights: str | None, image_shape: tuple[int, int, int] = (224, 224, 3)) -> Any:
    """``keras.applications.VGG16(include_top=False)`` with ``weights`` from :func:`vgg16_weights`."""
    import keras

    try:
        return keras.applications.VGG16(include_top=False, weights=weights, input_tensor=keras.Input(shape=image_shape))
    except (ValueError, OSError) as err:  # a file that passed the check but Keras still refuses
        raise DataValidationError(
            f"Keras could not load VGG16 weights from {weights}: {err}\n"
            f"Replace it with {VGG16_NOTOP.url} ({VGG16_NOTOP.hash_algorithm} {VGG16_NOTOP.file_hash})."
        ) from None
