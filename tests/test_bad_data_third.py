"""Bad input, third attack: nothing read from outside the data folder, no results lost, no hang or
memory runaway, no leftovers, nothing silently wrong, no raw error, no good input refused.

Every case is a small file made here in a temp folder (big ones are sparse, or the limits are
lowered); each ends in one clear message naming the file before training, a counted warning, or
a correct load, and the user's files are byte-identical afterwards.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from test_bad_data import write_jpeg, write_traffic
from test_bad_data_again import house_csv, hours, no_hang, unchanged
from test_vgg import write_weights

from utils import cats_dogs, houses, mnist, results, traffic, vgg
from utils.data import DataValidationError, data_dir, write_atomically

WEIGHTS = vgg.VGG16_NOTOP.relpath


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def same_stat(path: Path) -> tuple:
    """Size and modification time: how a sparse giant is shown unchanged without reading it."""
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def sparse(path: Path, size: int, head: bytes = b"") -> Path:
    """A file of ``size`` bytes that takes no disk space (its tail is a hole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size)
    return path


# --- 1. HDF5 files that point elsewhere -----------------------------------------------------------


def _point_elsewhere(kind: str, f: h5py.File, outside: Path) -> None:
    group = f["block1_conv1/block1_conv1"]
    if kind == "external link":
        group["extra:0"] = h5py.ExternalLink(str(outside), "/data")
    elif kind == "soft link":
        group["extra:0"] = h5py.SoftLink("/block2_conv1/block2_conv1/kernel:0")
    elif kind == "external storage":
        group.create_dataset(
            "extra:0", shape=(64,), dtype="float32", external=[(str(outside), 0, 256)]
        )
    elif kind == "external storage /dev/zero":
        group.create_dataset(
            "extra:0", shape=(64,), dtype="float32", external=[("/dev/zero", 0, 256)]
        )
    elif kind == "virtual dataset":
        layout = h5py.VirtualLayout(shape=(64,), dtype="float32")
        layout[:] = h5py.VirtualSource(str(outside), "data", shape=(64,))
        group.create_virtual_dataset("extra:0", layout)
    elif kind == "huge declared dataset":
        group.create_dataset(
            "a:0", shape=(3, 3, 64, 10**9), dtype="float32", chunks=(1, 1, 1, 4096)
        )
    elif kind == "a group linked into itself":
        group["loop"] = group
    elif kind == "a 1 GiB chunk":
        group.create_dataset(
            "extra:0",
            shape=(64,),
            maxshape=(None,),
            chunks=(1 << 28,),
            dtype="float32",
            compression="gzip",
        )
    elif kind == "string dataset":
        group.create_dataset("extra:0", data=np.array([b"x" * 100]))


@pytest.mark.parametrize(
    "kind, says",
    [
        ("external link", "external link"),
        ("soft link", "soft link"),
        ("external storage", "external file"),
        ("external storage /dev/zero", "external file"),
        ("virtual dataset", "virtual dataset"),
        ("huge declared dataset", "declares 576,000,000,000 values"),
        ("a group linked into itself", "already linked"),
        ("string dataset", "not floating-point"),
        ("a 1 GiB chunk", "chunks of 268,435,456 values"),
    ],
)
def test_an_hdf5_file_pointing_elsewhere_is_refused_before_reading_it(
    full_profile, no_network, monkeypatch, tmp_path, kind, says
):
    path = write_weights(data_dir() / WEIGHTS, vgg.base_weight_shapes())
    outside = fifo(
        tmp_path / "outside" / "pipe"
    )  # opening it would block: proof of no read
    with h5py.File(path, "a") as f:
        _point_elsewhere(kind, f, outside)

    def no_keras(*args, **kwargs):
        raise AssertionError("Keras must not open a file that points elsewhere")

    monkeypatch.setattr(vgg, "check_what_keras_loads", no_keras)
    with (
        unchanged(data_dir()),
        no_hang(20),
        pytest.raises(DataValidationError, match=says) as info,
    ):
        vgg.vgg16_weights()
    assert str(path) in str(info.value) and vgg.VGG16_NOTOP.url in str(info.value)
    assert no_network == []


