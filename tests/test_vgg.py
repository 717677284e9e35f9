"""VGG16 weights: found offline, checked by content, clear errors for the wrong file."""

import hashlib

import h5py
import numpy as np
import pytest

from utils.data import DataUnavailableError, DataValidationError, data_dir
from utils.vgg import (
    VGG16_NOTOP,
    base_weight_shapes,
    validate_vgg16_notop,
    vgg16_base,
    vgg16_weights,
)


def write_weights(path, shapes, keras_attrs=True, seed=None):
    """A Keras-2-layout HDF5 weights file. Without ``seed`` the datasets are left unwritten (read back
    as zeros), so it stays tiny; with one they hold small random values (about 59 MB) and the
    returned digests are what ``validate_vgg16_notop`` would pin for them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = None if seed is None else np.random.default_rng(seed)
    digests = {}
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([name.encode() for name in shapes])
        for layer, (kernel, bias) in shapes.items():
            top = f.create_group(layer)
            if keras_attrs:
                top.attrs["weight_names"] = np.array(
                    [f"{layer}/kernel:0".encode(), f"{layer}/bias:0".encode()]
                )
            g = top.create_group(layer)
            for kind, shape in (("kernel", kernel), ("bias", bias)):
                if rng is None:
                    g.create_dataset(f"{kind}:0", shape=shape, dtype="float32")
                    continue
                values = rng.normal(0, 0.05, shape).astype("<f4")
                g.create_dataset(f"{kind}:0", data=values)
                digests[f"{layer}/{kind}"] = hashlib.sha256(
                    values.tobytes()
                ).hexdigest()
    return (path, digests) if rng is not None else path


def test_the_base_has_14_714_688_parameters():
    assert (
        sum(np.prod(k) + np.prod(b) for k, b in base_weight_shapes().values())
        == 14_714_688
    )


def test_quick_profile_uses_no_weights_and_no_network(monkeypatch, no_network):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    assert vgg16_weights() is None
    assert no_network == []


def test_missing_weights_offline_says_what_to_put_where(full_profile, no_network):
    with pytest.raises(DataUnavailableError) as info:
        vgg16_weights()
    msg = str(info.value)
    assert (
        str(data_dir() / VGG16_NOTOP.relpath) in msg
        and VGG16_NOTOP.url in msg
        and "md5" in msg
    )
    assert no_network == [VGG16_NOTOP.url]


def test_hand_placed_file_with_the_right_values_is_used_and_loads(
    full_profile, no_network, monkeypatch
):
    path, digests = write_weights(
        data_dir() / VGG16_NOTOP.relpath, base_weight_shapes(), seed=1
    )
    monkeypatch.setattr(
        "utils.vgg.VGG16_ARRAY_SHA256", digests
    )  # pretend these values were published
    with pytest.warns(UserWarning, match="content checks out"):
        weights = vgg16_weights()
    assert weights == str(path) and no_network == []
    base = vgg16_base(weights, image_shape=(32, 32, 3))
    assert base.count_params() == 14_714_688
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(
            base.get_layer("block5_conv3").kernel.numpy(),
            f["block5_conv3/block5_conv3/kernel:0"][()],
        )  # read from our file


def test_all_zero_file_of_the_right_shapes_is_refused(full_profile, no_network):
    path = write_weights(data_dir() / VGG16_NOTOP.relpath, base_weight_shapes())
    with pytest.raises(
        DataValidationError, match="block1_conv1 kernel is zero"
    ) as info:
        vgg16_weights()
    assert str(path) in str(info.value)


def test_a_file_keras_cannot_load_is_refused_before_any_model_is_built(
    full_profile, monkeypatch
):
    path, digests = write_weights(
        data_dir() / VGG16_NOTOP.relpath,
        base_weight_shapes(),
        keras_attrs=False,
        seed=2,
    )
    monkeypatch.setattr("utils.vgg.VGG16_ARRAY_SHA256", digests)
    with pytest.raises(
        DataValidationError, match="not a weights file Keras can load into VGG16"
    ) as info:
        vgg16_weights()
    assert str(path) in str(info.value) and VGG16_NOTOP.url in str(info.value)


def test_layer_order_that_swaps_two_kernels_is_refused(full_profile, monkeypatch):
    # every dataset right, but Keras loads by the order of `layer_names`
    path, digests = write_weights(
        data_dir() / VGG16_NOTOP.relpath, base_weight_shapes(), seed=3
    )
    monkeypatch.setattr("utils.vgg.VGG16_ARRAY_SHA256", digests)
    with h5py.File(path, "r+") as f:
        names = [n.decode() for n in f.attrs["layer_names"]]
        i, j = names.index("block4_conv2"), names.index("block4_conv3")
        names[i], names[j] = names[j], names[i]
        f.attrs["layer_names"] = np.array([n.encode() for n in names])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DataValidationError, match="loads wrong") as info:
        vgg16_weights()
    assert str(path) in str(info.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_weight_names_pointing_at_an_extra_zero_array_are_refused(
    full_profile, monkeypatch
):
    path, digests = write_weights(
        data_dir() / VGG16_NOTOP.relpath, base_weight_shapes(), seed=4
    )
    monkeypatch.setattr("utils.vgg.VGG16_ARRAY_SHA256", digests)
    with h5py.File(path, "r+") as f:
        group = f["block2_conv1"]
        group["block2_conv1"].create_dataset(
            "zeros:0", shape=(3, 3, 64, 128), dtype="float32"
        )
        group.attrs["weight_names"] = np.array(
            [b"block2_conv1/zeros:0", b"block2_conv1/bias:0"]
        )
    with pytest.raises(DataValidationError) as info:
        vgg16_weights()
    assert str(path) in str(info.value) and "block2_conv1" in str(info.value)


def test_with_top_file_is_refused_by_name(full_profile, tmp_path):
    shapes = dict(
        base_weight_shapes(),
        fc1=((25088, 4096), (4096,)),
        fc2=((4096, 4096), (4096,)),
        predictions=((4096, 1000), (1000,)),
    )
    path = write_weights(data_dir() / VGG16_NOTOP.relpath, shapes)
    with pytest.raises(DataValidationError, match="with-top file") as info:
        vgg16_weights()
    assert str(path) in str(info.value) and VGG16_NOTOP.url in str(info.value)


def test_wrong_shape_names_the_layer(tmp_path):
    shapes = dict(base_weight_shapes(), block3_conv2=((3, 3, 256, 128), (128,)))
    with pytest.raises(DataValidationError, match="block3_conv2"):
        validate_vgg16_notop(write_weights(tmp_path / "w.h5", shapes))


def test_missing_layer_is_refused(tmp_path):
    shapes = base_weight_shapes()
    del shapes["block5_conv3"]
    with pytest.raises(DataValidationError, match="block5_conv3"):
        validate_vgg16_notop(write_weights(tmp_path / "w.h5", shapes))


def test_truncated_file_is_refused(full_profile):
    good = write_weights(data_dir() / "full.h5", base_weight_shapes())
    target = data_dir() / VGG16_NOTOP.relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(good.read_bytes()[:1500])
    with pytest.raises(DataValidationError, match="truncated"):
        vgg16_weights()
    assert target.exists()  # nothing deleted behind the user's back
