"""vi_sort_key: given name first, the Vietnamese alphabet, tones after letters (CLDR vi)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.common.vietnamese import ALPHABET, vi_sort_key


def ordered(*names):
    return sorted(names, key=vi_sort_key)


@pytest.mark.parametrize(
    "expected",
    [
        # the issue: đ after d and before e, so Đặng, Đinh, Đỗ come before Vũ
        ["Dương Văn An", "Đặng Văn An", "Đinh Văn An", "Đỗ Văn An", "Vũ Văn An"],
        ["Đỗ Văn An", "Giang Văn An"],
        # letters first: Lương < Lý since u < y, whatever the tones
        ["Lương Văn Bình", "Lý Văn Bình"],
        # the alphabet: a < ă < â < b, e < ê, o < ô < ơ < p, u < ư < v
        ["Thị A", "Thị Ă", "Thị Â", "Thị B"],
        ["Thị Em", "Thị Êm"],
        ["Thị Oanh", "Thị Ôn", "Thị Ơn", "Thị Phan"],
        ["Thị Tu", "Thị Tư", "Thị Vy"],
        # tones: none < huyền < hỏi < ngã < sắc < nặng
        ["Văn Ma", "Văn Mà", "Văn Mả", "Văn Mã", "Văn Má", "Văn Mạ"],
        # a tone only decides between names whose letters are all equal
        ["Văn Má", "Văn Mai"],
        ["Trần Ánh", "Lê Anh"][::-1],  # "anh" < "ánh" when family names differ: letters first
        # a shorter given name first
        ["Lê An", "Lê Anh"],
    ],
)
def test_orders(expected):
    assert ordered(*reversed(expected)) == expected
    assert ordered(*expected) == expected


@pytest.mark.parametrize(
    "expected",
    [
        # the given name (last word) decides first, then family and middle names in order
        ["Vũ Thị An", "Đặng Văn Bình"],
        ["Đặng Văn Bình", "Lê Bình", "Lê Thị Bình", "Lê Văn Bình"],
        ["Nguyễn Văn Cường", "Trần Văn Cường"],
    ],
)
def test_given_name_first(expected):
    assert ordered(*reversed(expected)) == expected


@pytest.mark.parametrize(
    "a,b",
    [
        ("Nguyễn Văn An", "nguyễn  văn  an"),  # case and spacing do not matter
        ("Nguyễn Văn An", " Nguyễn Văn An "),
        # composed and decomposed forms are the same name
        ("Nguyễn Thị Ánh", unicodedata.normalize("NFD", "Nguyễn Thị Ánh")),
    ],
)
def test_same_key(a, b):
    assert vi_sort_key(a) == vi_sort_key(b)


def test_key_is_plain_ascii():
    key = vi_sort_key("Đặng Thị Ngọc Ánh Ưng Ơn")
    assert key.isascii() and key.isprintable()
    assert vi_sort_key("") == vi_sort_key("   ")


LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
TONE_MARKS = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]  # in tone order
word = st.text(alphabet=LETTERS, min_size=1, max_size=6)
name = st.lists(word, min_size=1, max_size=4).map(" ".join)


@given(name)
def test_deterministic(n):
    assert vi_sort_key(n) == vi_sort_key(n)
    assert vi_sort_key(n) == vi_sort_key(n.upper())


@given(st.lists(name, max_size=8))
def test_total_order(names):
    keys = [vi_sort_key(n) for n in names]
    once = sorted(names, key=vi_sort_key)
    assert sorted(reversed(once), key=vi_sort_key) == once
    # any two different names' keys compare one way; equal keys only for the same letters+tones
    for a, ka in zip(names, keys, strict=True):
        for b, kb in zip(names, keys, strict=True):
            assert (ka < kb) + (kb < ka) + (ka == kb) == 1
            if ka == kb:
                assert a.lower() == b.lower()


def _with_tone(words, tone):
    """Put `tone` on the first letter of the first word (any vowel or not: the key only sees
    the mark)."""
    first = unicodedata.normalize("NFC", words[0][0] + tone) + words[0][1:]
    return " ".join([first, *words[1:]])


@given(st.lists(word, min_size=1, max_size=3), st.lists(name, max_size=6))
def test_tone_variants_adjacent_in_tone_order(words, others):
    variants = [_with_tone(words, t) for t in TONE_MARKS]
    others = [o for o in others if o != variants[0]]
    result = sorted(variants + others, key=vi_sort_key)
    positions = [result.index(v) for v in variants]
    # together (no name with other letters between them) and in tone order
    assert positions == list(range(positions[0], positions[0] + len(variants)))


def test_alphabet_is_vietnamese():
    assert ALPHABET.index("đ") == ALPHABET.index("d") + 1
    assert ALPHABET.index("ư") < ALPHABET.index("v") < ALPHABET.index("y")