def test_an_hdf5_filter_that_would_load_a_plugin_is_refused(tmp_path):
    path = write_weights(tmp_path / "w.h5", vgg.base_weight_shapes())
    with h5py.File(path, "a") as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((8,))
        dcpl.set_filter(32004, h5py.h5z.FLAG_OPTIONAL)  # LZ4: a plugin, not built in
        space = h5py.h5s.create_simple((64,))
        h5py.h5d.create(
            f["block1_conv1"].id, b"extra", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl
        )
    with unchanged(tmp_path), pytest.raises(DataValidationError, match="plugin"):
        vgg.validate_vgg16_notop(path)


def test_a_weights_file_padded_to_gigabytes_is_refused_from_its_size(full_profile):
    path = sparse(data_dir() / WEIGHTS, 3 << 30, head=b"\x89HDF\r\n\x1a\n")
    before = same_stat(path)
    with pytest.raises(DataValidationError, match="3.0 GiB") as info:
        vgg.vgg16_weights()
    assert same_stat(path) == before
    assert str(path) in str(info.value)


def test_a_weights_file_held_open_by_another_program_still_loads(
    full_profile, no_network, monkeypatch
):
    path, digests = write_weights(
        data_dir() / WEIGHTS, vgg.base_weight_shapes(), seed=5
    )
    monkeypatch.setattr("utils.vgg.VGG16_ARRAY_SHA256", digests)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, h5py; f = h5py.File(sys.argv[1], 'r+'); "
            "print('open', flush=True); time.sleep(120)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(OSError, match="lock"):  # what HDF5 alone does
            h5py.File(path, "r")
        with pytest.warns(UserWarning, match="content checks out"):
            weights = vgg.vgg16_weights()
        base = vgg.vgg16_base(weights, image_shape=(32, 32, 3))
        assert base.count_params() == 14_714_688
    finally:
        holder.kill()
        holder.wait()


# --- 2. lost results ------------------------------------------------------------------------------


def _racer(first: int, go: str) -> None:
    while not os.path.exists(go):
        time.sleep(0.005)
    for i in range(first, first + 40):
        results.record("race", f"m{i:02d}", float(i))


def test_two_processes_recording_at_once_keep_all_80_metrics(tmp_path):
    import multiprocessing

    # forked from this process (utils already imported), so both start recording at once
    fork = multiprocessing.get_context("fork")
    go = tmp_path / "go"
    procs = [fork.Process(target=_racer, args=(first, str(go))) for first in (0, 40)]
    for p in procs:
        p.start()
    time.sleep(0.5)
    go.touch()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    path = Path(os.environ["DNN_RESULTS_DIR"]) / "full" / "race.json"
    data = json.loads(path.read_text())
    assert sorted(data["metrics"]) == [f"m{i:02d}" for i in range(80)]
    assert not list(path.parent.glob(".partial-*"))


@pytest.mark.parametrize(
    "damage, why",
    [
        (b'{"notebook": "nb", "metrics": {"a": {"value": 1', "not valid JSON"),
        (b'{"notebook": "nb\xff", "metrics": {}}', "not UTF-8"),
        (b'[{"name": "a"}]', "a JSON list"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"notebook": "nb", "metrics": [1, 2]}', "'metrics' is not an object"),
    ],
)
def test_a_damaged_results_file_is_set_aside_not_overwritten(full_profile, damage, why):
    folder = results.run_folder()
    folder.mkdir(parents=True)
    path = folder / "nb.json"
    path.write_bytes(damage)
    with pytest.warns(UserWarning, match="could not be read") as caught:
        results.check_results_folder()  # the setup cell names it, before training
    assert str(path) in str(caught[0].message)
    assert path.read_bytes() == damage
    with pytest.warns(UserWarning, match=why) as caught:
        results.record("nb", "b", 2.0)
    message = str(caught[0].message)
    assert str(path) in message and "kept as nb.json.damaged-" in message
    (aside,) = folder.glob("nb.json.damaged-*")
    assert aside.read_bytes() == damage  # nothing lost
    assert json.loads(path.read_text())["metrics"]["b"]["value"] == 2.0


