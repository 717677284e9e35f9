"""Cats vs dogs: subset builder, corrupt-file handling, layout checks, stand-in."""

import io

import numpy as np
import pytest
from PIL import Image

from utils import cats_dogs
from utils.data import DataUnavailableError, DataValidationError, data_dir

SIZES = {"train": 3, "validation": 2, "test": 1}


def jpeg_bytes(mode="RGB", size=(40, 30), color=None):
    buf = io.BytesIO()
    Image.new(
        mode,
        size,
        color
        if color is not None
        else (120, 60, 30)[: len(mode)]
        if mode != "L"
        else 128,
    ).save(buf, "JPEG")
    return buf.getvalue()


def make_class_folder(folder, n_good=7, bad=True):
    folder.mkdir(parents=True)
    for i in range(n_good):
        (folder / f"{10 + i}.jpg").write_bytes(jpeg_bytes())
    if bad:
        (folder / "0.jpg").write_bytes(b"")  # zero bytes
        (folder / "1.jpg").write_bytes(
            jpeg_bytes(size=(200, 200))[:300]
        )  # truncated JPEG
        (folder / "2.jpg").write_text("this is not a picture")  # text named .jpg
        buf = io.BytesIO()
        Image.new("RGB", (20, 20), (0, 200, 0)).save(buf, "PNG")
        (folder / "3.jpg").write_bytes(buf.getvalue())  # a PNG named .jpg
        (folder / "4.jpg").write_bytes(jpeg_bytes("L"))  # grayscale JPEG
        (folder / "5.jpg").write_bytes(
            jpeg_bytes("CMYK", color=(0, 50, 100, 0))
        )  # CMYK JPEG
    return folder


@pytest.fixture
def sources(tmp_path):
    return {
        "cats": make_class_folder(tmp_path / "src" / "Cat"),
        "dogs": make_class_folder(tmp_path / "src" / "Dog"),
    }


def test_unreadable_files_are_skipped_and_named_readable_ones_converted(
    sources, tmp_path
):
    out = tmp_path / "subset"
    with pytest.warns(
        UserWarning,
        match=r"skipped 6 unreadable file\(s\): 0\.jpg \(empty file\), 1\.jpg",
    ):
        report = cats_dogs.build_subset(sources, out, SIZES)
    reasons = sorted({why.split(" (")[0] for _, why in report.skipped})
    assert reasons == ["cannot be decoded", "empty file", "not an image"]
    assert sorted({why for _, why in report.converted}) == [
        "CMYK JPEG",
        "L JPEG",
        "PNG image",
    ]
    assert report.counts == {s: {"cats": n, "dogs": n} for s, n in SIZES.items()}
    for path in out.rglob("*.jpg"):
        with Image.open(path) as img:
            assert img.format == "JPEG" and img.mode == "RGB"


def test_every_written_file_decodes_with_tensorflow(sources, tmp_path):
    import tensorflow as tf

    with pytest.warns(UserWarning):
        cats_dogs.build_subset(sources, tmp_path / "subset", SIZES)
    for path in (tmp_path / "subset").rglob("*.jpg"):
        assert tf.io.decode_jpeg(tf.io.read_file(str(path)), channels=3).shape[-1] == 3


def test_build_is_idempotent(sources, tmp_path):
    out = tmp_path / "subset"
    with pytest.warns(UserWarning):
        cats_dogs.build_subset(sources, out, SIZES)
    before = sorted(p.stat().st_mtime_ns for p in out.rglob("*.jpg"))
    again = cats_dogs.build_subset(sources, out, SIZES)
    assert again.already_built and "nothing copied" in again.summary()
    assert sorted(p.stat().st_mtime_ns for p in out.rglob("*.jpg")) == before


