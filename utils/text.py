"""Movie-review text: Pang & Lee's snippets and full reviews, read safely from their zips.

Data: Bo Pang and Lillian Lee's "sentence polarity dataset v1.0" (5,331 + 5,331 Rotten Tomatoes
snippets) and "polarity dataset v2.0" (1,000 + 1,000 IMDb reviews), CC BY 4.0, as NLTK's data
index packages them (downloaded once, by a pinned sha256). Quick profile: :func:`snippets_standin`
and :func:`reviews_standin`, invented texts with a learnable signal, made offline.

A zip is read member by member, in memory (nothing is extracted to disk), and refused with one
message naming it when a member is missing or unexpected, escapes its folder, is empty, is not
UTF-8, is bigger than declared or than any real member could be (a zip bomb), or when the archive
is truncated.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from .data import (
    DataValidationError,
    RemoteFile,
    check_readable_file,
    decode_utf8,
    fetch,
)
from .profile import is_quick

NLTK_CORPORA = (
    "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/"
)
SNIPPETS = RemoteFile(
    relpath="text/sentence_polarity.zip",
    url=NLTK_CORPORA + "sentence_polarity.zip",
    file_hash="6e1ed4405b65c7eabf1d199a7f7c437091ac21da0ea7467b410a74062574566b",
    source="Bo Pang and Lillian Lee, sentence polarity dataset v1.0 (NLTK data index), CC BY 4.0",
)
REVIEWS = RemoteFile(
    relpath="text/movie_reviews.zip",
    url=NLTK_CORPORA + "movie_reviews.zip",
    file_hash="a41211ae685019137410268134db6a1a14428c89b671eb83056151a878539008",
    source="Bo Pang and Lillian Lee, polarity dataset v2.0 (NLTK data index), CC BY 4.0",
)
CITATION = (
    "Pang, B. & Lee, L. (2004, 2005). Movie review data (polarity dataset v2.0, sentence "
    "polarity dataset v1.0), https://www.cs.cornell.edu/people/pabo/movie-review-data/ (CC BY 4.0)"
)

# Limits far above the real archives (largest member 626,334 bytes, 7.8 MB in all, 2,004
# members) and far below what would exhaust memory.
MAX_MEMBER_BYTES = 4 << 20
MAX_TOTAL_BYTES = 64 << 20
MAX_MEMBERS = 5_000
MAX_RATIO = 200  # uncompressed / compressed; text compresses about 2-3x
CHUNK = 1 << 16


@dataclass(frozen=True)
class Layout:
    """Which members an archive holds: a pattern per class, and harmless extras."""

    folder: str
    classes: dict  # label name -> regular expression a member of that class matches
    extras: tuple  # other members allowed (README files), matched exactly
    one_per_line: bool  # snippets: one text a line; reviews: one text a file


SNIPPET_LAYOUT = Layout(
    folder="sentence_polarity",
    classes={
        "neg": r"sentence_polarity/rt-polarity\.neg",
        "pos": r"sentence_polarity/rt-polarity\.pos",
    },
    extras=("sentence_polarity/README.txt",),
    one_per_line=True,
)
REVIEW_LAYOUT = Layout(
    folder="movie_reviews",
    classes={
        "neg": r"movie_reviews/neg/cv\d{3}_\d+\.txt",
        "pos": r"movie_reviews/pos/cv\d{3}_\d+\.txt",
    },
    extras=("movie_reviews/README",),
    one_per_line=False,
)


def _unsafe_name(name: str) -> bool:
    """A member path that could land outside its folder if it were ever extracted."""
    if "\\" in name or "\x00" in name or re.match(r"^[A-Za-z]:", name):
        return True
    path = PurePosixPath(name)
    return path.is_absolute() or ".." in path.parts


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    """The member's bytes, read in chunks and stopped as soon as it outgrows its declared size."""
    chunks, size = [], 0
    with zf.open(info) as stream:
        while True:
            block = stream.read(CHUNK)
            if not block:
                break
            size += len(block)
            if size > info.file_size or size > MAX_MEMBER_BYTES:
                raise DataValidationError(
                    f"{path}: member {info.filename!r} unpacks to more than the "
                    f"{info.file_size:,} bytes it declares (a zip bomb?); stopped reading"
                )
            chunks.append(block)
    return b"".join(chunks)


