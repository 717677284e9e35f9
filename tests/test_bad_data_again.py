"""Bad input, second attack: no hang, no raw error, no silent wrong values, nothing written
through a link. Each case is a hand-made file in a temp folder; each asserts one message that
names the file (before any training) and that the user's files are byte-identical afterwards.
"""

from __future__ import annotations

import codecs
import json
import os
import signal
import struct
import zlib
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from test_bad_data import snapshot, write_jpeg, write_traffic

from utils import cats_dogs, houses, mnist, traffic
from utils.data import DataValidationError, data_dir


@contextmanager
def unchanged(folder):
    """The user's files below ``folder`` are byte-identical after the block (which may raise)."""
    before = snapshot(folder)
    yield
    assert snapshot(folder) == before


@contextmanager
def no_hang(seconds: int = 20):
    """Fail the test instead of waiting forever (a loader blocked on a named pipe)."""

    def stop(signum, frame):
        raise TimeoutError(f"blocked for {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def house_csv(path, edit=None, **to_csv):
    """The stand-in frame as a CSV file, after ``edit(df)``."""
    df = houses.house_prices_standin()
    if edit is not None:
        df = edit(df)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, **to_csv)
    return path


def hours(n, start="2016-01-01"):
    return list(pd.date_range(start, periods=n, freq="h").strftime("%Y-%m-%d %H:%M:%S"))


# --- values that become wrong in float32 ----------------------------------------------------------


def test_a_price_beyond_float32_is_refused_by_line(tmp_path):
    def huge_price(df):
        df["SalePrice"] = df["SalePrice"].astype("float64")
        df.loc[6, "SalePrice"] = 1e39  # finite in float64, infinite in float32
        return df

    path = house_csv(tmp_path / "h.csv", huge_price)
    before = snapshot(tmp_path)
    with pytest.raises(
        DataValidationError, match=r"beyond float32's range.*line\(s\) \[8\]"
    ) as info:
        houses.read_house_csv(path)
    assert str(path) in str(info.value)
    assert snapshot(tmp_path) == before


def test_a_feature_beyond_float32_is_refused_by_column_and_line(tmp_path):
    def huge_area(df):
        df["GrLivArea"] = df["GrLivArea"].astype("float64")
        df.loc[2, "GrLivArea"] = -1e39
        return df

    path = house_csv(tmp_path / "h.csv", huge_area)
    with (
        unchanged(tmp_path),
        pytest.raises(
            DataValidationError, match=r"'GrLivArea'.*float32.*lines \[4\]"
        ) as info,
    ):
        houses.read_house_csv(path)
    assert str(path) in str(info.value)


def test_an_all_zero_traffic_volume_is_refused(tmp_path):
    path = write_traffic(tmp_path / "t.csv.gz", hours(48), [0] * 48)
    before = snapshot(tmp_path)
    with pytest.raises(
        DataValidationError, match="every 'traffic_volume' is 0"
    ) as info:
        traffic.read_traffic_csv(path)
    assert str(path) in str(info.value)
    assert snapshot(tmp_path) == before


# --- dates misread ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "times, why",
    [
        ([str(1451606400 + 3600 * i) for i in range(4)], "epoch seconds"),
        (
            [
                "13/01/2016 00:00:00",
                "13/01/2016 01:00:00",
                "13/01/2016 02:00:00",
                "13/01/2016 03:00:00",
            ],
            "day first",
        ),
        (
            [
                "2016-01-01 00:00:00+00:00",
                "2016-01-01 01:00:00-06:00",
                "2016-01-01 02:00:00",
                "2016-01-01 03:00:00",
            ],
            "time zones",
        ),
    ],
)
def test_dates_in_another_format_are_refused_not_guessed(tmp_path, times, why):
    path = write_traffic(tmp_path / "t.csv.gz", times, [10, 20, 30, 40])
    with (
        unchanged(tmp_path),
        pytest.raises(
            DataValidationError, match="not dates written as YYYY-MM-DD HH:MM:SS"
        ) as info,
    ):
        traffic.read_traffic_csv(path)
    assert str(path) in str(info.value) and "rows [2, 3" in str(info.value), why


