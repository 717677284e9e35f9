"""Traffic series: bad input, cleaning, and the windowing function."""

import numpy as np
import pandas as pd
import pytest

from utils import traffic
from utils.data import DataUnavailableError, DataValidationError, data_dir


def test_windows_count_and_shapes_match_the_lecture():
    x, y = traffic.make_windows(np.arange(13_980), h=6, f=24)
    assert x.shape == (13_950, 6) and y.shape == (13_950, 24)


def test_first_target_is_the_step_right_after_the_window():
    series = np.arange(100) * 10
    x, y = traffic.make_windows(series, h=6, f=24)
    assert list(x[0]) == [0, 10, 20, 30, 40, 50]
    assert y[0, 0] == 60 and y[0, -1] == 290
    for i in (0, 17, len(x) - 1):  # every sample continues its own window
        assert y[i, 0] == x[i, -1] + 10
        assert np.array_equal(np.r_[x[i], y[i]], series[i : i + 30])


def test_windows_agree_with_keras_timeseries_dataset_from_array():
    import keras

    series = np.random.default_rng(0).normal(size=200).astype("float32")
    h, f = 6, 24
    x, y = traffic.make_windows(series, h, f)
    kx = np.concatenate(
        [
            b
            for b in keras.utils.timeseries_dataset_from_array(
                series[:-f], None, sequence_length=h, batch_size=64
            )
        ]
    )
    ky = np.concatenate(
        [
            b
            for b in keras.utils.timeseries_dataset_from_array(
                series[h:], None, sequence_length=f, batch_size=64
            )
        ]
    )
    assert (
        len(kx) == len(ky) == len(x) + 1
    )  # Keras also yields the one last window the lecture leaves out
    np.testing.assert_array_equal(kx[: len(x)], x)
    np.testing.assert_array_equal(ky[: len(y)], y)


def test_series_shorter_than_h_plus_f_is_a_clear_error():
    with pytest.raises(ValueError, match="too short for 6 steps in and 24 out"):
        traffic.make_windows(np.arange(30), 6, 24)
    with pytest.raises(ValueError, match="1-D"):
        traffic.make_windows(np.zeros((10, 2)), 2, 2)


def _csv(tmp_path, df):
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    return path


def test_csv_without_required_columns(tmp_path):
    df = traffic.traffic_standin(100)
    for col in ("date_time", "traffic_volume"):
        with pytest.raises(DataValidationError, match=f"lacks column.*{col}"):
            traffic.read_traffic_csv(_csv(tmp_path, df.drop(columns=col)))


def test_unparseable_dates_are_named(tmp_path):
    df = traffic.traffic_standin(100)
    df.loc[5, "date_time"] = "not a date"
    with pytest.raises(DataValidationError, match="not dates.*not a date"):
        traffic.read_traffic_csv(_csv(tmp_path, df))


def test_text_volume_is_named(tmp_path):
    df = traffic.traffic_standin(100).astype({"traffic_volume": object})
    df.loc[3, "traffic_volume"] = "lots"
    with pytest.raises(DataValidationError, match="traffic_volume.*lots"):
        traffic.read_traffic_csv(_csv(tmp_path, df))


def test_garbage_file_is_a_clear_error(tmp_path):
    path = tmp_path / "t.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08 truncated gzip")
    with pytest.raises(DataValidationError, match="cannot be read"):
        traffic.read_traffic_csv(path)


def test_hourly_series_dedups_and_exposes_gaps():
    raw = traffic.check_traffic_frame(
        pd.DataFrame(
            {
                "date_time": [
                    "2018-01-01 00:00:00",
                    "2018-01-01 00:00:00",
                    "2018-01-01 01:00:00",
                    "2018-01-01 04:00:00",
                ],
                "traffic_volume": [10, 10, 20, 50],
            }
        )
    )
    s = traffic.hourly_series(raw)
    assert list(s.index.hour) == [0, 1, 2, 3, 4]
    assert (
        s.iloc[0] == 10
    )  # a repeated hour (same volume, another weather row) counts once
    assert s.isna().sum() == 2
    assert traffic.gap_lengths(s).tolist() == [2]


def test_fill_short_gaps_uses_last_week_and_leaves_long_gaps():
    idx = pd.date_range("2018-01-01", periods=24 * 21, freq="h")
    s = pd.Series(np.arange(len(idx), dtype=float), index=idx)
    s.iloc[200:203] = np.nan  # short: 3 hours
    s.iloc[400:430] = np.nan  # long: 30 hours
    filled, mask = traffic.fill_short_gaps(s, max_gap=12)
    assert mask.sum() == 3
    assert filled.iloc[200] == 200 - 168  # the same hour one week earlier
    assert filled.iloc[400:430].isna().all()
    with pytest.raises(DataValidationError, match="contiguous hours"):
        traffic.last_contiguous(filled, len(s) - 100)
    assert len(traffic.last_contiguous(filled, 24)) == 24


def test_standin_has_the_uci_columns_and_some_mess():
    df = traffic.traffic_standin()
    assert list(df.columns) == traffic.COLUMNS
    assert df["date_time"].duplicated().any()
    assert traffic.hourly_series(traffic.check_traffic_frame(df)).isna().any()


def test_full_profile_offline_without_file(full_profile, no_network):
    with pytest.raises(DataUnavailableError, match="Metro_Interstate_Traffic_Volume"):
        traffic.load_traffic()


def test_hand_placed_small_file_is_rejected(full_profile, no_network, tmp_path):
    path = data_dir() / traffic.TRAFFIC.relpath
    path.parent.mkdir(parents=True)
    traffic.traffic_standin(200).to_csv(path, index=False, compression="gzip")
    with pytest.raises(DataValidationError, match="rows; the UCI file has 48,204"):
        traffic.load_traffic()