def test_a_folder_where_the_results_file_should_be_fails_before_training(
    full_profile,
):
    from utils import environment

    path = results.run_folder() / "nb.json"
    path.mkdir(parents=True)
    with pytest.raises(results.ResultsError, match="is a folder") as info:
        environment.setup_notebook()
    assert str(path) in str(info.value)
    with pytest.raises(results.ResultsError, match="is a folder"):
        results.record("nb", "a", 1.0)
    assert path.is_dir() and not any(path.iterdir())


def test_a_results_folder_that_cannot_be_written_fails_before_training(
    full_profile, monkeypatch, tmp_path
):
    from utils import environment

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the results folder should be\n")
    monkeypatch.setenv("DNN_RESULTS_DIR", str(blocker / "results"))
    with pytest.raises(results.ResultsError, match="cannot create the results folder"):
        environment.setup_notebook()

    monkeypatch.setenv("DNN_RESULTS_DIR", str(tmp_path / "readonly"))
    (tmp_path / "readonly" / "full").mkdir(parents=True)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    if os.geteuid() == 0:  # root writes anywhere: make the folder refuse as it would
        monkeypatch.setattr(results.tempfile, "mkstemp", refuse)
    else:
        (tmp_path / "readonly" / "full").chmod(0o555)
    try:
        with pytest.raises(results.ResultsError, match="cannot be written") as info:
            environment.setup_notebook()
        assert str(tmp_path / "readonly" / "full") in str(info.value)
    finally:
        (tmp_path / "readonly" / "full").chmod(0o755)


def test_recording_keeps_the_file_permissions(full_profile):
    results.record("nb", "a", 1.0)
    path = results.run_folder() / "nb.json"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    path.chmod(0o640)
    results.record("nb", "b", 2.0)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_stale_partial_results_files_are_removed_by_the_next_record(full_profile):
    folder = results.run_folder()
    folder.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = folder / f".partial-nb.json-{dead.pid}-abc123"
    stale.write_text('{"half": ')
    old = folder / ".partial-nb.json-k2j4h5"  # the old name, without a pid
    old.write_text("{")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    theirs = folder / ".partial-notes.txt"
    theirs.write_text("the user's own file\n")
    results.record("nb", "a", 1.0)
    assert not stale.exists() and not old.exists()
    assert theirs.read_text() == "the user's own file\n"


# --- 3. hangs and memory runaways -----------------------------------------------------------------


def test_a_photo_padded_to_gigabytes_is_refused_from_its_size(
    full_profile, photo_folder
):
    good = (photo_folder / "train" / "cats" / "cat.0.jpg").read_bytes()
    with unchanged(photo_folder):  # the other photos
        big = sparse(photo_folder / "train" / "dogs" / "x.jpg", 3 << 30, head=good)
        before = same_stat(big)
        with pytest.raises(DataValidationError, match=r"dogs/x\.jpg: is 3\.0 GiB"):
            cats_dogs.prepare_cats_and_dogs()
        assert same_stat(big) == before
        big.rename(photo_folder.parent / "x.jpg")  # out of the snapshot, never read


def test_a_house_csv_padded_to_gigabytes_is_refused_from_its_size(tmp_path):
    path = house_csv(tmp_path / "train.csv")
    with open(path, "r+b") as f:
        f.truncate(20 << 30)
    before = same_stat(path)
    with pytest.raises(DataValidationError, match="20.0 GiB") as info:
        houses.read_house_csv(path)
    assert str(path) in str(info.value)
    assert same_stat(path) == before


