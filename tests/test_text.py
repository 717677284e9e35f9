"""The movie-review loader: the archives' layout, every way an archive can be bad, and the cache.

Each bad archive is a small zip made here; each case asserts one message that names the file,
raised before anything trains, and that the user's files are byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile

import numpy as np
import pytest
from test_bad_data_again import unchanged

from utils import text
from utils.data import DataValidationError, RemoteFile, data_dir

POS = "sentence_polarity/rt-polarity.pos"
NEG = "sentence_polarity/rt-polarity.neg"
GOOD = {
    "sentence_polarity/README.txt": b"about the data\n",
    POS: "a gripping , witty film . \nit's a delight . \n".encode(),
    NEG: "dull and flat . \nan awful mess . \nnot worth it . \n".encode(),
}


def write_zip(path, members: dict, method=zipfile.ZIP_DEFLATED):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def refused(path, match, layout=text.SNIPPET_LAYOUT):
    """The archive is refused with one message naming it, and nothing beside it changes."""
    with (
        unchanged(path.parent),
        pytest.raises(DataValidationError, match=match) as info,
    ):
        text.read_text_zip(path, layout)
    assert str(path) in str(info.value)
    return str(info.value)


def test_a_good_archive_reads_one_text_a_line_with_labels(tmp_path):
    path = write_zip(tmp_path / "s.zip", GOOD)
    texts, labels = text.read_text_zip(path, text.SNIPPET_LAYOUT)
    assert texts[:3] == ["dull and flat .", "an awful mess .", "not worth it ."]
    assert labels.tolist() == [0, 0, 0, 1, 1]


def test_reviews_read_one_text_a_file(tmp_path):
    members = {
        "movie_reviews/README": b"readme",
        "movie_reviews/neg/cv000_1.txt": b"bad film .\nreally bad .\n",
        "movie_reviews/pos/cv001_2.txt": b"a fine film .\n",
        "movie_reviews/pos/cv002_3.txt": b"great .\n",
    }
    path = write_zip(tmp_path / "r.zip", members)
    texts, labels = text.read_text_zip(path, text.REVIEW_LAYOUT)
    assert texts == ["bad film .\nreally bad .", "a fine film .", "great ."]
    assert labels.tolist() == [0, 1, 1]


def test_a_missing_member_is_named(tmp_path):
    members = {k: v for k, v in GOOD.items() if k != POS}
    refused(
        write_zip(tmp_path / "s.zip", members), r"no member for class\(es\) \['pos'\]"
    )


def test_an_unexpected_member_is_named(tmp_path):
    members = {**GOOD, "sentence_polarity/extra.exe": b"MZ"}
    refused(write_zip(tmp_path / "s.zip", members), "unexpected member.*extra.exe")


def test_the_other_archive_is_not_taken_for_this_one(tmp_path):
    path = write_zip(tmp_path / "s.zip", {"movie_reviews/pos/cv000_1.txt": b"good"})
    refused(path, "unexpected member")


def test_a_member_that_is_not_utf8_is_named_with_its_line(tmp_path):
    latin1 = "a caf\u00e9 film . \n".encode("latin-1")
    refused(
        write_zip(tmp_path / "s.zip", {**GOOD, NEG: b"fine . \n" + latin1}),
        r"rt-polarity.neg' is not UTF-8 text \(byte 0xe9 on line 2\)",
    )


@pytest.mark.parametrize("content", [b"", b"\n \n"], ids=["no bytes", "blank lines"])
def test_an_empty_member_is_named(tmp_path, content):
    refused(
        write_zip(tmp_path / "s.zip", {**GOOD, POS: content}),
        "rt-polarity.pos' is empty",
    )


def test_a_truncated_archive_is_named(tmp_path):
    path = write_zip(tmp_path / "s.zip", GOOD)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # an interrupted download
    refused(path, "not a readable zip archive.*truncated")


def test_a_damaged_member_is_named(tmp_path):
    path = write_zip(tmp_path / "s.zip", GOOD, method=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.index(b"gripping")
    data[at : at + 8] = b"GRIPPING"  # the stored bytes no longer match their CRC
    path.write_bytes(bytes(data))
    refused(path, "rt-polarity.pos' cannot be unpacked")


@pytest.mark.parametrize(
    "name",
    ["../sentence_polarity/rt-polarity.pos", "/etc/passwd", "sentence_polarity\\..\\x"],
)
def test_a_member_path_escaping_the_folder_is_refused(tmp_path, name):
    refused(write_zip(tmp_path / "s.zip", {**GOOD, name: b"x\n"}), "would escape")


def test_a_zip_bomb_is_refused_from_its_declared_sizes(tmp_path):
    bomb = b"a" * 400_000  # deflates about a thousandfold
    path = write_zip(tmp_path / "s.zip", {**GOOD, POS: bomb})
    refused(path, "zip bomb.*before unpacking")


def test_a_member_bigger_than_any_real_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(text, "MAX_MEMBER_BYTES", 1_000)
    words = np.random.default_rng(0).choice(["good", "bad", "film", "."], 600)
    path = write_zip(tmp_path / "s.zip", {**GOOD, POS: " ".join(words).encode()})
    refused(path, "zip bomb")


def test_a_member_that_lies_about_its_size_is_stopped(tmp_path):
    """The central directory declares 10 bytes; the member holds more: reading stops there."""
    path = write_zip(tmp_path / "s.zip", GOOD)
    data = bytearray(path.read_bytes())
    header = data.rindex(
        b"PK\x01\x02", 0, data.index(POS.encode(), data.index(b"PK\x01\x02"))
    )
    size_at = header + 24  # uncompressed size in the central directory entry
    assert struct.unpack("<I", data[size_at : size_at + 4])[0] == len(GOOD[POS])
    data[size_at : size_at + 4] = struct.pack("<I", 10)
    path.write_bytes(bytes(data))
    message = refused(path, "rt-polarity.pos'")
    assert "cannot be unpacked" in message or "more than" in message


def test_a_bomb_that_passes_the_declared_checks_is_stopped_while_reading(
    tmp_path, monkeypatch
):
    """Reading counts the bytes it unpacks, in chunks, against the declared size."""
    path = write_zip(tmp_path / "s.zip", GOOD)
    real_open = zipfile.ZipFile.open

    def open_more(
        self, info, *args, **kwargs
    ):  # a stream that yields more than declared
        stream = real_open(self, info, *args, **kwargs)
        chunks = iter([stream.read(), b"x" * 100, b""])

        class Stream:
            def read(self, n=-1):
                return next(chunks)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                stream.close()

        return Stream()

    monkeypatch.setattr(zipfile.ZipFile, "open", open_more)
    refused(path, "unpacks to more than the .* bytes it declares")


# --- the cache: used when there, never downloaded again, a bad hand-placed file named -------------


def pinned(path) -> RemoteFile:
    return RemoteFile(
        relpath="text/sentence_polarity.zip",
        url="https://example.invalid/sentence_polarity.zip",
        file_hash=hashlib.sha256(path.read_bytes()).hexdigest(),
        source="test",
    )


def test_a_cached_archive_with_the_pinned_hash_is_used_without_download(
    full_profile, no_network, monkeypatch
):
    path = write_zip(data_dir() / "text" / "sentence_polarity.zip", GOOD)
    monkeypatch.setattr(text, "SNIPPETS", pinned(path))
    with unchanged(data_dir()):
        texts, labels = text.load_snippets()
    assert len(texts) == 5 and no_network == []


def test_a_hand_placed_bad_archive_is_named_and_not_replaced(
    full_profile, no_network, tmp_path
):
    path = write_zip(data_dir() / "text" / "sentence_polarity.zip", {**GOOD, POS: b""})
    with (
        unchanged(data_dir()),
        pytest.raises(DataValidationError, match="placed by hand.*is empty") as info,
    ):
        text.load_snippets()
    assert str(path) in str(info.value) and no_network == []


def test_a_hand_placed_archive_with_too_few_texts_is_refused(full_profile, no_network):
    write_zip(data_dir() / "text" / "sentence_polarity.zip", GOOD)
    with (
        unchanged(data_dir()),
        pytest.raises(
            DataValidationError, match="2 positive texts; the published.*5331"
        ),
    ):
        text.load_snippets()


def test_a_missing_archive_is_downloaded_from_nltk_by_its_pinned_hash(
    full_profile, no_network
):
    from utils.data import DataUnavailableError

    with pytest.raises(DataUnavailableError, match="sentence_polarity.zip") as info:
        text.load_snippets()
    assert no_network == [text.SNIPPETS.url]
    assert "raw.githubusercontent.com/nltk/nltk_data" in text.SNIPPETS.url
    assert text.SNIPPETS.file_hash in str(info.value)
    assert not (data_dir() / "text").exists()


# --- the quick profile's stand-in -----------------------------------------------------------------


def test_the_quick_profile_never_touches_the_network(no_network, monkeypatch):
    monkeypatch.setenv("DNN_PROFILE", "quick")
    texts, labels = text.load_snippets()
    reviews, review_labels = text.load_reviews()
    assert len(texts) == 400 and len(reviews) == 120 and no_network == []
    assert labels.mean() == 0.5 and review_labels.mean() == 0.5


def test_the_stand_in_is_fixed_and_learnable():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB

    texts, labels = text.snippets_standin()
    assert text.snippets_standin()[0] == texts  # the same every time
    bag = CountVectorizer(token_pattern=r"\S+")
    x = bag.fit_transform(texts)
    model = MultinomialNB().fit(x[:300], labels[:300])
    held_out = np.mean(model.predict(x[300:]) == labels[300:])
    assert held_out > 0.75, held_out  # a signal a model can learn...
    assert held_out < 1.0  # ...but not a trivial one
