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

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any, Iterator

from .data import DataValidationError, RemoteFile, check_readable_file, fetch
from .profile import is_quick

VGG16_NOTOP = RemoteFile(
    "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
    "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "6d6bbae143d832006294945121d1f1fc",  # the md5 keras.applications.VGG16 pins for this file
    "Keras Applications: VGG16 (Simonyan & Zisserman 2014) trained on ImageNet, CC BY 4.0",
    hash_algorithm="md5",
    max_bytes=512 << 20,  # the published file is 58.9 MB
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


# What a VGG16 weights file may hold, checked from its structure before any data is read.
MAX_H5_OBJECTS = 200  # the notop file holds 13 layers: 27 groups and 26 datasets
MAX_H5_DEPTH = 6
MAX_H5_ATTRIBUTES = 64  # per object
MAX_H5_ATTRIBUTE_BYTES = 1 << 20
MAX_H5_ATTRIBUTE_ELEMENTS = 10_000
# deflate, shuffle, fletcher32 (HDF5's own) and LZF (built into h5py): no filter that would make
# HDF5 search its plugin folders and load a library from outside
ALLOWED_H5_FILTERS = {1: "deflate", 2: "shuffle", 3: "fletcher32", 32000: "lzf"}


def _is_lock_error(err: Exception) -> bool:
    return "lock" in str(err).lower()


def open_h5_unlocked(path: Path) -> Any:
    """``h5py.File(path, "r")`` without HDF5's file lock (h5py 3.5 and later), so that a file
    another program holds open for writing can still be read: our reads only read, and the
    content checks catch a file changed under us."""
    import h5py

    try:
        return h5py.File(path, "r", locking=False)
    except TypeError:  # an h5py without the option
        return h5py.File(path, "r")


@contextlib.contextmanager
def keras_readable(path: Path, digests: dict[str, str] | None = None) -> Iterator[Path]:
    """A path Keras can open: ``path`` itself, or, when another program holds it locked (HDF5
    refuses to open a file open for writing elsewhere), a private copy of it, checked again
    (its md5 is the published file's, or its content passes :func:`validate_vgg16_notop`)."""
    import shutil
    import tempfile

    import h5py

    try:
        with h5py.File(path, "r"):  # as Keras opens it, with HDF5's lock
            pass
    except OSError as err:
        if not _is_lock_error(err):
            raise
    else:
        yield Path(path)
        return
    scratch = Path(tempfile.mkdtemp(prefix="dnn-vgg16-"))
    try:
        copy = scratch / Path(path).name
        shutil.copyfile(path, copy)
        from .data import file_digest

        if file_digest(copy, algorithm="md5") != VGG16_NOTOP.file_hash:
            try:
                validate_vgg16_notop(copy, digests, _copied=True)
            except DataValidationError as err:
                raise DataValidationError(
                    f"{path} (read while another program held it open) {err}"
                ) from None
        yield copy
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _hdf5_open_error(err: Exception) -> DataValidationError:
    text = str(err)
    if _is_lock_error(err):
        return DataValidationError(
            f"is held locked by another program (HDF5 file lock), so it cannot be read now: "
            f"close the program that has it open for writing and run again ({text})"
        )
    return DataValidationError(
        f"cannot be read as an HDF5 weights file (cut short, damaged or not HDF5): {text}"
    )


def check_hdf5_self_contained(
    path: Path, max_elements: int | None = None, max_dataset_elements: int | None = None
) -> None:
    """Refuse an HDF5 file that points outside itself or declares more data than VGG16 has.

    Walks the file's links and objects with h5py's low-level API, reading metadata only, never
    a dataset's values, and never following a link: an external link (to another file), a soft
    link, a dataset stored in an external raw file (``/etc/passwd``, ``/dev/zero``, a named
    pipe...), a virtual dataset (which maps other files), a filter that would load a plugin
    library, an object linked twice (a loop), a committed datatype, or datasets or attributes
    larger than the VGG16 base could need: each is refused by name before HDF5 opens or reads
    anything outside the file, and before Keras could allocate memory for it.
    """
    import numpy as np
    from h5py import h5a, h5d, h5f, h5g, h5l, h5o, h5p

    shapes = base_weight_shapes()
    if max_dataset_elements is None:
        max_dataset_elements = max(int(np.prod(k)) for k, _ in shapes.values())
    if max_elements is None:
        total = sum(int(np.prod(k)) + int(np.prod(b)) for k, b in shapes.values())
        max_elements = total + total // 10
    fapl = h5p.create(h5p.FILE_ACCESS)
    with contextlib.suppress(AttributeError, ValueError, RuntimeError):
        fapl.set_file_locking(False, True)  # h5py >= 3.5 with HDF5 >= 1.10.7
    try:
        fid = h5f.open(os.fsencode(str(path)), h5f.ACC_RDONLY, fapl=fapl)
    except (OSError, ValueError, RuntimeError) as err:
        raise _hdf5_open_error(err) from None
    link_kind = {
        h5l.TYPE_SOFT: "a soft link (a name that points at another path)",
        h5l.TYPE_EXTERNAL: "an external link (it points into another file)",
    }
    seen: set = set()
    count = {"objects": 0, "elements": 0}

    def check_attributes(obj: Any, where: str) -> None:
        n = h5a.get_num_attrs(obj)
        if n > MAX_H5_ATTRIBUTES:
            raise DataValidationError(f"{where} has {n} attributes: not a weights file")
        for i in range(n):
            attr = h5a.open(obj, index=i)
            elements = int(np.prod(attr.shape, dtype=np.int64)) if attr.shape else 1
            if (
                elements * attr.get_type().get_size() > MAX_H5_ATTRIBUTE_BYTES
                or elements > MAX_H5_ATTRIBUTE_ELEMENTS
            ):
                raise DataValidationError(
                    f"attribute {attr.name.decode(errors='replace')!r} of {where} is too "
                    f"large for a weights file ({elements:,} values)"
                )

    def check_dataset(gid: Any, name: bytes, where: str) -> None:
        did = h5d.open(gid, name)
        dcpl = did.get_create_plist()
        if dcpl.get_layout() == h5d.VIRTUAL:
            raise DataValidationError(
                f"dataset {where} is a virtual dataset (its values live in other files): "
                "refused before anything outside this file is read"
            )
        if dcpl.get_external_count():
            outside = dcpl.get_external(0)[0].decode(errors="replace")
            raise DataValidationError(
                f"dataset {where} keeps its values in an external file ({outside!r}): "
                "refused before anything outside this file is read"
            )
        if dcpl.get_layout() == h5d.CHUNKED:
            chunk = int(np.prod(dcpl.get_chunk(), dtype=np.int64))
            if chunk > max_dataset_elements:
                raise DataValidationError(
                    f"dataset {where} is stored in chunks of {chunk:,} values, larger than any "
                    "VGG16 layer: reading it would allocate that much memory. Refused before "
                    "anything reads it"
                )
        for i in range(dcpl.get_nfilters()):
            code = dcpl.get_filter(i)[0]
            if code not in ALLOWED_H5_FILTERS:
                raise DataValidationError(
                    f"dataset {where} is compressed with filter {code}, which HDF5 would load "
                    "from a plugin library outside the file: refused"
                )
        dtype = did.dtype
        if dtype.kind != "f" or dtype.itemsize > 8 or dtype.subdtype is not None:
            raise DataValidationError(
                f"dataset {where} holds {dtype} values, not floating-point weights"
            )
        elements = int(np.prod(did.shape, dtype=np.int64)) if did.shape else 1
        if elements > max_dataset_elements:
            raise DataValidationError(
                f"dataset {where} declares {elements:,} values ({' x '.join(map(str, did.shape))}), "
                f"more than any VGG16 layer holds ({max_dataset_elements:,}): refused before "
                "anything reads it"
            )
        count["elements"] += elements
        if count["elements"] > max_elements:
            raise DataValidationError(
                f"its datasets declare more than {max_elements:,} values in all, more than the "
                "VGG16 base holds: refused before anything reads them"
            )
        check_attributes(did, f"dataset {where}")

    def walk(gid: Any, prefix: str, depth: int) -> None:
        if depth > MAX_H5_DEPTH:
            raise DataValidationError(
                f"groups nest deeper than {MAX_H5_DEPTH} levels at {prefix}"
            )
        check_attributes(gid, f"group {prefix or '/'}")
        names: list[bytes] = []

        def collect(name: bytes) -> Any:
            names.append(name)
            return True if len(names) > MAX_H5_OBJECTS else None  # not None: stop

        gid.links.iterate(collect)
        if depth == 0 and {b"fc1", b"fc2"} & set(names):
            raise DataValidationError(
                "holds layers the convolutional base does not have: fc1, fc2. This looks "
                "like the with-top file (fc1, fc2, predictions); the notebooks need the "
                "'notop' file"
            )
        for name in names:
            where = f"{prefix}/{name.decode(errors='replace')}"
            count["objects"] += 1
            if count["objects"] > MAX_H5_OBJECTS:
                raise DataValidationError(
                    f"holds more than {MAX_H5_OBJECTS} objects: not a VGG16 weights file"
                )
            info = gid.links.get_info(name)
            if info.type != h5l.TYPE_HARD:
                kind = link_kind.get(info.type, "a user-defined link")
                raise DataValidationError(
                    f"{where} is {kind}: a weights file must hold its own data; refused "
                    "before the link is followed"
                )
            obj = h5o.get_info(gid, name)
            key = (obj.fileno, obj.addr)
            if key in seen:
                raise DataValidationError(
                    f"{where} links to an object that is already linked elsewhere in the file "
                    "(a loop or a second name): not the layout of a weights file"
                )
            seen.add(key)
            if obj.type == h5o.TYPE_GROUP:
                walk(h5g.open(gid, name), where, depth + 1)
            elif obj.type == h5o.TYPE_DATASET:
                check_dataset(gid, name, where)
            else:
                raise DataValidationError(
                    f"{where} is a committed datatype or another kind of object a weights "
                    "file does not hold"
                )

    try:
        root = h5g.open(fid, b"/")
        walk(root, "", 0)
    except DataValidationError:
        raise
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as err:
        raise DataValidationError(
            f"is damaged: its structure cannot be read ({err})"
        ) from None
    finally:
        with contextlib.suppress(Exception):
            fid.close()


def validate_vgg16_notop(
    path: Path, digests: dict[str, str] | None = None, _copied: bool = False
) -> None:
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
    path = Path(path)
    check_readable_file(path, "HDF5 weights file", VGG16_NOTOP.max_bytes)
    check_hdf5_self_contained(
        path
    )  # nothing outside the file is opened, nothing huge declared
    try:
        f = open_h5_unlocked(path)
    except OSError as err:
        raise _hdf5_open_error(err) from None
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
    if _copied:
        check_what_keras_loads(path, digests)
        return
    try:
        with keras_readable(path, digests) as readable:
            check_what_keras_loads(readable, digests)
    except OSError as err:
        raise _hdf5_open_error(err) from None


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
            include_top=False,
            weights=str(path),
            input_tensor=keras.Input(shape=(32, 32, 3)),
        )
    except (ValueError, OSError, KeyError, RuntimeError, TypeError) as err:
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
        if weights is None:
            return keras.applications.VGG16(
                include_top=False,
                weights=None,
                input_tensor=keras.Input(shape=image_shape),
            )
        # a file another program holds open for writing is loaded from a checked private copy
        with keras_readable(Path(weights)) as readable:
            return keras.applications.VGG16(
                include_top=False,
                weights=str(readable),
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