def _mnist_npz(path: Path, extra: dict[str, bytes] | None = None, pad: int = 0):
    rng = np.random.default_rng(0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, shape in mnist.SHAPES.items():
            buf = io.BytesIO()
            high = 10 if key.startswith("y") else 256
            np.lib.format.write_array(
                buf, rng.integers(0, high, shape, dtype=np.uint8), allow_pickle=False
            )
            zf.writestr(
                f"{key}.npy", buf.getvalue() + b"\0" * (pad if key == "x_test" else 0)
            )
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def test_an_npz_member_mnist_does_not_have_is_never_inflated(
    full_profile, no_network, monkeypatch
):
    path = _mnist_npz(data_dir() / "mnist.npz", {"bomb.npy": b"\0" * (64 << 20)})
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda self, name, *a, **k: (
            opened.append(getattr(name, "filename", name))
            or real_open(self, name, *a, **k)
        ),
    )
    with (
        unchanged(data_dir()),
        pytest.raises(DataValidationError, match="'bomb.npy'") as info,
    ):
        mnist.load_mnist()
    assert str(path) in str(info.value) and "bomb.npy" not in opened


def test_an_npz_member_longer_than_its_array_is_refused(full_profile, no_network):
    path = _mnist_npz(data_dir() / "mnist.npz", pad=1 << 20)
    with (
        unchanged(data_dir()),
        pytest.raises(DataValidationError, match="x_test.npy declares") as info,
    ):
        mnist.load_mnist()
    assert str(path) in str(info.value)


def test_a_traffic_gzip_followed_by_zeros_is_refused_quickly(tmp_path):
    path = write_traffic(tmp_path / "t.csv.gz", hours(48), list(range(48)))
    with open(path, "ab") as f:
        f.write(b"\0" * (8 << 20))
    with (
        unchanged(tmp_path),
        pytest.raises(DataValidationError, match="zero bytes after"),
    ):
        traffic.read_traffic_csv(path)
    sparse(path, 3 << 30)  # and padded to gigabytes: refused from its size
    with pytest.raises(DataValidationError, match=r"t\.csv\.gz is 3\.0 GiB"):
        traffic.read_traffic_csv(path)


def test_a_traffic_gzip_of_endless_blank_lines_is_refused_quickly(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(traffic, "MAX_TEXT_BYTES", 4 << 20)
    path = write_traffic(tmp_path / "t.csv.gz", hours(48), list(range(48)))
    text = gzip.decompress(path.read_bytes()) + b"\n" * (32 << 20)
    path.write_bytes(gzip.compress(text, compresslevel=1))
    with (
        unchanged(tmp_path),
        pytest.raises(DataValidationError, match="inflates to more than 4 MB") as info,
    ):
        traffic.read_traffic_csv(path)
    assert str(path) in str(info.value)


def test_a_named_pipe_in_place_of_the_verdict_cache_does_not_block(
    full_profile, photo_folder
):
    cache = fifo(cats_dogs._verdict_cache_path())
    with unchanged(photo_folder), no_hang(20):
        check = cats_dogs.check_photos(photo_folder)
    assert check.bad == [] and stat.S_ISFIFO(cache.lstat().st_mode)


# --- 4. leftovers ---------------------------------------------------------------------------------


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_stale_partial_downloads_are_removed_on_the_next_run(full_profile, no_network):
    folder = data_dir()
    folder.mkdir(parents=True)
    stale = folder / f".partial-mnist.npz-{_dead_pid()}-x1y2z3"
    sparse(stale, 1 << 20)
    live = (
        folder / f".partial-mnist.npz-{os.getpid()}-a1b2c3"
    )  # a copy still being written
    live.write_bytes(b"PK")
    with pytest.raises(Exception, match="mnist.npz"):
        mnist.load_mnist()  # offline: not found, but the leftover is gone
    assert not stale.exists() and live.exists()


def test_stale_building_folders_are_removed_on_the_next_build(tmp_path):
    parent = tmp_path / "data" / ".standin"
    dead = parent / f".building-{_dead_pid()}-abc"
    write_jpeg(dead / "train" / "cats" / "cat.0.jpg")
    live = parent / f".building-{os.getpid()}-def"  # a build running now
    live.mkdir(parents=True)
    mine = tmp_path / "keep"
    mine.mkdir()
    (parent / ".building-link").symlink_to(mine)  # not ours: a link is never followed
    cats_dogs.make_standin_folder(
        parent / "tiny", {"train": 2, "validation": 1, "test": 1}
    )
    assert not dead.exists() and live.exists() and mine.exists()
    assert (parent / ".building-link").is_symlink()


def test_a_cut_short_standin_marker_redraws_the_standin(monkeypatch):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    root, _ = cats_dogs.prepare_cats_and_dogs()
    marker = root / ".complete.json"
    marker.write_bytes(marker.read_bytes()[:10])
    with pytest.warns(UserWarning, match="damaged.*drawn again") as caught:
        root2, report = cats_dogs.prepare_cats_and_dogs()
    assert str(marker) in str(caught[0].message)
    assert root2 == root and not report.already_built
    assert json.loads(marker.read_text())["counts"]


def test_a_cut_short_marker_of_a_built_subset_is_named(tmp_path):
    out = tmp_path / "subset"
    out.mkdir()
    (out / ".complete.json").write_text('{"counts": {"tr')
    with (
        unchanged(tmp_path),
        pytest.raises(cats_dogs.MarkerError, match="damaged") as info,
    ):
        cats_dogs.build_subset({}, out)
    assert str(out / ".complete.json") in str(info.value)


# --- 5. silently wrong ----------------------------------------------------------------------------


def _forged_jpeg(path: Path, width: int, height: int) -> Path:
    """A 16 x 16 JPEG whose frame header declares ``width`` x ``height`` pixels."""
    buf = io.BytesIO()
    Image.fromarray(
        np.random.default_rng(0).integers(0, 255, (16, 16, 3), dtype=np.uint8)
    ).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 7] = height.to_bytes(2, "big")
    data[sof + 7 : sof + 9] = width.to_bytes(2, "big")
    path.write_bytes(bytes(data))
    return path


