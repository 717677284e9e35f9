"""Hourly traffic volume: loading, cleaning to an hourly grid, and windowing.

Data: UCI "Metro Interstate Traffic Volume" (hourly westbound I-94 volume at
Minneapolis-St Paul, 2012-2018, with weather), CC BY 4.0. Full profile: the
real file from the data folder (downloaded once with a pinned sha256); quick
profile: :func:`traffic_standin`, a generated series with the same columns.
"""

from __future__ import annotations

import io
import warnings
import zlib
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

TRAFFIC = RemoteFile(
    relpath="traffic/Metro_Interstate_Traffic_Volume.csv.gz",
    url="https://archive.ics.uci.edu/ml/machine-learning-databases/00492/Metro_Interstate_Traffic_Volume.csv.gz",
    file_hash="07d3c0566e342648f11db21f0b12c362e6fee9e3b6aa292917cb25d3cb981d69",
    source="UCI Machine Learning Repository, 'Metro Interstate Traffic Volume' (id 492, John Hogue), CC BY 4.0",
    max_bytes=64 << 20,  # the published file is 403 KB
)
# Limits from the published file (403 KB compressed, 3.2 MB of text) with a wide margin: a file
# padded with zeros, or a small .gz that inflates to gigabytes of blank lines, is refused quickly.
MAX_FILE_BYTES = 64 << 20
MAX_TEXT_BYTES = 256 << 20
MAX_GZIP_MEMBERS = 1000
COLUMNS = [
    "holiday",
    "temp",
    "rain_1h",
    "snow_1h",
    "clouds_all",
    "weather_main",
    "weather_description",
    "date_time",
    "traffic_volume",
]
REQUIRED = ("date_time", "traffic_volume")
# the published file writes every hour as "2012-10-02 09:00:00" (local time, no time zone)
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
EARLIEST = pd.Timestamp("1990-01-01")  # a traffic log from before this is not this data
FLOAT32_MAX = float(np.finfo("float32").max)
CITATION = (
    "Hogue, J. (2019). Metro Interstate Traffic Volume [Dataset]. UCI Machine Learning Repository. "
    "https://doi.org/10.24432/C5X60B (CC BY 4.0)"
)


def check_traffic_frame(df: pd.DataFrame, source: str = "frame") -> pd.DataFrame:
    """Check the columns we need and parse them; return a copy with ``date_time`` as datetimes."""
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataValidationError(
            f"{source} lacks column(s) {missing}; a traffic file needs {list(REQUIRED)} "
            f"(found {list(df.columns)[:10]})"
        )
    if df.empty:
        raise DataValidationError(
            f"{source} has a header but no rows: cut short, or not the right file"
        )
    df = df.copy()
    # an explicit format: no guessing, so epoch seconds, day-first dates and time zones are
    # refused by name instead of being read as something else
    as_text = df["date_time"].astype(str).str.strip()
    parsed = pd.to_datetime(as_text, errors="coerce", format=DATE_FORMAT)
    bad = as_text[parsed.isna()]
    if len(bad):
        raise DataValidationError(
            f"{source}: {len(bad)} value(s) in 'date_time' are not dates written as "
            f"YYYY-MM-DD HH:MM:SS (the published file's format, local time, no time zone), "
            f"e.g. {list(bad.unique()[:3])} (rows {list(bad.index[:3] + 2)} of the file)"
        )
    latest = pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    outside = parsed[(parsed < EARLIEST) | (parsed > latest)]
    if len(outside):
        raise DataValidationError(
            f"{source}: {len(outside)} date(s) in 'date_time' lie outside "
            f"{EARLIEST:%Y-%m-%d} .. today, e.g. {outside.iloc[0]} (rows "
            f"{list(outside.index[:3] + 2)} of the file): a mistyped year? Fix or remove them."
        )
    volume = pd.to_numeric(df["traffic_volume"], errors="coerce")
    bad = df["traffic_volume"][volume.isna()]
    if len(bad):
        raise DataValidationError(
            f"{source}: {len(bad)} value(s) in 'traffic_volume' are not numbers, e.g. "
            f"{list(bad.astype(str).unique()[:3])}"
        )
    bad = df["traffic_volume"][
        ~np.isfinite(volume) | (volume < 0) | (volume > FLOAT32_MAX)
    ]
    if len(bad):
        raise DataValidationError(
            f"{source}: {len(bad)} value(s) in 'traffic_volume' are negative, infinite or "
            f"beyond float32's range, e.g. {list(bad.astype(str).unique()[:3])} (rows "
            f"{list(bad.index[:3] + 2)} of the file)"
        )
    if volume.nunique() < 2:
        raise DataValidationError(
            f"{source}: every 'traffic_volume' is {volume.iloc[0]:g}: a series that never "
            "changes cannot be scaled (its range is zero) or forecast"
        )
    df["date_time"], df["traffic_volume"] = parsed, volume
    df = drop_off_the_hour(df, source)
    check_duplicate_hours(df, source)
    df.attrs["source"] = source
    return df


