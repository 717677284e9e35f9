"""Cats vs dogs: a balanced small subset of the Kaggle / Microsoft photos.

* Full profile: ``$DNN_DATA_DIR/cats_and_dogs_small/{train,validation,test}/{cats,dogs}/``
  if it is there (placed by hand or built before); otherwise the Microsoft
  "PetImages" archive is downloaded once (pinned sha256) and the subset is
  built from it: 1000 + 500 + 500 photos per class, skipping files that do not
  decode (the archive holds some) and converting the rest to RGB JPEG.
* Quick profile: :func:`make_standin_folder` draws a tiny two-class image set
  with the same layout in a cache folder, so the same loading code runs offline.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .data import (
    SPECIAL_FILES,
    DataValidationError,
    RemoteFile,
    _size,
    data_dir,
    fetch,
    locked,
    scratch_is_stale,
    write_atomically,
)
from .profile import is_quick

PET_IMAGES = RemoteFile(
    relpath="downloads/kagglecatsanddogs_5340.zip",
    url="https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-6DEBA77B919F/kagglecatsanddogs_5340.zip",
    file_hash="b7974bd00a84a99921f36ee4403f089853777b5ae8d151c76a86e64900334af9",
    source="Microsoft Research (Asirra), the photos of Kaggle's 'Dogs vs. Cats'; 25,000 JPEGs, 787 MB",
    max_bytes=2 << 30,
)
SUBSET = "cats_and_dogs_small"
CLASSES = ("cats", "dogs")
SPLITS = ("train", "validation", "test")
FULL_SIZES = {"train": 1000, "validation": 500, "test": 500}
STANDIN_SIZES = {"train": 30, "validation": 15, "test": 15}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif"}
# Photos above this many pixels are refused, by name, from their header and before anything
# decodes them: a small file can declare a huge image (a "decompression bomb": a 49 KB PNG of
# 20,000 x 20,000 pixels decodes to 1.2 GB). The dataset's photos are below 0.3 megapixels.
MAX_PIXELS = 50_000_000
# Photos larger than this are refused from their size, before a byte is read: the dataset's are
# below 40 KB (the archive's largest are a few MB); a file padded to gigabytes would be read whole.
MAX_PHOTO_BYTES = 64 << 20
# The verdict cache holds one short line per photo ever checked: far below this.
MAX_CACHE_BYTES = 64 << 20
# The marker a finished subset carries holds its counts and skipped files: kilobytes.
MAX_MARKER_BYTES = 4 << 20
CACHE_FORMAT = 3


@dataclass
class BuildReport:
    """What building a subset did: counts per split and class, and every skipped file with its reason."""

    counts: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    converted: list = field(default_factory=list)
    already_built: bool = False

    def summary(self) -> str:
        if self.already_built:
            return "subset already built: nothing copied"
        total = sum(sum(c.values()) for c in self.counts.values())
        return (
            f"{total} photos written, {len(self.converted)} converted to RGB JPEG, "
            f"{len(self.skipped)} unreadable files skipped"
        )


def inspect_image(path: Path) -> tuple[bool, str]:
    """``(ok, why)``: can the file be decoded completely, and does it need converting?

    ``why`` is ``""`` for a plain RGB JPEG, a description of the conversion needed
    (PNG, grayscale, CMYK...), or the reason it is unreadable when ``ok`` is False.
    """
    from PIL import Image, UnidentifiedImageError

    size = path.stat().st_size
    if size == 0:
        return False, "empty file"
    if size > MAX_PHOTO_BYTES:
        return False, f"{_size(size)}, more than a photo of this dataset can be"
    with open(path, "rb") as f:
        too_little = _too_little_data(f.read())
    if too_little:
        return False, too_little
    try:
        with Image.open(path) as img:
            fmt, mode = img.format, img.mode
            img.load()  # decodes every pixel: truncated files fail here
    except UnidentifiedImageError:
        return False, "not an image"
    except (OSError, SyntaxError, ValueError) as err:
        return False, f"cannot be decoded ({err})"
    if fmt != "JPEG":
        return True, f"{fmt} image"
    if mode != "RGB":
        return True, f"{mode} JPEG"
    return True, ""


def _write_rgb_jpeg(src: Path, dst: Path) -> None:
    from PIL import Image

    with Image.open(src) as img:
        img.convert("RGB").save(dst, "JPEG", quality=92)


def _numeric_order(paths: Iterable[Path]) -> list[Path]:
    def key(p: Path):
        m = re.search(r"(\d+)", p.stem)
        return (int(m.group(1)) if m else -1, p.name)

    return sorted(paths, key=key)


class MarkerError(DataValidationError):
    """A subset's ``.complete.json`` marker cannot be read (cut short, not JSON, not ours)."""


