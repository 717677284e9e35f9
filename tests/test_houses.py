"""House-prices loading: schema, stand-in, and clear errors on bad files."""

import numpy as np
import pytest

from utils import houses
from utils.data import DataUnavailableError, DataValidationError, data_dir


@pytest.fixture
def standin():
    return houses.house_prices_standin()


def write_csv(df, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)
    return path


def test_standin_has_the_real_schema(standin):
    assert list(standin.columns) == houses.COLUMNS and len(houses.COLUMNS) == 81
    assert standin.shape == (1460, 81)
    for c in houses.INT_COLUMNS:
        assert standin[c].dtype == np.int64, c
    for c in houses.FLOAT_COLUMNS:
        assert standin[c].dtype == np.float64, c
    for c, n in houses.MISSING.items():
        assert standin[c].isna().sum() == n, c


def test_standin_reproduces_the_lecture_counts(standin):
    numeric = standin.select_dtypes("number")
    assert numeric.shape[1] == 38  # 37 features (Id included) + SalePrice
    assert len(numeric.dropna()) == 1121


def test_a_written_and_reread_frame_keeps_columns_and_dtypes(standin, tmp_path):
    # the fixture for "the frame we get has the Kaggle CSV's columns and dtypes"
    path = write_csv(standin.head(50), tmp_path / "small.csv")
    back = houses.read_house_csv(path)
    assert list(back.columns) == houses.COLUMNS
    assert (
        back.dtypes[houses.NUMERIC_COLUMNS] == standin.dtypes[houses.NUMERIC_COLUMNS]
    ).all()


def test_no_saleprice_column_is_a_clear_error(standin, tmp_path):
    path = write_csv(standin.drop(columns="SalePrice"), tmp_path / "x.csv")
    with pytest.raises(DataValidationError, match="no 'SalePrice' column"):
        houses.read_house_csv(path)


def test_missing_other_column_is_named(standin, tmp_path):
    path = write_csv(standin.drop(columns=["GrLivArea"]), tmp_path / "x.csv")
    with pytest.raises(DataValidationError, match="GrLivArea"):
        houses.read_house_csv(path)


def test_truncated_csv_is_a_clear_error(standin, tmp_path):
    path = write_csv(standin, tmp_path / "x.csv")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut mid-row
    with pytest.raises(DataValidationError, match="truncated"):
        houses.read_house_csv(path)


def test_truncated_at_a_line_end_is_caught_by_the_row_count(standin, tmp_path):
    path = write_csv(standin.head(700), tmp_path / "x.csv")
    with pytest.raises(DataValidationError, match="700 rows, expected 1460"):
        houses.read_house_csv(path, expected_rows=1460)


def test_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("")
    with pytest.raises(DataValidationError, match="empty"):
        houses.read_house_csv(path)


def test_text_in_a_numeric_column_is_coerced_with_a_warning(standin, tmp_path):
    df = standin.astype({"LotArea": object})
    df.loc[[3, 10], "LotArea"] = "unknown"
    path = write_csv(df, tmp_path / "x.csv")
    with pytest.warns(
        UserWarning, match=r"'LotArea' held 2 non-numeric value\(s\).*unknown"
    ):
        back = houses.read_house_csv(path)
    assert back["LotArea"].isna().sum() == 2  # nothing else touched
    assert len(back) == len(standin)


def test_full_profile_uses_a_hand_placed_file(standin, full_profile, no_network):
    write_csv(standin, data_dir() / "house_prices" / "train.csv")
    with pytest.warns(UserWarning, match="bytes differ"):
        df = houses.load_house_prices()
    assert df.shape == (1460, 81)
    assert no_network == []


def test_full_profile_offline_without_file(full_profile, no_network):
    with pytest.raises(DataUnavailableError, match="house_prices/train.csv"):
        houses.load_house_prices()


def test_quick_profile_is_offline(monkeypatch, no_network):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    assert houses.load_house_prices().shape == (1460, 81)
    assert no_network == []


def test_tabular_encoder_learns_from_training_rows_only(standin):
    from utils.houses import TabularEncoder

    train, other = standin.iloc[:1000], standin.iloc[1000:].copy()
    enc = TabularEncoder().fit(train)
    x_train = enc.transform(train)
    assert x_train.shape == (1000, len(enc.columns)) and x_train.dtype == np.float32
    assert not np.isnan(x_train).any()
    assert "Id" not in enc.columns and "SalePrice" not in enc.columns
    assert "LotFrontage_missing" in enc.columns
    numeric = x_train[:, : len(enc.numeric)]
    np.testing.assert_allclose(
        numeric.mean(axis=0), 0, atol=1e-4
    )  # standardised with the training rows
    # a category never seen in training becomes all zeros, and nothing fails
    other.loc[other.index[0], "Neighborhood"] = "Atlantis"
    x_other = enc.transform(other)
    hood = [i for i, c in enumerate(enc.columns) if c.startswith("Neighborhood=")]
    assert x_other[0, hood].sum() == 0 and x_other[1, hood].sum() == 1
    assert not np.isnan(x_other).any()
    # transforming other rows does not change what was learned
    np.testing.assert_array_equal(enc.transform(train), x_train)
