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
from typing import Iterable

import numpy as np

from .data import (
    SPECIAL_FILES,
    DataValidationError,
    RemoteFile,
    data_dir,
    fetch,
    write_atomically,
)
from .profile import is_quick

PET_IMAGES = RemoteFile(
    relpath="downloads/kagglecatsanddogs_5340.zip",
    url="https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-6DEBA77B919F/kagglecatsanddogs_5340.zip",
    file_hash="b7974bd00a84a99921f36ee4403f089853777b5ae8d151c76a86e64900334af9",
    source="Microsoft Research (Asirra), the photos of Kaggle's 'Dogs vs. Cats'; 25,000 JPEGs, 787 MB",
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

    if path.stat().st_size == 0:
        return False, "empty file"
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
    marker = out_dir / ".complete.json"
    if marker.exists():
        return BuildReport(
            counts=json.loads(marker.read_text())["counts"], already_built=True
        )
    if out_dir.exists() and any(out_dir.iterdir()):
        raise DataValidationError(
            f"{out_dir} exists but was not built completely; delete it and run again"
        )
    report = BuildReport()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=out_dir.parent))
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
    return ""


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
    too_large = _pixel_verdict(data)
    if too_large:
        return too_large
    try:  # the call image_dataset_from_directory makes, so what passes here loads there
        image = tf.io.decode_image(data, channels=3, expand_animations=False)
    except (tf.errors.InvalidArgumentError, tf.errors.UnknownError, ValueError) as err:
        reason = re.sub(r"\{\{.*?\}\}", "", str(getattr(err, "message", err)))
        reason = reason.replace("[Op:DecodeImage]", "").strip().splitlines()[0]
        return f"cannot be decoded ({reason.rstrip('. ')[:100]})"
    if min(int(image.shape[0]), int(image.shape[1])) < 1:
        return "has no pixels"
    return ""


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
    try:
        cache = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    if not isinstance(cache, dict):  # a damaged cache is ignored, then rewritten
        cache = {}
    result, fresh = PhotoCheck(), {}
    for split in SPLITS:
        for cls in CLASSES:
            folder = root / split / cls
            for path in _photos_in(folder) if folder.is_dir() else []:
                result.checked += 1
                verdict = _file_verdict(path)
                if not verdict:
                    try:
                        data = path.read_bytes()
                    except OSError as err:
                        data, verdict = b"", f"cannot be read ({err.strerror or err})"
                if not verdict:
                    key = "v2|" + hashlib.sha256(data).hexdigest()
                    if isinstance(cache.get(key), str):
                        verdict = cache[key]
                    else:
                        verdict = _decode_verdict(data)
                        fresh[key] = verdict
                        result.decoded += 1
                if verdict:
                    result.bad.append((path, verdict))
    if fresh:
        try:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(cache_path, json.dumps({**cache, **fresh}).encode())
        except OSError:  # no writable cache: the check simply runs again next time
            pass
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


def prepare_cats_and_dogs(quick: bool | None = None) -> tuple[Path, BuildReport | None]:
    """The folder to load from, and the build report when the subset was (re)built or checked."""
    if is_quick() if quick is None else quick:
        root = data_dir() / ".standin" / "cats_and_dogs_tiny"
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
    data_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir()) as tmp:
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
        root = data_dir() / ".standin" / name
        make_standin_folder(root, sizes)
        return root
    root = data_dir() / name
    if not (root / ".complete.json").exists():
        archive = fetch(PET_IMAGES)
        data_dir().mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=data_dir()) as tmp:
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
    if (root / ".complete.json").exists():
        return BuildReport(
            counts=json.loads((root / ".complete.json").read_text())["counts"],
            already_built=True,
        )
    rng = np.random.default_rng(seed)
    sources = {}
    scratch = Path(tempfile.mkdtemp(prefix=".standin-src-"))
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