def test_a_jpeg_declaring_far_more_pixels_than_it_holds_is_damage(
    full_profile, photo_folder
):
    _forged_jpeg(photo_folder / "train" / "cats" / "cat.1.jpg", 9000, 5000)
    with (
        unchanged(photo_folder),
        pytest.raises(
            DataValidationError, match=r"cat\.1\.jpg: declares 9,000 x 5,000"
        ),
    ):
        cats_dogs.prepare_cats_and_dogs()


def test_libjpegs_premature_end_of_data_is_damage(full_profile, photo_folder):
    rng = np.random.default_rng(1)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)).save(
        buf, "JPEG", quality=90
    )
    data = buf.getvalue()
    cut = data[: len(data) * 2 // 3] + b"\xff\xd9"  # cut, then a proper end marker
    (photo_folder / "test" / "dogs" / "dog.2.jpg").write_bytes(cut)
    with (
        unchanged(photo_folder),
        pytest.raises(
            DataValidationError, match=r"dog\.2\.jpg: is cut short.*premature end"
        ),
    ):
        cats_dogs.prepare_cats_and_dogs()


def test_traffic_rows_off_the_hour_are_counted_and_named(tmp_path):
    times = hours(400)
    times[100] = times[100].replace(":00:00", ":30:00")
    times[200] = times[200].replace(":00:00", ":30:00")
    path = write_traffic(tmp_path / "t.csv.gz", times, list(range(1, 401)))
    with (
        unchanged(tmp_path),
        pytest.warns(UserWarning, match=r"2 of 400 row\(s\)") as caught,
    ):
        raw = traffic.read_traffic_csv(path)
    assert str(path) in str(caught[0].message) and "not on the hour" in str(
        caught[0].message
    )
    series = traffic.hourly_series(raw)
    assert (
        len(series) == 400 and int(series.isna().sum()) == 2
    )  # the two hours: counted gaps


def test_a_first_row_one_second_off_the_hour_does_not_move_the_grid(tmp_path):
    times = hours(300)
    times[0] = times[0].replace(":00:00", ":00:01")
    path = write_traffic(tmp_path / "t.csv.gz", times, list(range(1, 301)))
    with pytest.warns(UserWarning, match=r"1 of 300 row\(s\) are not on the hour"):
        raw = traffic.read_traffic_csv(path)
    series = traffic.hourly_series(raw)
    assert series.index[0] == pd.Timestamp(times[1]) and series.notna().all()
    with pytest.raises(DataValidationError, match="only 299 contiguous hours") as info:
        traffic.last_contiguous(series, 1000)
    assert str(path) in str(info.value)  # the error names the file


# --- 6. raw errors --------------------------------------------------------------------------------


def test_a_deeply_nested_verdict_cache_is_ignored(full_profile, photo_folder):
    cache = cats_dogs._verdict_cache_path()
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"[" * 200_000 + b"]" * 200_000)
    check = cats_dogs.check_photos(photo_folder)
    assert check.bad == [] and check.decoded == check.checked == 18