def drop_off_the_hour(df: pd.DataFrame, source: str = "frame") -> pd.DataFrame:
    """Rows stamped off the hour (09:30:00, 09:00:01) have no place on an hourly grid: they are
    left out, counted, and named in a warning (the hour they would have filled then counts as a
    gap, and the gap rule says how it is filled). Left in, they would move the whole grid (a
    first row one second off the hour) or vanish without a word."""
    parsed = df["date_time"]
    off = parsed != parsed.dt.floor("h")
    if off.any():
        rows = list(np.flatnonzero(off.to_numpy())[:3] + 2)
        examples = ", ".join(f"{t}" for t in parsed[off].unique()[:3])
        warnings.warn(
            f"{source}: {int(off.sum())} of {len(df)} row(s) are not on the hour (e.g. "
            f"{examples}; rows {rows} of the file): the series is hourly, so they are left "
            "out, and an hour they leave empty counts as a gap",
            stacklevel=3,
        )
        df = df[~off]
    return df


def check_duplicate_hours(df: pd.DataFrame, source: str = "frame") -> None:
    """Rows of the same hour (one per weather condition) must agree on the volume.

    The UCI file repeats an hour once for each weather condition with the same
    volume, so keeping the first row loses nothing. If two rows of one hour
    disagree, keeping either would be a silent guess: a clear error instead.
    """
    spread = df.groupby("date_time")["traffic_volume"].agg(["min", "max", "size"])
    conflicts = spread[spread["max"] != spread["min"]]
    if len(conflicts):
        shown = ", ".join(
            f"{t:%Y-%m-%d %H:%M} ({int(r['min'])} vs {int(r['max'])})"
            for t, r in conflicts.head(5).iterrows()
        )
        more = f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else ""
        raise DataValidationError(
            f"{source}: {len(conflicts)} hour(s) appear more than once with different "
            f"traffic volumes: {shown}{more}. Each hour must have one volume; fix the "
            "file (the published one has no such rows)."
        )


def inflate_limited(data: bytes, path: Path, limit: int | None = None) -> bytes:
    """The text inside gzip ``data``, inflated member by member and never past ``limit``.

    A cut-short stream, bytes after the compressed data (zeros, or anything that is not another
    gzip member), or more than ``limit`` bytes of text (a small file that inflates to gigabytes
    of blank lines) is a :class:`DataValidationError` naming the file, found without ever
    holding more than ``limit`` bytes.
    """
    limit = MAX_TEXT_BYTES if limit is None else limit
    out = bytearray()
    rest, members = data, 0
    while rest:
        members += 1
        if members > MAX_GZIP_MEMBERS:
            raise DataValidationError(
                f"{path} holds more than {MAX_GZIP_MEMBERS:,} gzip members (the published "
                "file holds one): not the right file"
            )
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(rest, limit + 1 - len(out))
        except zlib.error as err:
            raise DataValidationError(
                f"{path} cannot be read: its gzip data is damaged ({err})"
            ) from None
        if len(out) > limit:
            raise DataValidationError(
                f"{path} inflates to more than {limit >> 20} MB of text (the published file "
                "holds 3.2 MB): padded, or not the right file. Stopped there."
            )
        if not inflater.eof:
            raise DataValidationError(
                f"{path} is cut short: its gzip data ends before the end of the stream"
            )
        rest = inflater.unused_data
        if rest and not rest.startswith(b"\x1f\x8b"):
            what = (
                "zero bytes"
                if not rest.strip(b"\x00")
                else "bytes that are not gzip data"
            )
            raise DataValidationError(
                f"{path} has {len(rest):,} {what} after its compressed data: padded or "
                "damaged. Use the published file."
            )
    return bytes(out)


