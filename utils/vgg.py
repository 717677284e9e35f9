"""VGG16 with ImageNet weights, offline-safe (notebooks 04 and 05).

Full profile: the "no top" weights file (the convolutional base only) from the
data folder, ``vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5``. When
it is not there it is downloaded once from Keras's own address, checked against
the md5 that Keras pins, and kept in the data folder. A file placed by hand is
accepted when its *content* is right (13 convolution layers of the right shapes,
no fully connected top, finite values equal to the published ones array by
array), so a re-saved copy works too and a damaged one is refused.

Quick profile: ``weights=None`` (random filters, nothing read or downloaded).
"""

from __future__ import annotations

import hashlib
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

# sha256 of each array's float32 values (``np.ascontiguousarray(a, "<f4").tobytes()``) in the weights
# Keras serves: a re-saved copy of the same weights has the same digests; a damaged one does not.
VGG16_ARRAY_SHA256 = {
    "block1_conv1/bias": "1ef208fe2fce06d33da14ae4a9710cc88c83b2e6168abd8cc90104dc77e87495",
    "block1_conv1/kernel": "564034bfdba3ca76c2787bb27101f4fff7fa318d2fbce72b98ee85a91ac7233c",
    "block1_conv2/bias": "4b72fa1a0ca6aaf269f891d0891074cc4e44a86db77f2684f5711a8c32f292d9",
    "block1_conv2/kernel": "88349446ede864025845492069f0cdd18f8d115a31b334d562d328183235e003",
    "block2_conv1/bias": "9319bfabce800a0e8e5096b050ab25cde25eb505c31d4993a6fa6e1c425201a1",
    "block2_conv1/kernel": "4eedcea5414f4914ff6aacda706e323c946e063fad8d9a5b4efe1379b965273a",
    "block2_conv2/bias": "753369cbe1f3df5c2bf733424ce7a58fa7282d3e00f0d401381240df9578d982",
    "block2_conv2/kernel": "d04e9376fa0603eb67d875ef93b5f04ba0d881e34394a0f7bd629b8acfb7366b",
    "block3_conv1/bias": "bfb7228878910873041c5fe390176931f082dd0b3d7215c7015dc7830388c369",
    "block3_conv1/kernel": "61854131434cc09f429e5e5fa7b25e91089fe09b7b55a3989c84937386f6ad80",
    "block3_conv2/bias": "2dfcb4bb7f8a1bfe4649c8dea8bdc84e2058eb7258063960e805a13324038464",
    "block3_conv2/kernel": "0a3ba315ec7a81d9beb336dc768855e3acc5de0dba24ece5584f87233ed6f9e0",
    "block3_conv3/bias": "bd23367d71708929245d0b1e6109f5e64e08b336d104fda13fd5cec8ba5bee44",
    "block3_conv3/kernel": "ace776cfb805a575d895aa86d374bb672d537d5db15419918720d9e17e853de8",
    "block4_conv1/bias": "c33c2dcc6290bb0f6bd3377f547c29e247355b2209d0b5aa3f701bacbbeed9b9",
    "block4_conv1/kernel": "1909f6c1a80a6b08535a78e6832c86cbd5289783d568a6e7fe01adacbe943b45",
    "block4_conv2/bias": "c36252293630a716724eb391cf4c62c3ca425a524cafa2e99da3199a3585e943",
    "block4_conv2/kernel": "1250abdd410cb89b9a5afa7b828b82f6f832939206a24eb561bf7d694afe694a",
    "block4_conv3/bias": "59a2abf76b13ac1340e953cf668cc9cd923f564f9fa11a8e960ab6d04eb1c4c7",
    "block4_conv3/kernel": "dc4ec7c7bd32f3bc3f5ed61fc641e191b9ca730448e94fcf1062f49c841d2bf3",
    "block5_conv1/bias": "312ab22d6dece721c2617eeacf7dd5146ca5f165a3d0dc8cbefb3b823f2c5d51",
    "block5_conv1/kernel": "8396e0b82aee60206d48c8aef35928c15f4131f52c9a666ea511943544a9efc1",
    "block5_conv2/bias": "16bb5bca01eefdf72e95d4234172051876027824f1c838035f5e6a3ce4dbb4fd",
    "block5_conv2/kernel": "691a5087bbf6fab4bbd6decead1c1c161ba311cbcb269cb6141266b2555eccaf",
    "block5_conv3/bias": "384c7a4f72e853a0e0636ce15e30d5133c22238bd8adc37c3bd12ff56939e34f",
    "block5_conv3/kernel": "5be0ee0f7ddc0de1f3a2fc891c6c1d227a44fcb11dc0a7e24cad96e1d30db32d",
}

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