def read_marker(root: Path) -> dict | None:
    """The counts in ``root/.complete.json``, or None when there is none.

    A marker that is not a small regular file holding ``{"counts": {...}}`` (cut short by a
    killed process, a pipe, a folder, garbage) is a :class:`MarkerError` naming it: raw
    ``json`` errors never reach the notebook.
    """
    marker = Path(root) / ".complete.json"
    try:
        info = marker.lstat()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise MarkerError(f"{marker} cannot be read: {err.strerror or err}") from None
    if not stat.S_ISREG(info.st_mode):
        raise MarkerError(
            f"{marker} is not a regular file (a folder, a link or a pipe)"
        )
    if info.st_size > MAX_MARKER_BYTES:
        raise MarkerError(
            f"{marker} is {_size(info.st_size)}: not a marker this code wrote"
        )
    try:
        data = json.loads(marker.read_bytes().decode("utf-8"))
        counts = data["counts"]
        ok = isinstance(counts, dict) and all(
            isinstance(c, dict) and all(isinstance(n, int) for n in c.values())
            for c in counts.values()
        )
    except (OSError, ValueError, RecursionError, KeyError, TypeError):
        ok = False
    if not ok:
        raise MarkerError(
            f"{marker} is damaged (cut short or not the marker this code writes): the "
            f"subset in {root} cannot be trusted to be complete"
        )
    return data


SCRATCH_PREFIXES = (".building-", ".extracting-", ".standin-src-")