def read_text_zip(path: str | Path, layout: Layout) -> tuple[list[str], np.ndarray]:
    """Texts and labels (1 = positive) from one of the two archives, checked member by member."""
    path = Path(path)
    check_readable_file(path, "zip file")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise DataValidationError(
            f"{path} is not a readable zip archive ({err}): a truncated or interrupted "
            "download? Delete it and run again to download it afresh."
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise DataValidationError(
                f"{path} lists {len(infos):,} members, more than {MAX_MEMBERS:,}: not this data"
            )
        escaping = [i.filename for i in infos if _unsafe_name(i.filename)]
        if escaping:
            raise DataValidationError(
                f"{path}: member path(s) {escaping[:3]} would escape the archive's folder; "
                "refusing the archive"
            )
        files = [i for i in infos if not i.is_dir()]
        by_class = {
            label: [i for i in files if re.fullmatch(pattern, i.filename)]
            for label, pattern in layout.classes.items()
        }
        known = {i.filename for group in by_class.values() for i in group}
        unexpected = [
            i.filename
            for i in files
            if i.filename not in known and i.filename not in layout.extras
        ]
        if unexpected:
            raise DataValidationError(
                f"{path}: unexpected member(s) {unexpected[:3]}; this archive should hold "
                f"only {layout.folder}/ with {sorted(layout.classes.values())}"
            )
        empty_class = [label for label, group in by_class.items() if not group]
        if empty_class:
            raise DataValidationError(
                f"{path}: no member for class(es) {empty_class} (expected names matching "
                f"{[layout.classes[c] for c in empty_class]}): not the {layout.folder} archive"
            )
        declared = sum(i.file_size for i in files)
        bomb = [
            i.filename
            for i in files
            if i.file_size > MAX_MEMBER_BYTES
            or i.file_size > MAX_RATIO * max(i.compress_size, 1)
        ]
        if bomb or declared > MAX_TOTAL_BYTES:
            raise DataValidationError(
                f"{path}: member(s) {bomb[:3]} declare {declared:,} bytes in all, or a "
                f"compression ratio above {MAX_RATIO}: a zip bomb? Refused before unpacking"
            )
        texts, labels, total = [], [], 0
        for label, group in by_class.items():
            for info in sorted(group, key=lambda i: i.filename):
                try:
                    raw = _read_member(zf, info, path)
                except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as err:
                    raise DataValidationError(
                        f"{path}: member {info.filename!r} cannot be unpacked ({err}): a "
                        "truncated or damaged archive? Delete it to download it again."
                    ) from None
                total += len(raw)
                if total > MAX_TOTAL_BYTES:
                    raise DataValidationError(
                        f"{path} unpacks to more than {MAX_TOTAL_BYTES:,} bytes: a zip bomb?"
                    )
                if not raw.strip():
                    raise DataValidationError(
                        f"{path}: member {info.filename!r} is empty"
                    )
                name = info.filename
                content = decode_utf8(
                    raw,
                    lambda byte, line: (
                        f"{path}: member {name!r} is not UTF-8 text (byte {byte:#04x} "
                        f"on line {line}); the NLTK package is UTF-8"
                    ),
                )
                pieces = content.splitlines() if layout.one_per_line else [content]
                pieces = [p.strip() for p in pieces if p.strip()]
                texts += pieces
                labels += [int(label == "pos")] * len(pieces)
    return texts, np.asarray(labels, dtype="int64")


def _validator(layout: Layout, per_class: int):
    def validate(path: Path) -> None:
        _, labels = read_text_zip(path, layout)
        counts = np.bincount(labels, minlength=2).tolist()
        if counts != [per_class, per_class]:
            raise DataValidationError(
                f"{path} holds {counts[0]} negative and {counts[1]} positive texts; the "
                f"published archive has {per_class} of each"
            )

    return validate


def load_snippets(quick: bool | None = None) -> tuple[list[str], np.ndarray]:
    """The 10,662 snippets (one sentence each) and their labels, 1 = positive."""
    if is_quick() if quick is None else quick:
        return snippets_standin()
    path = fetch(SNIPPETS, validate=_validator(SNIPPET_LAYOUT, 5331))
    return read_text_zip(path, SNIPPET_LAYOUT)


def load_reviews(quick: bool | None = None) -> tuple[list[str], np.ndarray]:
    """The 2,000 full reviews and their labels, 1 = positive."""
    if is_quick() if quick is None else quick:
        return reviews_standin()
    path = fetch(REVIEWS, validate=_validator(REVIEW_LAYOUT, 1000))
    return read_text_zip(path, REVIEW_LAYOUT)


# --- the quick profile's invented texts ---------------------------------------------------------

POSITIVE = (
    "good great moving funny charming wonderful brilliant touching smart delightful "
    "beautiful gripping fresh witty superb"
).split()
NEGATIVE = (
    "bad dull boring tedious silly awful flat stupid mess lifeless clumsy "
    "predictable tired weak pointless"
).split()
NEUTRAL = (
    "the a film movie story it is its and of this with as director cast plot "
    "script scenes characters an to that in about one two hours ending actors "
    "music camera drama comedy thriller first second character time"
).split()


def _invent(rng: np.random.Generator, label: int, words: int) -> str:
    """Neutral words with a few sentiment words, mostly (not always) of the label's side."""
    out = list(rng.choice(NEUTRAL, words))
    for _ in range(max(2, words // 4)):
        side = POSITIVE if (rng.random() < 0.85) == bool(label) else NEGATIVE
        word = str(rng.choice(side))
        if rng.random() < 0.1:  # "not good" reads as negative: a word order signal
            word = "not " + str(rng.choice(NEGATIVE if side is POSITIVE else POSITIVE))
        out.insert(int(rng.integers(0, len(out) + 1)), word)
    return " ".join(out) + " ."


def snippets_standin(n: int = 400, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """``n`` invented one-sentence snippets (8-24 words), half positive."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    texts = [_invent(rng, int(y), int(rng.integers(8, 25))) for y in labels]
    return texts, labels.astype("int64")


def reviews_standin(n: int = 120, seed: int = 1) -> tuple[list[str], np.ndarray]:
    """``n`` invented reviews of 60-200 words in short sentences, half positive."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    texts = []
    for y in labels:
        length, sentences = int(rng.integers(60, 200)), []
        while length > 0:
            k = int(rng.integers(8, 20))
            sentences.append(_invent(rng, int(y), k))
            length -= k
        texts.append(" ".join(sentences))
    return texts, labels.astype("int64")