def validate_vgg16_notop(path: Path, digests: dict[str, str] | None = None) -> None:
    """Raise DataValidationError unless ``path`` holds exactly the published VGG16 convolutional base.

    Runs only for a file whose bytes differ from the published one (that file is
    recognised by its md5 in :func:`utils.data.fetch` and not opened here). Checks,
    in order: the file opens as HDF5 and every dataset reads; the 13 layers have
    the right kernel and bias shapes and there is no fully connected top; every
    value is finite and no kernel is all zeros; and the values are the published
    ones, array by array (sha256 of the float32 values, ``VGG16_ARRAY_SHA256``),
    so a re-saved copy passes and a file with one damaged block does not.
    """
    import h5py
    import numpy as np

    digests = VGG16_ARRAY_SHA256 if digests is None else digests
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise DataValidationError(
            f"cannot be read as an HDF5 weights file (truncated or not HDF5): {err}"
        ) from None
    with f:
        found: dict[str, dict[str, Any]] = {}

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                kind = (
                    "kernel"
                    if len(obj.shape) == 4
                    else "bias"
                    if len(obj.shape) == 1
                    else name
                )
                found.setdefault(name.split("/")[0], {})[kind] = obj

        try:
            f.visititems(visit)
            expected = base_weight_shapes()
            extra = sorted(set(found) - set(expected))
            if extra:
                hint = (
                    " This looks like the with-top file (fc1, fc2, predictions);"
                    if {"fc1", "fc2"} & set(extra)
                    else ""
                )
                raise DataValidationError(
                    f"holds layers the convolutional base does not have: {', '.join(extra)}.{hint} "
                    "the notebooks need the 'notop' file"
                )
            for layer, (kernel, bias) in expected.items():
                got = sorted(
                    (tuple(d.shape) for d in found.get(layer, {}).values()),
                    key=len,
                    reverse=True,
                )
                if got != [kernel, bias]:
                    raise DataValidationError(
                        f"layer {layer} holds weights of shapes {got}, expected {[kernel, bias]}"
                    )
            for layer in expected:
                for kind in ("kernel", "bias"):
                    values = np.ascontiguousarray(found[layer][kind][()], dtype="<f4")
                    if not np.isfinite(values).all():
                        raise DataValidationError(
                            f"is damaged: {layer} {kind} holds {int((~np.isfinite(values)).sum())} "
                            "non-finite values (NaN or infinity)"
                        )
                    if kind == "kernel" and not values.any():
                        raise DataValidationError(
                            f"is damaged or empty: every value of the {layer} kernel is zero"
                        )
                    if hashlib.sha256(values.tobytes()).hexdigest() != digests.get(
                        f"{layer}/{kind}"
                    ):
                        raise DataValidationError(
                            f"is damaged or not the ImageNet weights: the values of the {layer} "
                            f"{kind} differ from the published ones"
                        )
        except (OSError, RuntimeError, KeyError) as err:
            raise DataValidationError(f"is damaged: {err}") from None
    check_what_keras_loads(path, digests)


def check_what_keras_loads(path: Path, digests: dict[str, str] | None = None) -> None:
    """Load the file as ``keras.applications.VGG16`` will, and compare every layer's weights.

    Keras reads an HDF5 weights file by the order of its ``layer_names`` attribute and each
    layer's ``weight_names``, not by the arrays' paths, so a file whose datasets are all right
    can still put one layer's kernel into another, or zeros where a kernel should be. Only what
    lands in the model counts: each layer's kernel and bias must be that layer's published values.
    """
    import keras
    import numpy as np

    digests = VGG16_ARRAY_SHA256 if digests is None else digests
    try:
        base = keras.applications.VGG16(
            include_top=False, weights=str(path), input_shape=(32, 32, 3)
        )
    except (ValueError, OSError, KeyError, RuntimeError) as err:
        raise DataValidationError(
            f"is not a weights file Keras can load into VGG16: {err}"
        ) from None
    for layer in base_weight_shapes():
        for kind, values in zip(
            ("kernel", "bias"), base.get_layer(layer).get_weights()
        ):
            data = np.ascontiguousarray(values, dtype="<f4").tobytes()
            if hashlib.sha256(data).hexdigest() != digests.get(f"{layer}/{kind}"):
                raise DataValidationError(
                    f"loads wrong: Keras puts into the {layer} {kind} values that are not "
                    f"its published ones (the file's layer_names or weight_names attributes "
                    "point at other data)"
                )


def vgg16_weights(quick: bool | None = None) -> str | None:
    """What to pass as ``weights=``: the checked local file (full profile) or None (quick)."""
    if is_quick() if quick is None else quick:
        return None
    return str(fetch(VGG16_NOTOP, validate=validate_vgg16_notop))


def vgg16_base(
    weights: str | None, image_shape: tuple[int, int, int] = (224, 224, 3)
) -> Any:
    """``keras.applications.VGG16(include_top=False)`` with ``weights`` from :func:`vgg16_weights`."""
    import keras

    try:
        return keras.applications.VGG16(
            include_top=False,
            weights=weights,
            input_tensor=keras.Input(shape=image_shape),
        )
    except (
        ValueError,
        OSError,
    ) as err:  # a file that passed the check but Keras still refuses
        raise DataValidationError(
            f"Keras could not load VGG16 weights from {weights}: {err}\n"
            f"Replace it with {VGG16_NOTOP.url} ({VGG16_NOTOP.hash_algorithm} {VGG16_NOTOP.file_hash})."
        ) from None