def read_traffic_csv(path: str | Path) -> pd.DataFrame:
    """Read the (optionally gzipped) CSV and check it.

    The file's type and size are checked before it is read; gzip data is inflated with a
    limit (:func:`inflate_limited`); the text must be UTF-8 (UTF-16 is named as such), with
    any line ends.
    """
    path = Path(path)
    raw = read_limited(path, MAX_FILE_BYTES, "CSV file")
    if raw.startswith(b"\x1f\x8b"):
        raw = inflate_limited(raw, path)
    elif path.suffix == ".gz":
        raise DataValidationError(
            f"{path} is named .gz but is not gzip data: rename it, or use the published file"
        )
    text = csv_text(raw, path)
    check_csv_width(text, path, 10 * len(COLUMNS))
    try:
        df = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataValidationError(f"{path} cannot be read as a CSV: {err}") from None
    return check_traffic_frame(df, source=str(path))


def validate_traffic_file(path: Path) -> None:
    df = read_traffic_csv(path)
    if len(df) < 40_000:
        raise DataValidationError(f"{path} has {len(df)} rows; the UCI file has 48,204")


def load_traffic(quick: bool | None = None) -> pd.DataFrame:
    """The raw rows (one per hour and weather condition), ``date_time`` parsed."""
    if is_quick() if quick is None else quick:
        return check_traffic_frame(traffic_standin(), source="stand-in")
    return read_traffic_csv(fetch(TRAFFIC, validate=validate_traffic_file))


