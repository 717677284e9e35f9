"""House prices (Ames, Iowa; De Cock 2011, the Kaggle training set): loading and checking.

Full profile: ``train.csv`` from the data folder, downloaded once with a pinned
sha256 when missing. Quick profile: :func:`house_prices_standin`, a frame made
offline with the same 81 columns, dtypes and missing-value pattern, so the
same cleaning code runs and gives the lecture's counts.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .data import (
    DataValidationError,
    RemoteFile,
    check_csv_width,
    csv_text,
    fetch,
    read_limited,
)
from .profile import is_quick

HOUSE_PRICES = RemoteFile(
    relpath="house_prices/train.csv",
    url=(
        "https://huggingface.co/datasets/XuehangCang/House_Prices_Advanced_Regression_Techniques/"
        "resolve/2c2e30e28d8a35a2271d84885d48d6cf2614a841/train.csv"
    ),
    file_hash="1e18addf81e5e4d347cc17ee6075bbe4a42b7fa26b9e5b063e8f692a5f929d41",
    source=(
        "Kaggle 'House Prices: Advanced Regression Techniques' train.csv (De Cock 2011, Ames Iowa); "
        "also OpenML dataset 42165"
    ),
    max_bytes=64 << 20,  # the published file is 460 KB
)
MAX_CSV_BYTES = 64 << 20
TARGET = "SalePrice"
ROWS = 1460
COLUMNS = [
    "Id",
    "MSSubClass",
    "MSZoning",
    "LotFrontage",
    "LotArea",
    "Street",
    "Alley",
    "LotShape",
    "LandContour",
    "Utilities",
    "LotConfig",
    "LandSlope",
    "Neighborhood",
    "Condition1",
    "Condition2",
    "BldgType",
    "HouseStyle",
    "OverallQual",
    "OverallCond",
    "YearBuilt",
    "YearRemodAdd",
    "RoofStyle",
    "RoofMatl",
    "Exterior1st",
    "Exterior2nd",
    "MasVnrType",
    "MasVnrArea",
    "ExterQual",
    "ExterCond",
    "Foundation",
    "BsmtQual",
    "BsmtCond",
    "BsmtExposure",
    "BsmtFinType1",
    "BsmtFinSF1",
    "BsmtFinType2",
    "BsmtFinSF2",
    "BsmtUnfSF",
    "TotalBsmtSF",
    "Heating",
    "HeatingQC",
    "CentralAir",
    "Electrical",
    "1stFlrSF",
    "2ndFlrSF",
    "LowQualFinSF",
    "GrLivArea",
    "BsmtFullBath",
    "BsmtHalfBath",
    "FullBath",
    "HalfBath",
    "BedroomAbvGr",
    "KitchenAbvGr",
    "KitchenQual",
    "TotRmsAbvGrd",
    "Functional",
    "Fireplaces",
    "FireplaceQu",
    "GarageType",
    "GarageYrBlt",
    "GarageFinish",
    "GarageCars",
    "GarageArea",
    "GarageQual",
    "GarageCond",
    "PavedDrive",
    "WoodDeckSF",
    "OpenPorchSF",
    "EnclosedPorch",
    "3SsnPorch",
    "ScreenPorch",
    "PoolArea",
    "PoolQC",
    "Fence",
    "MiscFeature",
    "MiscVal",
    "MoSold",
    "YrSold",
    "SaleType",
    "SaleCondition",
    "SalePrice",
]
FLOAT_COLUMNS = ["LotFrontage", "MasVnrArea", "GarageYrBlt"]
INT_COLUMNS = [
    "Id",
    "MSSubClass",
    "LotArea",
    "OverallQual",
    "OverallCond",
    "YearBuilt",
    "YearRemodAdd",
    "BsmtFinSF1",
    "BsmtFinSF2",
    "BsmtUnfSF",
    "TotalBsmtSF",
    "1stFlrSF",
    "2ndFlrSF",
    "LowQualFinSF",
    "GrLivArea",
    "BsmtFullBath",
    "BsmtHalfBath",
    "FullBath",
    "HalfBath",
    "BedroomAbvGr",
    "KitchenAbvGr",
    "TotRmsAbvGrd",
    "Fireplaces",
    "GarageCars",
    "GarageArea",
    "WoodDeckSF",
    "OpenPorchSF",
    "EnclosedPorch",
    "3SsnPorch",
    "ScreenPorch",
    "PoolArea",
    "MiscVal",
    "MoSold",
    "YrSold",
    "SalePrice",
]
NUMERIC_COLUMNS = [c for c in COLUMNS if c in FLOAT_COLUMNS or c in INT_COLUMNS]
FLOAT32_MAX = float(
    np.finfo("float32").max
)  # the models see float32: beyond it is infinity
TEXT_COLUMNS = [c for c in COLUMNS if c not in NUMERIC_COLUMNS]
# Missing values per column in the real file (its schema, not its data).
MISSING = {
    "PoolQC": 1453,
    "MiscFeature": 1406,
    "Alley": 1369,
    "Fence": 1179,
    "MasVnrType": 872,
    "FireplaceQu": 690,
    "LotFrontage": 259,
    "GarageType": 81,
    "GarageYrBlt": 81,
    "GarageFinish": 81,
    "GarageQual": 81,
    "GarageCond": 81,
    "BsmtExposure": 38,
    "BsmtFinType2": 38,
    "BsmtQual": 37,
    "BsmtCond": 37,
    "BsmtFinType1": 37,
    "MasVnrArea": 8,
    "Electrical": 1,
}


def read_house_csv(path: str | Path, expected_rows: int | None = None) -> pd.DataFrame:
    """Read a house-prices CSV and check it; clear errors for the usual ways a file goes wrong.

    * no ``SalePrice`` (or other expected) column: :class:`DataValidationError`;
    * a truncated file (ends mid-row, or fewer rows than ``expected_rows``): error;
    * text in a numeric feature column: converted to missing with a warning that names
      the column, how many values and which ones (those rows are then dropped by the
      missing-value step, and the notebook reports how many rows that step drops);
    * a missing, non-numeric, non-positive or infinite ``SalePrice`` in any row:
      :class:`DataValidationError` naming the rows (:func:`check_targets`);
    * an infinite value in a numeric feature column, or one beyond float32's range (the models'
      dtype, where it would become infinite): :class:`DataValidationError`;
    * not a regular readable file (a folder, a named pipe, no read permission), not UTF-8 text
      (Excel's plain "CSV" is Windows-1252), empty or only a byte-order mark, or ``Id`` values
      that repeat: :class:`DataValidationError` naming the file.
    """
    path = Path(path)
    raw = read_limited(path, MAX_CSV_BYTES, "CSV file")  # type and size checked first
    text = csv_text(raw, path)
    check_csv_width(text, path, 10 * len(COLUMNS))
    try:
        df = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataValidationError(f"{path} is not a well-formed CSV: {err}") from None
    if TARGET not in df.columns:
        raise DataValidationError(
            f"{path} has no {TARGET!r} column, so there is nothing to predict "
            f"(columns found: {', '.join(map(str, df.columns[:8]))}...)"
        )
    missing_cols = [c for c in COLUMNS if c not in df.columns]
    if missing_cols:
        raise DataValidationError(
            f"{path} lacks {len(missing_cols)} expected column(s): {', '.join(missing_cols)}"
        )
    if df.empty:
        raise DataValidationError(
            f"{path} has a header but no rows: cut short, or not the right file"
        )
    if expected_rows is not None and len(df) != expected_rows:
        raise DataValidationError(
            f"{path} has {len(df)} rows, expected {expected_rows}: truncated or not the right file"
        )
    short = df[TEXT_COLUMNS[-1]].isna() & df[TARGET].isna()
    if short.any():
        raise DataValidationError(
            f"{path}: row(s) {list(np.flatnonzero(short)[:5] + 2)} stop early (no "
            f"{TARGET}): the file looks truncated"
        )
    check_ids(df, str(path))
    return coerce_numeric(df, source=str(path))


def check_ids(df: pd.DataFrame, source: str = "frame") -> None:
    """Each row is one house: an ``Id`` that repeats is an error naming the Ids and lines."""
    repeated = df["Id"].duplicated(keep=False) & df["Id"].notna()
    if repeated.any():
        ids = list(dict.fromkeys(df.loc[repeated, "Id"].tolist()))
        lines = [int(i) + 2 for i in np.flatnonzero(repeated)[:8]]
        raise DataValidationError(
            f"{source}: {len(ids)} Id value(s) appear on more than one row "
            f"(Id {', '.join(map(str, ids[:8]))}{' ...' if len(ids) > 8 else ''}; CSV "
            f"lines {lines}). Each row must be one house: remove the repeated rows."
        )


def coerce_numeric(df: pd.DataFrame, source: str = "frame") -> pd.DataFrame:
    """Make the numeric columns numeric; text becomes missing, with a warning naming it."""
    df = df.copy()
    for col in NUMERIC_COLUMNS:
        if col in df.columns and not pd.api.types.is_numeric_dtype(df[col]):
            as_num = pd.to_numeric(df[col], errors="coerce")
            bad = df[col][as_num.isna() & df[col].notna()]
            warnings.warn(
                f"{source}: column {col!r} held {len(bad)} non-numeric value(s) "
                f"(e.g. {list(bad.unique()[:3])}); they are treated as missing.",
                stacklevel=2,
            )
            df[col] = as_num
        if col in df.columns and col != TARGET:
            values = np.abs(df[col].to_numpy("float64"))
            huge = values > FLOAT32_MAX  # infinite, or infinite once in float32
            if huge.any():
                rows = [int(r) + 2 for r in np.flatnonzero(huge)[:5]]
                raise DataValidationError(
                    f"{source}: column {col!r} holds infinite values or values beyond "
                    f"float32's range (about 3.4e38, where the model would see "
                    f"infinity): CSV lines {rows}"
                )
    check_targets(df, source)
    return df


def check_targets(df: pd.DataFrame, source: str = "frame") -> None:
    """Every row must have a positive, finite ``SalePrice``: a model trained or scored on a row without
    one would learn from NaN or report a meaningless error. A clear error naming the rows (as line
    numbers of the CSV: row 0 is line 2, after the header)."""
    price = pd.to_numeric(df[TARGET], errors="coerce").to_numpy("float64")
    with np.errstate(invalid="ignore"):
        unusable = ~np.isfinite(price) | (price <= 0) | (np.abs(price) > FLOAT32_MAX)
    bad = df.index[unusable]
    if len(bad):
        lines = [int(df.index.get_loc(i)) + 2 for i in bad[:8]]
        ids = (
            ", ".join(str(i) for i in df.loc[bad[:8], "Id"])
            if "Id" in df.columns
            else ""
        )
        more = f" and {len(bad) - 8} more" if len(bad) > 8 else ""
        raise DataValidationError(
            f"{source}: {len(bad)} row(s) have no usable {TARGET} (missing, text, zero, negative, "
            f"infinite or beyond float32's range): CSV line(s) {lines}{more}"
            + (f" (Id {ids})" if ids else "")
            + ". Every house a model learns from or is scored on needs its price; fix or remove these rows."
        )


def validate_house_csv(path: Path) -> None:
    """The full training file: 1460 rows and the 81 expected columns."""
    read_house_csv(path, expected_rows=ROWS)


def load_house_prices(quick: bool | None = None) -> pd.DataFrame:
    """The Kaggle training set (full profile) or its offline stand-in (quick profile)."""
    if is_quick() if quick is None else quick:
        return house_prices_standin()
    return read_house_csv(
        fetch(HOUSE_PRICES, validate=validate_house_csv), expected_rows=ROWS
    )


def house_prices_standin(n: int = ROWS, seed: int = 0) -> pd.DataFrame:
    """An invented frame with the real file's 81 columns, dtypes and missing-value pattern.

    Prices follow a made-up formula of size, quality and age plus noise. The
    missing numeric values are placed so that, as in the real file, 339 rows
    have at least one (so dropping them leaves 1121). Values are NOT real houses.
    """
    rng = np.random.default_rng(seed)
    quality = rng.integers(1, 11, n)
    size = rng.lognormal(np.log(1450), 0.33, n).round()
    year = rng.integers(1872, 2011, n)
    cols: dict[str, np.ndarray] = {}
    for c in INT_COLUMNS:
        cols[c] = rng.integers(
            0, 4, n
        )  # small counts by default; the important ones below
    cols.update(
        {
            "Id": np.arange(1, n + 1),
            "MSSubClass": rng.choice([20, 50, 60, 70, 90, 120, 160, 190], n),
            "LotArea": rng.lognormal(np.log(9500), 0.5, n).round(),
            "OverallQual": quality,
            "OverallCond": rng.integers(1, 10, n),
            "YearBuilt": year,
            "YearRemodAdd": np.maximum(year, rng.integers(1950, 2011, n)),
            "GrLivArea": size,
            "1stFlrSF": (size * rng.uniform(0.5, 1.0, n)).round(),
            "TotalBsmtSF": (size * rng.uniform(0, 0.9, n)).round(),
            "BsmtFinSF1": rng.integers(0, 1500, n),
            "BsmtUnfSF": rng.integers(0, 1500, n),
            "GarageArea": rng.integers(0, 1000, n),
            "WoodDeckSF": rng.integers(0, 400, n),
            "OpenPorchSF": rng.integers(0, 200, n),
            "MoSold": rng.integers(1, 13, n),
            "YrSold": rng.integers(2006, 2011, n),
            "TotRmsAbvGrd": np.clip((size / 250).round(), 2, 14),
            "GarageCars": rng.integers(0, 5, n),
        }
    )
    cols["2ndFlrSF"] = np.maximum(cols["GrLivArea"] - cols["1stFlrSF"], 0)
    price = (
        20_000
        + 14_000 * quality
        + 60 * size
        + 450 * (year - 1872)
        + 35 * cols["TotalBsmtSF"]
        + 9_000 * cols["GarageCars"]
    ) * rng.lognormal(0, 0.12, n)
    cols["SalePrice"] = price.round()
    floats = {
        "LotFrontage": rng.normal(70, 20, n).clip(21, 313).round(),
        "MasVnrArea": rng.choice([0.0, 100, 250, 600], n),
        "GarageYrBlt": np.maximum(year, rng.integers(1900, 2011, n)).astype(float),
    }
    # the real file's overlaps: LotFrontage & GarageYrBlt missing together in 7 rows, with MasVnrArea in 2
    order = rng.permutation(n)
    lf = order[:259]
    gy = np.concatenate([lf[:7], order[259 : 259 + 74]])
    mv = np.concatenate([lf[7:9], order[333:339]])
    for col, rows in (("LotFrontage", lf), ("GarageYrBlt", gy), ("MasVnrArea", mv)):
        floats[col][rows] = np.nan
    frame = {}
    for c in COLUMNS:
        if c in FLOAT_COLUMNS:
            frame[c] = floats[c]
        elif c in INT_COLUMNS:
            frame[c] = cols[c].astype("int64")
        else:
            values = rng.choice(
                np.array([f"{c[:3]}{k}" for k in "ABCD"], dtype=object), n
            )
            if c in MISSING:
                values[rng.permutation(n)[: round(MISSING[c] * n / ROWS)]] = None
            frame[c] = values
    df = pd.DataFrame(frame)
    text_dtype = pd.Series(
        ["x", None]
    ).dtype  # what read_csv gives text columns (object, or str in pandas 3)
    for c in TEXT_COLUMNS:
        df[c] = df[c].astype(text_dtype)
    return df


class TabularEncoder:
    """Every column as numbers, with everything measured on the training rows only.

    * numeric columns: a missing value becomes the training median, then each column
      is standardised (training mean and standard deviation); a numeric column with
      missing values in training also gets a 0/1 "<name>_missing" column;
    * text columns: a missing value becomes the category "None" (in this data it
      means "no garage", "no pool"...); one 0/1 column per category seen in
      training (one-hot); a category never seen in training gets all zeros.

    ``fit(train_rows)`` then ``transform(any_rows)`` -> float32 array.
    """

    def __init__(self, exclude: tuple[str, ...] = ("Id", TARGET)) -> None:
        self.exclude = exclude

    def fit(self, rows: pd.DataFrame) -> "TabularEncoder":
        cols = [c for c in rows.columns if c not in self.exclude]
        self.numeric = [c for c in cols if pd.api.types.is_numeric_dtype(rows[c])]
        self.text = [c for c in cols if c not in self.numeric]
        self.median = rows[self.numeric].median()
        filled = rows[self.numeric].fillna(self.median)
        self.mean, self.std = filled.mean(), filled.std().replace(0.0, 1.0).fillna(1.0)
        self.flagged = [c for c in self.numeric if rows[c].isna().any()]
        self.categories = {
            c: sorted(rows[c].fillna("None").astype(str).unique()) for c in self.text
        }
        self.columns = (
            self.numeric
            + [f"{c}_missing" for c in self.flagged]
            + [f"{c}={v}" for c in self.text for v in self.categories[c]]
        )
        return self

    def transform(self, rows: pd.DataFrame) -> np.ndarray:
        parts = [
            ((rows[self.numeric].fillna(self.median) - self.mean) / self.std).to_numpy(
                "float32"
            ),
            rows[self.flagged].isna().to_numpy("float32"),
        ]
        for c in self.text:
            values = rows[c].fillna("None").astype(str).to_numpy()
            parts.append(
                (values[:, None] == np.array(self.categories[c])[None, :]).astype(
                    "float32"
                )
            )
        return np.concatenate(parts, axis=1)
