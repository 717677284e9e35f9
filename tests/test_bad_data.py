"""Bad input placed in the data folder: one clear message naming the file, before any training,
and the user's files byte-identical afterwards. Every bad file here is made by hand in a temp folder.
"""

import hashlib
import os

import numpy as np
import pytest
from PIL import Image

from utils import cats_dogs, houses, mnist, traffic, vgg
from utils.data import DataError, DataUnavailableError, DataValidationError, data_dir


def snapshot(folder):
    """sha256 of every file below ``folder`` (symlinks as their target text, pipes and other
    special files by their kind, never opened), to prove nothing changed."""
    out = {}
    for dirpath, dirnames, names in os.walk(folder):
        for name in names + [
            d for d in dirnames if os.path.islink(os.path.join(dirpath, d))
        ]:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, folder)
            if os.path.islink(p):
                out[rel] = "link:" + os.readlink(p)
            elif not os.path.isfile(p):
                out[rel] = "special:" + oct(os.stat(p).st_mode)
            else:
                out[rel] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out


# --- photos ---------------------------------------------------------------------------------------


def write_jpeg(path, seed=0, size=(40, 30)):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(
        path, "JPEG"
    )
    return path


def break_photos(root):
    """The three broken photos of the report, in the validation and test splits."""
    good = (root / "train" / "cats" / "cat.0.jpg").read_bytes()
    (root / "validation" / "dogs" / "dog.1.jpg").write_bytes(b"")  # empty
    (root / "test" / "cats" / "cat.2.jpg").write_bytes(
        good[: len(good) // 2]
    )  # truncated JPEG
    (root / "test" / "dogs" / "dog.0.jpg").write_text(
        "this is not a photo\n"
    )  # text named .jpg


def test_broken_photos_are_listed_by_path_and_reason_before_training(
    full_profile, no_network, photo_folder
):
    break_photos(photo_folder)
    before = snapshot(photo_folder)
    with pytest.raises(DataValidationError) as info:
        cats_dogs.prepare_cats_and_dogs()
    msg = str(info.value)
    assert "3 of the 18 photos" in msg and "nothing has been trained yet" in msg
    assert "validation/dogs/dog.1.jpg: empty file" in msg
    assert "test/cats/cat.2.jpg: cannot be decoded" in msg
    assert "test/dogs/dog.0.jpg: cannot be decoded" in msg
    assert "never changes them" in msg
    # the loader the notebooks call refuses too, before any dataset is built
    with pytest.raises(DataValidationError, match="3 of the 18 photos"):
        cats_dogs.load_cats_and_dogs(photo_folder, 32, 4)
    assert snapshot(photo_folder) == before
    assert no_network == []


def test_good_photos_are_decoded_once_then_remembered(full_profile, photo_folder):
    first = cats_dogs.check_photos(photo_folder)
    assert (first.checked, first.decoded, first.bad) == (18, 18, [])
    again = cats_dogs.check_photos(photo_folder)
    assert (again.checked, again.decoded) == (18, 0)
    # a file replaced after the check is decoded again, and a now-broken one is caught
    target = photo_folder / "train" / "dogs" / "dog.2.jpg"
    target.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    os.utime(target, ns=(1, 1))
    with pytest.raises(
        DataValidationError, match="train/dogs/dog.2.jpg: cannot be decoded"
    ):
        cats_dogs.check_photos(photo_folder)


def test_macos_resource_forks_symlinks_and_nested_files_are_checked(
    full_profile, photo_folder
):
    # Keras reads every *.jpg below a class folder, hidden and nested ones too: so do we
    (photo_folder / "train" / "cats" / "._cat.0.jpg").write_bytes(
        b"\x00\x05\x16\x07 AppleDouble"
    )
    (photo_folder / "train" / "dogs" / "._dog.0.jpg").write_bytes(
        b"\x00\x05\x16\x07 AppleDouble"
    )
    os.symlink(
        photo_folder / "nowhere.jpg", photo_folder / "test" / "cats" / "cat.9.jpg"
    )
    os.symlink(
        photo_folder / "nowhere2.jpg", photo_folder / "test" / "dogs" / "dog.9.jpg"
    )
    before = snapshot(photo_folder)
    with pytest.raises(DataValidationError) as info:
        cats_dogs.prepare_cats_and_dogs()
    msg = str(info.value)
    assert "train/cats/._cat.0.jpg: cannot be decoded" in msg
    assert "test/cats/cat.9.jpg: cannot be read" in msg
    assert snapshot(photo_folder) == before


def test_unusual_but_decodable_photos_pass(full_profile, photo_folder):
    img = Image.fromarray(np.full((20, 20, 3), 128, np.uint8))
    img.convert("L").save(
        photo_folder / "train" / "cats" / "cat.0.jpg", "JPEG"
    )  # grayscale
    img.save(photo_folder / "train" / "dogs" / "dog.0.jpg", "PNG")  # a PNG named .jpg
    img.convert("CMYK").save(photo_folder / "test" / "cats" / "cat.0.jpg", "JPEG")
    assert cats_dogs.check_photos(photo_folder).bad == []


def test_an_empty_class_folder_is_refused(full_profile, photo_folder):
    for p in (photo_folder / "validation" / "dogs").iterdir():
        p.unlink()
    with pytest.raises(
        DataValidationError,
        match=r"validation/dogs holds no images: the validation split would have one",
    ):
        cats_dogs.prepare_cats_and_dogs()
    with pytest.raises(DataValidationError, match="holds no images"):
        cats_dogs.load_cats_and_dogs(photo_folder, 32, 4)


def test_an_unbalanced_split_is_refused(full_profile, photo_folder):
    write_jpeg(photo_folder / "test" / "cats" / "cat.extra.jpg")
    with pytest.raises(
        DataValidationError, match=r"test is not balanced \(4 cats, 3 dogs\)"
    ):
        cats_dogs.prepare_cats_and_dogs()


def test_photos_with_other_suffixes_are_ignored_as_keras_ignores_them(
    full_profile, photo_folder
):
    (photo_folder / "train" / "cats" / "notes.txt").write_text("not a photo, not read")
    assert cats_dogs.check_layout(photo_folder)["train"]["cats"] == 3
    assert cats_dogs.check_photos(photo_folder).bad == []


# --- traffic --------------------------------------------------------------------------------------


def write_traffic(path, times, volumes):
    path.parent.mkdir(parents=True, exist_ok=True)
    df = traffic.traffic_standin().iloc[: len(times)].copy()
    df["date_time"], df["traffic_volume"] = times, volumes
    df.to_csv(path, index=False, compression="gzip")
    return path


def test_duplicate_hours_that_disagree_name_the_timestamps(full_profile, no_network):
    times = [
        "2016-01-01 00:00:00",
        "2016-01-01 00:00:00",
        "2016-01-01 01:00:00",
        "2016-01-01 02:00:00",
        "2016-01-01 02:00:00",
    ]
    path = write_traffic(
        data_dir() / traffic.TRAFFIC.relpath, times, [100, 100, 200, 300, 0]
    )
    before = snapshot(data_dir())
    with pytest.raises(DataValidationError) as info:
        traffic.load_traffic()
    msg = str(info.value)
    assert str(path) in msg and "1 hour(s) appear more than once with different" in msg
    assert "2016-01-01 02:00 (0 vs 300)" in msg
    assert snapshot(data_dir()) == before


def test_negative_or_infinite_volumes_are_refused(tmp_path):
    path = write_traffic(
        tmp_path / "t.csv.gz", ["2016-01-01 00:00:00", "2016-01-01 01:00:00"], [-5, 10]
    )
    with pytest.raises(DataValidationError, match="negative, infinite or beyond"):
        traffic.read_traffic_csv(path)
    path = write_traffic(
        tmp_path / "u.csv.gz",
        ["2016-01-01 00:00:00", "2016-01-01 01:00:00"],
        [np.inf, 10],
    )
    with pytest.raises(DataValidationError, match="negative, infinite or beyond"):
        traffic.read_traffic_csv(path)


# --- houses ---------------------------------------------------------------------------------------


def test_text_saleprice_in_rows_that_already_miss_values_is_an_error(
    full_profile, no_network
):
    df = houses.house_prices_standin().astype({"SalePrice": object})
    rows = np.flatnonzero(df["LotFrontage"].isna().to_numpy())[
        :2
    ]  # rows the 1,121-row replica drops anyway
    df.loc[rows, "SalePrice"] = "call agent"
    path = data_dir() / houses.HOUSE_PRICES.relpath
    path.parent.mkdir(parents=True)
    df.to_csv(path, index=False)
    before = snapshot(data_dir())
    with (
        pytest.raises(DataValidationError) as info,
        pytest.warns(UserWarning, match="SalePrice"),
    ):
        houses.load_house_prices()
    msg = str(info.value)
    assert str(path) in msg and "2 row(s) have no usable SalePrice" in msg
    assert f"CSV line(s) {[int(r) + 2 for r in rows]}" in msg
    assert snapshot(data_dir()) == before


@pytest.mark.parametrize("price", ["", "0", "-100", "inf"])
def test_missing_zero_negative_or_infinite_prices_are_errors(tmp_path, price):
    df = houses.house_prices_standin().astype({"SalePrice": object})
    df.loc[7, "SalePrice"] = price
    path = tmp_path / "h.csv"
    df.to_csv(path, index=False)
    with pytest.raises(
        DataValidationError,
        match=r"1 row\(s\) have no usable SalePrice.*line\(s\) \[9\]",
    ):
        houses.read_house_csv(path)


def test_infinite_feature_value_is_an_error(tmp_path):
    df = houses.house_prices_standin().astype({"LotArea": object})
    df.loc[4, "LotArea"] = "inf"
    path = tmp_path / "h.csv"
    df.to_csv(path, index=False)
    with pytest.raises(
        DataValidationError,
        match=r"'LotArea' holds infinite values .*: CSV lines \[6\]",
    ):
        houses.read_house_csv(path)


# --- read-only and missing data folders -----------------------------------------------------------


LOADERS = {
    "mnist": (mnist.load_mnist, mnist.MNIST),
    "traffic": (traffic.load_traffic, traffic.TRAFFIC),
    "houses": (houses.load_house_prices, houses.HOUSE_PRICES),
    "vgg16": (vgg.vgg16_weights, vgg.VGG16_NOTOP),
}


@pytest.mark.parametrize("name", LOADERS)
def test_a_missing_data_folder_is_not_created_by_a_failed_load(
    full_profile, no_network, name
):
    load, remote = LOADERS[name]
    assert not data_dir().exists()
    with pytest.raises(DataUnavailableError) as info:
        load()
    assert f"Put it here:        {data_dir() / remote.relpath}" in str(info.value)
    assert remote.url in str(info.value)
    assert not data_dir().exists()


def test_a_missing_photo_folder_is_not_created_either(full_profile, no_network):
    with pytest.raises(DataUnavailableError, match="kagglecatsanddogs"):
        cats_dogs.prepare_cats_and_dogs()
    assert not data_dir().exists()


@pytest.mark.parametrize("name", LOADERS)
def test_a_read_only_data_folder_gets_the_put_file_in_dir_message(
    full_profile, monkeypatch, name
):
    load, remote = LOADERS[name]
    data_dir().mkdir(parents=True)
    (data_dir() / "mine.txt").write_text("a user's file\n")
    before = snapshot(data_dir())
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode)
    )
    with pytest.raises(
        DataUnavailableError
    ) as info:  # tests run as root, so chmod alone would not bite
        load()
    msg = str(info.value)
    assert (
        f"Put it here:        {data_dir() / remote.relpath}" in msg
        and remote.url in msg
    )
    assert "is read-only" in msg
    assert snapshot(data_dir()) == before