def test_a_date_far_in_the_future_is_refused_before_any_grid(tmp_path):
    times = hours(47) + ["9999-12-31 23:00:00"]
    path = write_traffic(tmp_path / "t.csv.gz", times, list(range(1, 49)))
    with (
        unchanged(tmp_path),
        no_hang(),
        pytest.raises(
            DataValidationError, match=r"outside 1990-01-01 \.\. today.*rows \[49\]"
        ) as info,
    ):
        traffic.read_traffic_csv(path)
    assert str(path) in str(info.value)


def test_an_hourly_grid_too_long_for_memory_is_refused():
    raw = pd.DataFrame(
        {
            "date_time": pd.to_datetime(["1990-01-01", "2099-01-01"]),
            "traffic_volume": [1.0, 2.0],
        }
    )
    with pytest.raises(DataValidationError, match=r"more than [\d,]+ \(50 years\)"):
        traffic.hourly_series(raw)


# --- hangs and runaway memory ----------------------------------------------------------------------


def test_a_named_pipe_instead_of_mnist_is_named_not_read(full_profile, no_network):
    pipe = data_dir() / mnist.MNIST.relpath
    pipe.parent.mkdir(parents=True)
    os.mkfifo(pipe)
    with (
        unchanged(data_dir()),
        no_hang(),
        pytest.raises(DataValidationError, match="named pipe") as info,
    ):
        mnist.load_mnist()
    assert str(pipe) in str(info.value)
    assert no_network == []


def test_a_named_pipe_among_the_photos_is_named_not_read(full_profile, photo_folder):
    pipe = photo_folder / "train" / "dogs" / "dog.9.jpg"
    os.mkfifo(pipe)
    with (
        unchanged(photo_folder),
        no_hang(),
        pytest.raises(DataValidationError, match=r"dog\.9\.jpg: a named pipe"),
    ):
        cats_dogs.prepare_cats_and_dogs()