def traffic_standin(hours: int = 24 * 42, seed: int = 0) -> pd.DataFrame:
    """A generated series with the UCI file's columns: daily and weekly cycles plus noise.

    Like the real file it is not a clean grid: some hours appear twice (two
    weather rows) and a few hours are missing, so the cleaning code has work.
    """
    rng = np.random.default_rng(seed)
    t = pd.date_range("2018-01-01", periods=hours, freq="h")
    hour, dow = t.hour.to_numpy(), t.day_of_week.to_numpy()
    daily = (
        np.exp(-((hour - 8) ** 2) / 6) * 2500 + np.exp(-((hour - 17) ** 2) / 8) * 2800
    )
    daily += 1500 * (hour >= 6) * (hour <= 21)
    weekend = np.where(dow >= 5, 0.6, 1.0)
    volume = np.clip(
        (300 + daily * weekend) * rng.lognormal(0, 0.08, hours), 0, 7300
    ).round()
    df = pd.DataFrame(
        {
            "holiday": None,
            "temp": 270
            + 15 * np.sin(2 * np.pi * np.arange(hours) / (24 * 365))
            + rng.normal(0, 3, hours),
            "rain_1h": 0.0,
            "snow_1h": 0.0,
            "clouds_all": rng.integers(0, 100, hours),
            "weather_main": rng.choice(["Clear", "Clouds", "Rain"], hours),
            "weather_description": "generated",
            "date_time": t.strftime("%Y-%m-%d %H:%M:%S"),
            "traffic_volume": volume.astype("int64"),
        }
    )
    dup = df.iloc[rng.choice(hours, hours // 20, replace=False)].assign(
        weather_main="Mist"
    )
    drop = rng.choice(np.arange(24, hours - 24), 6, replace=False)
    df = (
        pd.concat([df.drop(index=drop), dup])
        .sort_values("date_time", kind="stable")
        .reset_index(drop=True)
    )
    return df[COLUMNS]


def hourly_series(raw: pd.DataFrame) -> pd.Series:
    """One value per hour: duplicate timestamps (which agree, see :func:`check_duplicate_hours`) collapse
    to their first row, then an hourly index.

    Hours with no row become NaN, so gaps are visible rather than silently closed.
    """
    source = raw.attrs.get("source", "the traffic rows")
    raw = drop_off_the_hour(raw, source)  # a frame not from check_traffic_frame
    dedup = raw.drop_duplicates("date_time", keep="first").set_index("date_time")[
        "traffic_volume"
    ]
    if dedup.empty:
        raise DataValidationError(f"{source}: no rows on the hour, so no hourly series")
    span = (dedup.index.max() - dedup.index.min()) / pd.Timedelta(hours=1)
    if span > MAX_GRID_HOURS:
        raise DataValidationError(
            f"{source}: the rows span {span:,.0f} hours ({dedup.index.min()} to "
            f"{dedup.index.max()}), more than {MAX_GRID_HOURS:,} (50 years): a mistyped date? "
            "An hourly grid that long would not fit in memory."
        )
    series = dedup.sort_index().asfreq("h").astype("float64")
    series.attrs["source"] = source
    return series


MAX_GRID_HOURS = 50 * 366 * 24


def gap_lengths(series: pd.Series) -> pd.Series:
    """Length in hours of every run of missing values, indexed by the run's first hour."""
    missing = series.isna().to_numpy()
    starts = np.flatnonzero(missing & ~np.r_[False, missing[:-1]])
    ends = np.flatnonzero(missing & ~np.r_[missing[1:], False])
    return pd.Series(ends - starts + 1, index=series.index[starts], dtype="int64")


def fill_short_gaps(
    series: pd.Series, max_gap: int = 12
) -> tuple[pd.Series, pd.Series]:
    """Fill runs of at most ``max_gap`` missing hours from the same hour a week earlier (else a week later).

    Longer gaps stay missing. Returns the filled series and a boolean mask of the filled hours.
    """
    lengths = gap_lengths(series)
    short = np.zeros(len(series), dtype=bool)
    pos = series.index.get_indexer(lengths.index)
    for p, n in zip(pos, lengths.to_numpy()):
        if n <= max_gap:
            short[p : p + n] = True
    filled = series.copy()
    week_before, week_after = series.shift(168), series.shift(-168)
    candidate = week_before.where(week_before.notna(), week_after)
    filled[short] = candidate[short]
    still = short & filled.isna().to_numpy()
    if still.any():  # a week away was missing too: interpolate within the short gap
        filled = filled.where(
            ~still, filled.interpolate(limit=max_gap, limit_area="inside")
        )
    mask = pd.Series(short & filled.notna().to_numpy(), index=series.index)
    return filled, mask


def last_contiguous(series: pd.Series, length: int) -> pd.Series:
    """The last ``length`` hours that contain no missing value."""
    missing = series.isna().to_numpy()
    last_gap = np.flatnonzero(missing)
    start = last_gap[-1] + 1 if len(last_gap) else 0
    available = len(series) - start
    if available < length:
        source = series.attrs.get("source", "the series")
        raise DataValidationError(
            f"{source}: only {available} contiguous hours after the last unfilled gap "
            f"(ending {series.index[start - 1] if start else 'never'}); need {length}"
        )
    return series.iloc[-length:]


def make_windows(series: np.ndarray, h: int, f: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into (input, target) pairs: ``h`` steps in, the next ``f`` steps out.

    Sample ``i`` reads steps ``i .. i+h-1`` and predicts steps ``i+h .. i+h+f-1``.
    Like the lecture's loop it makes ``n - h - f`` samples (the one last possible
    window is left out). Returns arrays of shape ``(n-h-f, h)`` and ``(n-h-f, f)``.
    """
    series = np.asarray(series)
    if series.ndim != 1:
        raise ValueError(f"make_windows expects a 1-D series, got shape {series.shape}")
    if h < 1 or f < 1:
        raise ValueError(f"h and f must be at least 1 (got h={h}, f={f})")
    n = len(series)
    if n <= h + f:
        raise ValueError(
            f"a series of {n} steps is too short for {h} steps in and {f} out: "
            f"it needs more than h + f = {h + f} steps"
        )
    count = n - h - f
    idx = np.arange(count)[:, None]
    return series[idx + np.arange(h)], series[idx + h + np.arange(f)]