def test_a_download_that_cannot_be_written_leaves_nothing(full_profile, monkeypatch):
    """The folder looks writable but writing fails (full disk, a real read-only mount): clear message."""
    import shutil

    import keras

    def fake_get_file(
        fname, origin, file_hash, hash_algorithm, cache_dir, cache_subdir
    ):
        path = os.path.join(cache_dir, cache_subdir, fname)
        open(path, "wb").write(b"x")
        return path

    def no_space(src, dst, *args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    monkeypatch.setattr(
        "utils.data.file_digest",
        lambda path, algorithm="sha256": traffic.TRAFFIC.file_hash,
    )
    monkeypatch.setattr("utils.traffic.validate_traffic_file", lambda path: None)
    monkeypatch.setattr(shutil, "copyfileobj", no_space)
    data_dir().mkdir(parents=True)
    with pytest.raises(DataUnavailableError, match="No space left on device") as info:
        traffic.load_traffic()
    assert str(data_dir() / traffic.TRAFFIC.relpath) in str(info.value)
    assert snapshot(data_dir()) == {}
    assert list(data_dir().iterdir()) == []  # not even the traffic/ folder it made


# --- VGG16 weights --------------------------------------------------------------------------------


def test_weights_with_one_damaged_block_of_the_right_size_are_refused(
    full_profile, no_network, monkeypatch
):
    from test_vgg import write_weights

    path, digests = write_weights(
        data_dir() / vgg.VGG16_NOTOP.relpath, vgg.base_weight_shapes(), seed=3
    )
    monkeypatch.setattr("utils.vgg.VGG16_ARRAY_SHA256", digests)
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    raw[middle : middle + 4096] = (
        np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    )
    path.write_bytes(bytes(raw))
    before = snapshot(data_dir())
    with pytest.raises(DataValidationError) as info:
        vgg.vgg16_weights()
    msg = str(info.value)
    assert str(path) in msg and "placed by hand but its content is wrong" in msg
    assert "differ from the published ones" in msg or "non-finite" in msg
    assert snapshot(data_dir()) == before


def test_weights_with_nan_values_are_refused(tmp_path, monkeypatch):
    import h5py

    from test_vgg import write_weights

    path, digests = write_weights(tmp_path / "w.h5", vgg.base_weight_shapes(), seed=4)
    with h5py.File(path, "r+") as f:
        f["block2_conv1/block2_conv1/bias:0"][5] = np.nan
    with pytest.raises(
        DataValidationError, match="block2_conv1 bias holds 1 non-finite"
    ):
        vgg.validate_vgg16_notop(path, digests)


def test_every_loader_error_is_a_data_error():
    # one base class a notebook (or a learner) can catch
    for cls in (DataUnavailableError, DataValidationError):
        assert issubclass(cls, DataError)