def test_a_verdict_cache_that_calls_a_damaged_photo_good_is_not_trusted(
    full_profile, photo_folder
):
    import hashlib

    cats_dogs.check_photos(photo_folder)  # a real cache
    photo = photo_folder / "validation" / "cats" / "cat.0.jpg"
    damaged = photo.read_bytes()[:300]
    photo.write_bytes(damaged)
    cache = cats_dogs._verdict_cache_path()
    body = json.loads(cache.read_text())
    key = f"v{cats_dogs.CACHE_FORMAT}|" + hashlib.sha256(damaged).hexdigest()
    body["verdicts"][key] = ""  # "good", with the checksum made to match
    body["sha256"] = cats_dogs._cache_digest(body["verdicts"])
    cache.write_text(json.dumps(body))
    with (
        unchanged(photo_folder),
        pytest.raises(
            DataValidationError, match=r"cats/cat\.0\.jpg: cannot be decoded"
        ),
    ):
        cats_dogs.check_photos(photo_folder)
    body["verdicts"][key] = (
        ""  # and an edit that leaves the checksum stale: ignored whole
    )
    cache.write_text(json.dumps(body))
    with pytest.raises(DataValidationError, match=r"cat\.0\.jpg"):
        cats_dogs.check_photos(photo_folder)


# --- 7. good inputs refused -----------------------------------------------------------------------


def test_a_csv_with_classic_mac_line_ends_loads(tmp_path):
    path = house_csv(tmp_path / "unix.csv")
    mac = tmp_path / "mac.csv"
    mac.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    with unchanged(tmp_path):
        pd.testing.assert_frame_equal(
            houses.read_house_csv(mac), houses.read_house_csv(path)
        )
    times = hours(48)
    t = write_traffic(tmp_path / "t.csv.gz", times, list(range(48)))
    t.write_bytes(gzip.compress(gzip.decompress(t.read_bytes()).replace(b"\n", b"\r")))
    assert len(traffic.read_traffic_csv(t)) == 48


def test_a_csv_without_its_final_line_end_loads_with_a_warning(tmp_path):
    path = house_csv(tmp_path / "h.csv")
    cut = tmp_path / "no-newline.csv"
    cut.write_bytes(path.read_bytes().rstrip(b"\n"))
    with (
        unchanged(tmp_path),
        pytest.warns(UserWarning, match="does not end with a line end"),
    ):
        df = houses.read_house_csv(cut, expected_rows=houses.ROWS)
    pd.testing.assert_frame_equal(df, houses.read_house_csv(path))


def test_a_utf16_csv_is_called_utf16_not_truncated(tmp_path):
    path = house_csv(tmp_path / "h.csv")
    for name, data in (
        ("bom.csv", path.read_text().encode("utf-16")),
        ("nobom.csv", path.read_text().encode("utf-16-le")),
    ):
        p = tmp_path / name
        p.write_bytes(data)
        with (
            unchanged(tmp_path),
            pytest.raises(DataValidationError, match="UTF-16") as info,
        ):
            houses.read_house_csv(p)
        assert str(p) in str(info.value) and "truncated" not in str(info.value)