def test_half_built_folder_is_not_mistaken_for_a_subset(sources, tmp_path):
    out = tmp_path / "subset"
    (out / "train").mkdir(parents=True)
    (out / "train" / "junk.txt").write_text("x")
    with pytest.raises(DataValidationError, match="not built completely"):
        cats_dogs.build_subset(sources, out, SIZES)


def test_too_few_readable_images_is_a_clear_error(tmp_path):
    srcs = {
        "cats": make_class_folder(tmp_path / "c", n_good=1, bad=False),
        "dogs": make_class_folder(tmp_path / "d", n_good=1, bad=False),
    }
    with pytest.raises(DataValidationError, match="only 1 readable images"):
        cats_dogs.build_subset(srcs, tmp_path / "subset", SIZES)
    assert not (tmp_path / "subset").exists()  # nothing half-built left behind
    assert not list(tmp_path.glob(".building-*"))


def test_missing_class_folder_and_empty_split_are_named(sources, tmp_path):
    out = tmp_path / "subset"
    with pytest.warns(UserWarning):
        cats_dogs.build_subset(sources, out, SIZES)
    assert cats_dogs.check_layout(out)["train"] == {"cats": 3, "dogs": 3}
    for p in (out / "test" / "cats").iterdir():
        p.unlink()
    for p in (out / "test" / "dogs").iterdir():
        p.unlink()
    with pytest.raises(DataValidationError, match=r"split .*test holds no images"):
        cats_dogs.check_layout(out)
    (out / "test" / "dogs").rmdir()
    with pytest.raises(DataValidationError, match=r"missing class folder .*test/dogs"):
        cats_dogs.check_layout(out)


def test_standin_folder_has_the_layout_and_loads(monkeypatch, no_network):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    root, report = cats_dogs.prepare_cats_and_dogs()
    assert cats_dogs.check_layout(root) == {
        s: {"cats": n, "dogs": n} for s, n in cats_dogs.STANDIN_SIZES.items()
    }
    train, val, test = cats_dogs.load_cats_and_dogs(root, image_size=64, batch_size=8)
    images, labels = next(iter(train))
    assert images.shape == (8, 64, 64, 3) and labels.shape == (8, 1)
    assert sorted(
        np.unique(np.concatenate([y.numpy().ravel() for _, y in test])).tolist()
    ) == [0.0, 1.0]
    assert no_network == []
    _, again = cats_dogs.prepare_cats_and_dogs()
    assert again.already_built


def test_hand_placed_subset_is_used_as_is(full_profile, no_network, sources, tmp_path):
    with pytest.warns(UserWarning):
        cats_dogs.build_subset(sources, data_dir() / cats_dogs.SUBSET, SIZES)
    root, report = cats_dogs.prepare_cats_and_dogs()
    assert root == data_dir() / cats_dogs.SUBSET and report is None
    assert no_network == []


def test_full_profile_offline_without_data_names_the_archive(full_profile, no_network):
    with pytest.raises(DataUnavailableError, match="kagglecatsanddogs_5340.zip"):
        cats_dogs.prepare_cats_and_dogs()


def test_subset_built_from_a_downloaded_archive(
    full_profile, monkeypatch, sources, tmp_path
):
    import zipfile

    archive = tmp_path / "pets.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for cls, folder in (("Cat", sources["cats"]), ("Dog", sources["dogs"])):
            for p in folder.iterdir():
                zf.write(p, f"PetImages/{cls}/{p.name}")
        zf.writestr("PetImages/Cat/Thumbs.db", b"junk")
    monkeypatch.setattr(cats_dogs, "fetch", lambda remote: archive)
    monkeypatch.setattr(cats_dogs, "FULL_SIZES", SIZES)
    monkeypatch.setattr(cats_dogs.prepare_cats_and_dogs, "__defaults__", (None,))
    with pytest.warns(UserWarning, match="skipped 6"):
        root, report = cats_dogs.prepare_cats_and_dogs()
    assert cats_dogs.check_layout(root)["validation"] == {"cats": 2, "dogs": 2}