def remove_stale_scratch(folder: Path) -> list[Path]:
    """Remove the scratch folders a killed build left in ``folder``: ``.building-<pid>-*`` and
    ``.extracting-<pid>-*`` whose process has died (or, without a pid, left untouched for a
    day). Only real folders with our names are removed, never a link or anything else."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        prefix = next((p for p in SCRATCH_PREFIXES if entry.name.startswith(p)), None)
        if prefix is None or not entry.is_dir(follow_symlinks=False):
            continue
        m = re.match(r"(\d+)-", entry.name[len(prefix) :])
        if scratch_is_stale(Path(entry.path), int(m.group(1)) if m else None):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def build_subset(
    sources: dict[str, Path], out_dir: Path, sizes: dict[str, int] = FULL_SIZES
) -> BuildReport:
    """Copy a balanced subset into ``out_dir/{split}/{class}/`` from one folder per class.

    Files are taken in numeric order; the first ``sizes['train']`` readable ones
    of each class go to train, the next to validation, then test. Unreadable
    files are skipped and reported (with a warning naming them); readable
    non-RGB or non-JPEG files are converted to RGB JPEG. Idempotent: if
    ``out_dir`` already holds a complete subset it is left alone. The subset is
    assembled in a scratch folder and moved into place only when complete.
    """
    out_dir = Path(out_dir)
    marker = read_marker(out_dir)
    if marker is not None:
        return BuildReport(counts=marker["counts"], already_built=True)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise DataValidationError(
            f"{out_dir} exists but was not built completely; delete it and run again"
        )
    report = BuildReport()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_scratch(out_dir.parent)  # what a killed build left
    scratch = Path(
        tempfile.mkdtemp(prefix=f".building-{os.getpid()}-", dir=out_dir.parent)
    )
    try:
        for cls in CLASSES:
            src = Path(sources[cls])
            if not src.is_dir():
                raise DataValidationError(f"class folder {src} does not exist")
            files = _numeric_order(
                p
                for p in src.iterdir()
                if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
            )
            needed = [split for split in SPLITS for _ in range(sizes[split])]
            it = iter(files)
            for split in needed:
                for path in it:
                    ok, why = inspect_image(path)
                    if not ok:
                        report.skipped.append((str(path), why))
                        continue
                    dst = scratch / split / cls / f"{cls[:-1]}.{path.stem}.jpg"
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    if why:
                        _write_rgb_jpeg(path, dst)
                        report.converted.append((str(path), why))
                    else:
                        shutil.copyfile(path, dst)
                    report.counts.setdefault(split, {}).setdefault(cls, 0)
                    report.counts[split][cls] += 1
                    break
                else:
                    have = sum(report.counts.get(s, {}).get(cls, 0) for s in SPLITS)
                    raise DataValidationError(
                        f"{src} has only {have} readable images; the subset needs "
                        f"{sum(sizes.values())} per class"
                    )
        if report.skipped:
            names = ", ".join(
                f"{Path(p).name} ({why})" for p, why in report.skipped[:10]
            )
            more = (
                f" and {len(report.skipped) - 10} more"
                if len(report.skipped) > 10
                else ""
            )
            warnings.warn(
                f"skipped {len(report.skipped)} unreadable file(s): {names}{more}",
                stacklevel=2,
            )
        (scratch / ".complete.json").write_text(
            json.dumps({"counts": report.counts, "skipped": report.skipped}, indent=1)
        )
        if out_dir.exists():
            out_dir.rmdir()
        scratch.rename(out_dir)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return report


def check_layout(root: Path, balanced: bool = True) -> dict[str, dict[str, int]]:
    """Count images per split and class; a clear error for a missing or empty folder.

    Every split and every class must hold photos (a one-class validation split
    would score nonsense), and with ``balanced=True`` both classes of a split
    the same number, as the notebooks' accuracy figures assume.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataValidationError(f"{root} does not exist")
    counts: dict[str, dict[str, int]] = {}
    for split in SPLITS:
        for cls in CLASSES:
            folder = root / split / cls
            if not folder.is_dir():
                raise DataValidationError(
                    f"missing class folder {folder} (expected {root}/{{{','.join(SPLITS)}}}/"
                    f"{{{','.join(CLASSES)}}}/)"
                )
            counts.setdefault(split, {})[cls] = len(_photos_in(folder))
        if sum(counts[split].values()) == 0:
            raise DataValidationError(f"split {root / split} holds no images")
        for cls in CLASSES:
            if counts[split][cls] == 0:
                raise DataValidationError(
                    f"class folder {root / split / cls} holds no images: the {split} split "
                    f"would have one class only"
                )
        if balanced and len(set(counts[split].values())) > 1:
            shown = ", ".join(f"{n} {cls}" for cls, n in counts[split].items())
            raise DataValidationError(
                f"split {root / split} is not balanced ({shown}); the notebooks assume the "
                "same number of photos per class"
            )
    return counts


def _photos_in(folder: Path) -> list[Path]:
    """The files ``image_dataset_from_directory`` reads from a class folder: every file below it, in
    sub-folders too, whose name ends in an image suffix (hidden ones such as macOS's ``._cat.1.jpg``
    included: Keras reads them, so they are checked). Files with other suffixes are ignored."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        # a folder named like a photo is listed too, so that the check can name it
        found += [
            Path(dirpath) / name
            for name in filenames + dirnames
            if Path(name).suffix.lower() in IMAGE_SUFFIXES
        ]
    return sorted(found)


def _verdict_cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "dnn-runnable" / "photo-verdicts.json"


def _file_verdict(path: Path) -> str:
    """``""`` when ``path`` can be opened as a photo file at all, else why not (metadata only)."""
    try:
        os.fsencode(path.name).decode("utf-8")
    except UnicodeDecodeError:
        return "its name is not valid UTF-8, which TensorFlow cannot open: rename it"
    try:
        info = path.stat()
    except OSError as err:
        return f"cannot be read ({err.strerror or err})"
    if stat.S_ISDIR(info.st_mode):
        return "a folder, not a photo"
    if not stat.S_ISREG(info.st_mode):
        kind = SPECIAL_FILES.get(stat.S_IFMT(info.st_mode), "not a regular file")
        return f"{kind}, not a photo (reading it could wait forever)"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    if info.st_size > MAX_PHOTO_BYTES:
        return (
            f"is {_size(info.st_size)}, more than a photo of this dataset can be "
            f"({_size(MAX_PHOTO_BYTES)}): padded or not a photo; nothing was read from it"
        )
    return ""


def _jpeg_frame(data: bytes) -> tuple[int, int, bool] | None:
    """(width, height, arithmetic-coded?) from a JPEG's frame header, or None when not found."""
    if not data.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height, marker >= 0xC9
        if marker == 0xDA or length < 2:
            return None
        i += 2 + length
    return None