def test_the_quick_profile_with_a_read_only_data_folder_draws_elsewhere(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    folder = data_dir()
    folder.mkdir(parents=True)
    (folder / "README.txt").write_text("the user's\n")
    real_access = os.access
    monkeypatch.setattr(
        cats_dogs.os,
        "access",
        lambda p, mode, **k: (
            False if Path(p) == folder and mode & os.W_OK else real_access(p, mode, **k)
        ),
    )
    if os.geteuid() != 0:
        folder.chmod(0o555)
    try:
        with unchanged(folder), pytest.warns(UserWarning, match="cannot be written"):
            root, _ = cats_dogs.prepare_cats_and_dogs()
    finally:
        folder.chmod(0o755)
    assert not root.is_relative_to(folder) and (root / ".complete.json").exists()
    assert not (folder / ".standin").exists()
    assert cats_dogs.check_layout(root)["train"] == {"cats": 30, "dogs": 30}


def test_write_atomically_removes_only_our_stale_partials(tmp_path):
    target = tmp_path / "x.json"
    stale = tmp_path / f".partial-x.json-{_dead_pid()}-q1w2e3"
    stale.write_text("{")
    other = tmp_path / ".partial-y.json-1-abc"  # another target's: left alone
    other.write_text("{")
    write_atomically(target, b"{}")
    assert not stale.exists() and other.exists() and target.read_text() == "{}"


# --- kinds not in the report: found by attacking the loaders once more ----------------------------


def test_a_csv_header_of_200_000_columns_is_refused_before_pandas(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"a," * 200_000 + b"SalePrice\n" + b"1," * 200_000 + b"1\n")
    with (
        unchanged(tmp_path),
        pytest.raises(DataValidationError, match="200,001 columns"),
    ):
        houses.read_house_csv(path)  # pandas alone works on it for many minutes


def test_a_csv_with_a_header_and_no_rows_is_named(tmp_path):
    t = write_traffic(tmp_path / "t.csv.gz", hours(4), [1, 2, 3, 4])
    t.write_bytes(
        gzip.compress(gzip.decompress(t.read_bytes()).split(b"\n")[0] + b"\n")
    )
    with (
        unchanged(tmp_path),
        pytest.raises(DataValidationError, match="no rows") as info,
    ):
        traffic.read_traffic_csv(t)  # was a raw IndexError
    assert str(t) in str(info.value)
    h = house_csv(tmp_path / "h.csv", lambda df: df.head(0))
    with pytest.raises(DataValidationError, match="no rows"):
        houses.read_house_csv(h)


def test_a_gzip_of_a_million_empty_members_is_refused(tmp_path):
    path = tmp_path / "t.csv.gz"
    path.write_bytes(
        gzip.compress(b"date_time,traffic_volume\n") + gzip.compress(b"") * 300_000
    )
    with unchanged(tmp_path), pytest.raises(DataValidationError, match="gzip members"):
        traffic.read_traffic_csv(path)


def test_an_npz_listing_100_000_members_is_refused_from_its_directory(
    full_profile, no_network
):
    path = data_dir() / "mnist.npz"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(100_000):
            zf.writestr(f"{i}", b"")
    with (
        unchanged(data_dir()),
        pytest.raises(DataValidationError, match="lists 100,000 members") as info,
    ):
        mnist.load_mnist()
    assert str(path) in str(info.value)


def test_an_encrypted_npz_member_is_named_not_a_raw_error(full_profile, no_network):
    path = _mnist_npz(data_dir() / "mnist.npz")
    data = bytearray(path.read_bytes())
    data[data.find(b"PK\x03\x04") + 6] |= 1  # the "encrypted" flag, local header
    data[data.find(b"PK\x01\x02") + 8] |= 1  # and central directory
    path.write_bytes(bytes(data))
    with (
        unchanged(data_dir()),
        pytest.raises(DataValidationError, match="encrypted") as info,
    ):
        mnist.load_mnist()
    assert str(path) in str(info.value)