def png_header_only(path, width, height):
    """A valid PNG signature and header that declares ``width`` x ``height``, and a tiny body."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    body = zlib.compress(b"\0" * 1000)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", body)
        + chunk(b"IEND", b"")
    )
    return path


@pytest.mark.parametrize("side", [8_000, 20_000])
def test_a_photo_that_declares_too_many_pixels_is_refused_before_decoding(
    full_profile, photo_folder, monkeypatch, side
):
    cats_dogs.check_photos(photo_folder)  # the good photos' verdicts are remembered
    bomb = png_header_only(photo_folder / "train" / "cats" / "cat.7.png", side, side)
    assert bomb.stat().st_size < 50_000
    before = snapshot(photo_folder)

    def no_decoding(*args, **kwargs):
        raise AssertionError("the file was decoded")

    import tensorflow as tf

    monkeypatch.setattr(tf.io, "decode_image", no_decoding)
    with pytest.raises(
        DataValidationError, match=r"cat\.7\.png: .*(megapixel|too large)"
    ):
        cats_dogs.check_photos(photo_folder)
    assert snapshot(photo_folder) == before


# --- raw errors a learner cannot act on ----------------------------------------------------------


def test_a_windows_1252_house_csv_names_the_file_and_line(tmp_path):
    def excel(df):
        df = df.astype({"Neighborhood": object})
        df.loc[3, "Neighborhood"] = "Caf\u00e9"
        return df

    path = house_csv(tmp_path / "h.csv", excel, encoding="cp1252")
    before = snapshot(tmp_path)
    with pytest.raises(
        DataValidationError, match=r"not UTF-8 text: byte 0xe9 on line 5.*CSV UTF-8"
    ) as info:
        houses.read_house_csv(path)
    assert str(path) in str(info.value)
    assert snapshot(tmp_path) == before


def test_a_house_csv_with_only_a_byte_order_mark_is_empty(tmp_path):
    path = tmp_path / "h.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"\n")
    with (
        unchanged(tmp_path),
        pytest.raises(
            DataValidationError, match="is empty \\(only a byte-order mark\\)"
        ),
    ):
        houses.read_house_csv(path)


def test_a_utf8_house_csv_with_a_byte_order_mark_loads(tmp_path):
    path = house_csv(tmp_path / "h.csv", encoding="utf-8-sig")
    assert len(houses.read_house_csv(path)) == houses.ROWS


def test_mixed_time_zones_are_named(tmp_path):
    times = hours(3) + ["2016-01-01 03:00:00+01:00"]
    path = write_traffic(tmp_path / "t.csv.gz", times, [1, 2, 3, 4])
    with (
        unchanged(tmp_path),
        pytest.raises(DataValidationError, match=r"no time zone.*rows \[5\]"),
    ):
        traffic.read_traffic_csv(path)


@pytest.mark.parametrize("loader", ["houses", "traffic", "mnist"])
def test_a_folder_where_the_file_should_be_is_named(full_profile, no_network, loader):
    load, remote = {
        "houses": (houses.load_house_prices, houses.HOUSE_PRICES),
        "traffic": (traffic.load_traffic, traffic.TRAFFIC),
        "mnist": (mnist.load_mnist, mnist.MNIST),
    }[loader]
    folder = data_dir() / remote.relpath
    folder.mkdir(parents=True)
    with (
        unchanged(data_dir()),
        pytest.raises(
            DataValidationError, match="is a folder where a file should be"
        ) as info,
    ):
        load()
    assert str(folder) in str(info.value)
    assert folder.is_dir() and no_network == []


def test_a_folder_named_like_a_photo_is_named(full_profile, photo_folder):
    (photo_folder / "test" / "cats" / "cat.8.jpg").mkdir()
    with (
        unchanged(photo_folder),
        pytest.raises(DataValidationError, match=r"cat\.8\.jpg: a folder, not a photo"),
    ):
        cats_dogs.prepare_cats_and_dogs()


def test_a_file_we_may_not_read_is_named(
    full_profile, no_network, monkeypatch, tmp_path
):
    path = house_csv(data_dir() / houses.HOUSE_PRICES.relpath)
    real_access = os.access
    # tests run as root, for whom chmod 000 does not bite: deny read access as a user would see it
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode: (
            False if (mode == os.R_OK and str(p) == str(path)) else real_access(p, mode)
        ),
    )
    with (
        unchanged(data_dir()),
        pytest.raises(
            DataValidationError, match=r"cannot be read \(permission denied\)"
        ) as info,
    ):
        houses.load_house_prices()
    assert str(path) in str(info.value) and no_network == []


@pytest.mark.parametrize(
    "junk", ["[]", '"text"', "42", '{"v2|abc": ["not", "a verdict"]}']
)
def test_a_damaged_verdict_cache_is_ignored(full_profile, photo_folder, junk):
    cache = cats_dogs._verdict_cache_path()
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(junk)
    result = cats_dogs.check_photos(photo_folder)
    assert result.bad == [] and result.decoded == result.checked == 18
    assert isinstance(json.loads(cache.read_text()), dict)


def test_a_photo_name_that_is_not_utf8_is_named(full_profile, photo_folder):
    good = (photo_folder / "train" / "cats" / "cat.0.jpg").read_bytes()
    folder = os.fsencode(photo_folder / "train" / "cats")
    with open(os.path.join(folder, b"cat.\xff\xfe.jpg"), "wb") as f:
        f.write(good)
    with (
        unchanged(photo_folder),
        pytest.raises(DataValidationError, match="name is not valid UTF-8") as info,
    ):
        cats_dogs.prepare_cats_and_dogs()
    assert r"cat.\udcff\udcfe.jpg" in str(info.value)


def test_repeated_house_ids_are_refused_before_training(tmp_path):
    def repeat(df):
        df.loc[range(100, 200), "Id"] = df.loc[range(0, 100), "Id"].to_numpy()
        return df

    path = house_csv(tmp_path / "h.csv", repeat)
    with (
        unchanged(tmp_path),
        pytest.raises(
            DataValidationError,
            match=r"100 Id value\(s\) appear on more than one row \(Id 1, 2, 3",
        ) as info,
    ):
        houses.read_house_csv(path)
    assert str(path) in str(info.value)


# --- good input refused ---------------------------------------------------------------------------


def test_a_clean_gap_free_traffic_file_loads_and_cleans(full_profile, no_network):
    n = 24 * 40
    volumes = (1000 + 500 * np.sin(np.arange(n) * 2 * np.pi / 24)).round().astype(int)
    write_traffic(data_dir() / traffic.TRAFFIC.relpath, hours(n), volumes)
    raw = traffic.read_traffic_csv(data_dir() / traffic.TRAFFIC.relpath)
    hourly = traffic.hourly_series(raw)
    assert len(traffic.gap_lengths(hourly)) == 0
    filled, was_filled = traffic.fill_short_gaps(hourly, 12)
    series = traffic.last_contiguous(filled, 24 * 30)
    assert len(series) == 24 * 30 and not was_filled.any()
    assert np.isfinite(series.to_numpy()).all()


# --- writing through a link ------------------------------------------------------------------------


def test_a_planted_partial_link_is_not_written_through(
    full_profile, monkeypatch, tmp_path
):
    import keras

    published = house_csv(tmp_path / "published.csv")
    outside = tmp_path / "outside.txt"
    outside.write_text("a file outside the data folder\n")
    folder = data_dir() / "house_prices"
    folder.mkdir(parents=True)
    # every name the old code could have used for its temporary file, as links to the outside
    for pid in {os.getpid(), os.getpid() + 1}:
        (folder / f".partial-train.csv-{pid}").symlink_to(outside)

    def fake_get_file(
        fname, origin, file_hash, hash_algorithm, cache_dir, cache_subdir
    ):
        path = os.path.join(cache_dir, cache_subdir, fname)
        with open(path, "wb") as f:
            f.write(published.read_bytes())
        return path

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    monkeypatch.setattr(
        "utils.data.file_digest",
        lambda path, algorithm="sha256": houses.HOUSE_PRICES.file_hash,
    )
    houses.load_house_prices()
    assert outside.read_text() == "a file outside the data folder\n"
    target = folder / "train.csv"
    assert target.is_file() and not target.is_symlink()
    assert target.read_bytes() == published.read_bytes()


def test_results_are_not_written_through_a_planted_link(tmp_path, monkeypatch):
    from utils import results

    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    folder = tmp_path / "results" / "quick"
    folder.mkdir(parents=True)
    (folder / "99_demo.json.tmp").symlink_to(outside)
    monkeypatch.setenv("DNN_PROFILE", "quick")
    results.record("99_demo", "x", 1.0)
    assert outside.read_text() == "keep me\n"
    assert (
        json.loads((folder / "99_demo.json").read_text())["metrics"]["x"]["value"]
        == 1.0
    )


# --- also -----------------------------------------------------------------------------------------


def test_a_bad_photo_is_named_before_the_classes_are_counted(
    full_profile, photo_folder
):
    (photo_folder / "validation" / "cats" / "cat.0.jpg").write_text("not a photo\n")
    write_jpeg(photo_folder / "validation" / "cats" / "cat.3.jpg")  # 4 cats, 3 dogs
    with unchanged(photo_folder), pytest.raises(DataValidationError) as info:
        cats_dogs.prepare_cats_and_dogs()
    assert "cat.0.jpg" in str(info.value) and "not balanced" not in str(info.value)


def test_a_photo_changed_in_place_is_checked_again(full_profile, photo_folder):
    photo = photo_folder / "test" / "dogs" / "dog.1.jpg"
    cats_dogs.check_photos(photo_folder)  # every verdict remembered
    st = photo.stat()
    data = bytearray(photo.read_bytes())
    data[len(data) // 2 :] = b"\0" * (len(data) - len(data) // 2)  # same size, broken
    photo.write_bytes(bytes(data[:20]) + b"\xff" * (len(data) - 20))
    os.utime(photo, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and time kept
    assert (
        photo.stat().st_size == st.st_size
        and photo.stat().st_mtime_ns == st.st_mtime_ns
    )
    with (
        unchanged(photo_folder),
        pytest.raises(DataValidationError, match=r"dog\.1\.jpg: cannot be decoded"),
    ):
        cats_dogs.check_photos(photo_folder)


def test_a_readable_large_but_allowed_photo_passes(full_profile, photo_folder):
    Image.new("RGB", (2000, 1500), (120, 80, 40)).save(
        photo_folder / "train" / "cats" / "cat.9.jpg"
    )
    write_jpeg(photo_folder / "train" / "dogs" / "dog.9.jpg")
    cats_dogs.prepare_cats_and_dogs()