def _too_little_data(data: bytes) -> str:
    """``""`` unless a JPEG's header declares more pixels than its bytes could hold.

    A Huffman-coded JPEG spends at least one bit on every 8 x 8 block of its brightness channel,
    so a file of ``n`` bytes holds at most ``8 n`` blocks: a header declaring 9,000 x 5,000
    pixels (703,125 blocks) over a few hundred bytes is a cut-short or forged file that libjpeg
    would fill with grey ("premature end of data") and the model would train on.
    """
    frame = _jpeg_frame(data)
    if frame is None or frame[2]:
        return ""
    width, height, _ = frame
    blocks = -(-width // 8) * -(-height // 8)
    if blocks > 8 * len(data):
        return (
            f"declares {width:,} x {height:,} pixels but holds only {len(data):,} bytes, too "
            "few for that many pixels: cut short or damaged (it would decode to grey filler)"
        )
    return ""


# libjpeg's warnings that mean pixels were made up: the data ran out before the image did.
# ("Corrupt JPEG data: N extraneous bytes before marker" is harmless and common: not listed.)
_MADE_UP = re.compile(r"premature end of (jpeg file|data segment)", re.IGNORECASE)


def _decode_capturing_stderr(data: bytes) -> tuple[Any, str]:
    """``tf.io.decode_image`` as the loader calls it, and what the C libraries printed meanwhile.

    libjpeg reports "premature end of data" only as a warning on the process's standard error,
    and TensorFlow then returns an image padded with grey: the only place the damage shows. The
    file descriptor is redirected for the call, and whatever else was printed is passed on.
    """
    import sys

    import tensorflow as tf

    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no standard error to capture: decode without the check
        return tf.io.decode_image(data, channels=3, expand_animations=False), ""
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            image = tf.io.decode_image(data, channels=3, expand_animations=False)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        text = captured.read(1 << 16).decode("utf-8", errors="replace")
    others = "".join(
        line for line in text.splitlines(True) if not _MADE_UP.search(line)
    )
    if others:
        try:
            os.write(2, others.encode())
        except OSError:
            pass
    return image, text


def _pixel_verdict(data: bytes) -> str:
    """``""`` unless the image's header declares more than ``MAX_PIXELS`` pixels."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:  # reads the header only
                width, height = img.size
    except Image.DecompressionBombError as err:
        sizes = re.findall(r"\d+", str(err))
        return f"declares an image too large to decode safely ({sizes[0] if sizes else 'over 178 million'} pixels)"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return ""  # not for the header to judge: the decoding below says why
    if width * height > MAX_PIXELS:
        return (
            f"is {width:,} x {height:,} pixels ({width * height / 1e6:,.0f} megapixels), "
            f"above the {MAX_PIXELS / 1e6:.0f}-megapixel limit: too large to decode safely"
        )
    return ""


def _decode_verdict(data: bytes) -> str:
    """``""`` when TensorFlow decodes the whole file as the loader will, else the reason it cannot."""
    import tensorflow as tf

    if not data:
        return "empty file"
    too_large = _pixel_verdict(data) or _too_little_data(data)
    if too_large:
        return too_large
    try:  # the call image_dataset_from_directory makes, so what passes here loads there
        image, printed = _decode_capturing_stderr(data)
    except (tf.errors.InvalidArgumentError, tf.errors.UnknownError, ValueError) as err:
        reason = re.sub(r"\{\{.*?\}\}", "", str(getattr(err, "message", err)))
        reason = reason.replace("[Op:DecodeImage]", "").strip().splitlines()[0]
        return f"cannot be decoded ({reason.rstrip('. ')[:100]})"
    made_up = _MADE_UP.search(printed)
    if made_up:
        return (
            f"is cut short or damaged: libjpeg reports '{made_up.group(0)}' and would fill "
            "the missing pixels with grey"
        )
    if min(int(image.shape[0]), int(image.shape[1])) < 1:
        return "has no pixels"
    return ""


def _still_good(data: bytes) -> bool:
    """A cheap second look at a photo the cache remembers as good (header and ending only).

    The cache is ours, but a file in the user's folder: it is not trusted blindly. A photo must
    still open as an image of a kind TensorFlow decodes, within the pixel limit, with no more
    pixels than its bytes can hold, and end as its format ends (a JPEG's end-of-image marker, a
    PNG's IEND chunk). What fails is decoded afresh.
    """
    import io

    from PIL import Image

    if not data or _too_little_data(data):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as img:
                fmt, (width, height) = img.format, img.size
    except Exception:
        return False
    if fmt not in ("JPEG", "PNG", "GIF", "BMP") or not 0 < width * height <= MAX_PIXELS:
        return False
    tail = data[-4096:]
    if fmt == "JPEG":
        return b"\xff\xd9" in tail
    if fmt == "PNG":
        return b"IEND" in tail
    return True


def _cache_digest(verdicts: dict) -> str:
    return hashlib.sha256(
        json.dumps(verdicts, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def _read_verdict_cache(path: Path) -> dict[str, str]:
    """The remembered verdicts, or {} for a cache that is missing, not a small regular file,
    damaged, nested too deeply, of another format, or whose checksum does not match (edited
    or cut short): never a raw error, never a read that could block or fill the memory."""
    try:
        info = path.lstat()
    except OSError:
        return {}
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
        return {}
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read(MAX_CACHE_BYTES + 1).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return {}
    verdicts = data.get("verdicts")
    if not isinstance(verdicts, dict) or data.get("sha256") != _cache_digest(verdicts):
        return {}
    return {k: v for k, v in verdicts.items() if isinstance(v, str)}


def _write_verdict_cache(path: Path, fresh: dict[str, str]) -> None:
    """Add ``fresh`` verdicts to the cache, under its lock (two notebooks checking at once
    keep both's verdicts); a cache that cannot be written is simply rebuilt next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                return  # a pipe, a folder or a link where the cache should be: left alone
        except FileNotFoundError:
            pass
        with locked(path):
            verdicts = {**_read_verdict_cache(path), **fresh}
            body = {
                "format": CACHE_FORMAT,
                "sha256": _cache_digest(verdicts),
                "verdicts": verdicts,
            }
            write_atomically(path, json.dumps(body).encode())
    except OSError:
        pass


def _shown(path: Path, root: Path) -> str:
    """A path for a message, relative to ``root``; a name that is not UTF-8 shown escaped."""
    rel = path.relative_to(root) if path.is_relative_to(root) else path
    text = str(rel)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = ascii(text)
    return text


@dataclass
class PhotoCheck:
    """What :func:`check_photos` found: how many photos, how many decoded afresh, and every bad one."""

    checked: int = 0
    decoded: int = 0
    bad: list = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.checked} photos checked ({self.decoded} decoded now, "
            f"{self.checked - self.decoded} remembered from an earlier check), {len(self.bad)} bad"
        )


def check_photos(root: Path) -> PhotoCheck:
    """Decode every photo of every split once, before any training; stop with a list of the bad ones.

    Each file is first judged from its metadata (a folder, a named pipe, an unreadable file or a
    name that is not UTF-8 is bad without being opened), then from its header (more than
    ``MAX_PIXELS`` pixels is bad without being decoded), then decoded with
    ``tf.io.decode_image``, the call the loader makes, so a photo that passes here also loads in
    ``fit``. Verdicts are remembered by the sha256 of each file's content (in the user's cache
    folder, never in the data folder): a second run reads the files but decodes nothing, and a
    photo changed in place is decoded again even if its size and modification time were kept.
    Bad files are not skipped: the splits have fixed sizes, and a quietly smaller test split
    would change the figures. Instead :class:`DataValidationError` lists every bad file with its
    reason. Nothing is moved, changed or deleted.
    """
    root = Path(root)
    cache_path = _verdict_cache_path()
    cache = _read_verdict_cache(
        cache_path
    )  # a damaged cache is ignored, then rewritten
    result, fresh = PhotoCheck(), {}
    for split in SPLITS:
        for cls in CLASSES:
            folder = root / split / cls
            for path in _photos_in(folder) if folder.is_dir() else []:
                result.checked += 1
                verdict = _file_verdict(path)
                if not verdict:
                    try:
                        with open(path, "rb") as f:
                            data = f.read(MAX_PHOTO_BYTES + 1)
                        if len(data) > MAX_PHOTO_BYTES:
                            verdict = "grew past the size limit while it was read"
                    except OSError as err:
                        data, verdict = b"", f"cannot be read ({err.strerror or err})"
                if not verdict:
                    key = f"v{CACHE_FORMAT}|" + hashlib.sha256(data).hexdigest()
                    remembered = cache.get(key)
                    if remembered is not None and (remembered or _still_good(data)):
                        verdict = remembered
                    else:
                        verdict = _decode_verdict(data)
                        fresh[key] = verdict
                        result.decoded += 1
                if verdict:
                    result.bad.append((path, verdict))
    if fresh:
        _write_verdict_cache(cache_path, fresh)
    if result.bad:
        lines = "\n".join(f"  {_shown(p, root)}: {why}" for p, why in result.bad[:20])
        more = (
            f"\n  ... and {len(result.bad) - 20} more" if len(result.bad) > 20 else ""
        )
        raise DataValidationError(
            f"{len(result.bad)} of the {result.checked} photos in {root} cannot be used; nothing has been "
            f"trained yet.\n{lines}{more}\nReplace or remove these files (this code never changes them), "
            "then run again."
        )
    return result


def _extract_pet_images(zip_path: Path, into: Path) -> dict[str, Path]:
    with zipfile.ZipFile(zip_path) as zf:
        members = [
            m for m in zf.namelist() if re.match(r"^PetImages/(Cat|Dog)/[^/]+$", m)
        ]
        zf.extractall(into, members)
    return {"cats": into / "PetImages" / "Cat", "dogs": into / "PetImages" / "Dog"}


def standin_root(name: str) -> Path:
    """Where the quick profile's stand-in ``name`` lives: ``data_dir()/.standin/name``, or, when
    the data folder cannot be written (a read-only copy of the datasets), the same folder in the
    user's cache (``$XDG_CACHE_HOME/dnn-runnable/standin``), with a warning saying so."""
    preferred = data_dir() / ".standin" / name
    if (preferred / ".complete.json").exists():
        return preferred
    folder = next(
        (p for p in (preferred.parent, *preferred.parent.parents) if p.exists()), None
    )
    if folder is None or (folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)):
        return preferred
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    elsewhere = Path(base) / "dnn-runnable" / "standin" / name
    warnings.warn(
        f"the data folder {data_dir()} cannot be written, so the quick profile's stand-in "
        f"photos are drawn in {elsewhere} instead (nothing is written to the data folder)",
        stacklevel=3,
    )
    return elsewhere


def _is_standin_folder(root: Path) -> bool:
    """Is ``root`` a real folder in one of the places :func:`standin_root` draws stand-ins?"""
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    homes = (data_dir() / ".standin", Path(base) / "dnn-runnable" / "standin")
    return (
        root.is_dir()
        and not root.is_symlink()
        and any(root.parent.resolve() == home.resolve() for home in homes)
    )


def _extraction_folder() -> tempfile.TemporaryDirectory:
    """A scratch folder in the data folder for the archive's photos, named so that one a killed
    run left is recognised and removed (:func:`remove_stale_scratch`)."""
    data_dir().mkdir(parents=True, exist_ok=True)
    remove_stale_scratch(data_dir())
    return tempfile.TemporaryDirectory(
        prefix=f".extracting-{os.getpid()}-", dir=data_dir()
    )


def prepare_cats_and_dogs(quick: bool | None = None) -> tuple[Path, BuildReport | None]:
    """The folder to load from, and the build report when the subset was (re)built or checked."""
    if is_quick() if quick is None else quick:
        root = standin_root("cats_and_dogs_tiny")
        return root, make_standin_folder(root)
    root = data_dir() / SUBSET
    if (
        root.exists()
        and not (root / ".complete.json").exists()
        and not (root / "train").exists()
    ):
        raise DataValidationError(f"{root} exists but holds no train/ folder")
    if (
        root / "train"
    ).exists():  # placed by hand or built earlier: used as is, once checked
        check_layout(root, balanced=False)
        check_photos(root)  # bad files are named before the classes are counted
        check_layout(root)
        return root, None
    archive = fetch(PET_IMAGES)  # downloads once (787 MB) when not in the data folder
    with _extraction_folder() as tmp:
        sources = _extract_pet_images(archive, Path(tmp))
        report = build_subset(sources, root, FULL_SIZES)
    check_photos(root)
    return root, report


def prepare_subset(name: str, sizes: dict[str, int], quick: bool | None = None) -> Path:
    """Another subset of the same photos (say, twice the training photos), built once.

    Full profile: from the Microsoft archive (downloaded once, 787 MB), in ``data_dir()/name``;
    quick profile: drawn stand-ins in ``data_dir()/.standin/name``. Returns the folder.
    """
    if is_quick() if quick is None else quick:
        root = standin_root(name)
        make_standin_folder(root, sizes)
        return root
    root = data_dir() / name
    if read_marker(root) is None:
        archive = fetch(PET_IMAGES)
        with _extraction_folder() as tmp:
            build_subset(_extract_pet_images(archive, Path(tmp)), root, sizes)
    check_photos(root)
    return root


def make_standin_folder(
    root: Path,
    sizes: dict[str, int] = STANDIN_SIZES,
    image_size: int = 96,
    seed: int = 0,
) -> BuildReport:
    """Draw a tiny stand-in: 'cats' are round blobs, 'dogs' are boxes, on noisy coloured backgrounds."""
    from PIL import Image, ImageDraw

    root = Path(root)
    try:
        marker = read_marker(root)
    except (
        MarkerError
    ) as err:  # a stand-in is ours to redraw: a damaged one is drawn again
        warnings.warn(f"{err}; the stand-in is drawn again", stacklevel=2)
        marker = None
        if not _is_standin_folder(root):
            raise
        shutil.rmtree(root)
    if marker is not None:
        return BuildReport(counts=marker["counts"], already_built=True)
    rng = np.random.default_rng(seed)
    sources = {}
    remove_stale_scratch(Path(tempfile.gettempdir()))
    scratch = Path(tempfile.mkdtemp(prefix=f".standin-src-{os.getpid()}-"))
    try:
        for cls in CLASSES:
            folder = scratch / cls
            folder.mkdir()
            for i in range(sum(sizes.values())):
                bg = rng.integers(60, 200, 3)
                pixels = np.clip(
                    bg + rng.normal(0, 25, (image_size, image_size, 3)), 0, 255
                ).astype("uint8")
                img = Image.fromarray(pixels)
                draw = ImageDraw.Draw(img)
                colour = tuple(int(c) for c in rng.integers(0, 256, 3))
                cx, cy = rng.integers(25, image_size - 25, 2)
                r = int(rng.integers(12, 24))
                box = (cx - r, cy - r, cx + r, cy + r)
                (draw.ellipse if cls == "cats" else draw.rectangle)(box, fill=colour)
                img.save(folder / f"{i}.jpg", "JPEG", quality=90)
            sources[cls] = folder
        return build_subset(sources, root, sizes)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def original_sizes(root: Path, split: str = "train") -> np.ndarray:
    """(width, height) of every photo of a split, read from the file headers."""
    from PIL import Image

    sizes = []
    for cls in CLASSES:
        for p in _photos_in(Path(root) / split / cls):  # checked by check_photos first
            with Image.open(p) as img:
                sizes.append(img.size)
    return np.array(sizes)


def load_cats_and_dogs(root: Path, image_size: int, batch_size: int, seed: int = 0):
    """train, validation and test ``tf.data`` datasets (labels 0 = cat, 1 = dog), decoded once and cached.

    Training data is shuffled with ``seed``; validation and test keep file order.
    """
    import keras
    import tensorflow as tf

    check_layout(root, balanced=False)
    check_photos(root)  # remembered verdicts: no decoding after prepare_cats_and_dogs()
    check_layout(root)
    out = {}
    for split in SPLITS:
        ds = keras.utils.image_dataset_from_directory(
            Path(root) / split,
            labels="inferred",
            label_mode="binary",
            class_names=list(CLASSES),
            image_size=(image_size, image_size),
            batch_size=None,
            shuffle=(split == "train"),
            seed=seed,
        )
        ds = ds.cache()  # decode and resize each JPEG once
        if split == "train":
            ds = ds.shuffle(2000, seed=seed, reshuffle_each_iteration=True)
        out[split] = ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    return out["train"], out["validation"], out["test"]
