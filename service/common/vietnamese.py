"""Vietnamese conventions in pure functions: the sort key of a person's name (given name first,
the Vietnamese alphabet, tones after letters as CLDR/ICU "vi" orders them)."""

from __future__ import annotations

import calendar
import re
import string
import unicodedata
from functools import lru_cache

# CLDR vi: ă â after a, đ after d, ê after e, ô ơ after o, ư after u; f j w z keep their Latin
# places so that foreign names still sort sensibly. Digits come before letters.
ALPHABET = "0123456789aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# each letter becomes one ASCII letter or digit, in alphabet order (0-9 A-Z a-z are increasing)
_CODES = string.digits + string.ascii_uppercase + string.ascii_lowercase
_LETTER = {ch: _CODES[i] for i, ch in enumerate(ALPHABET)}
_OTHER = "~"  # any other character: after every letter
# tone marks (combining) in CLDR vi order: no tone < huyền < hỏi < ngã < sắc < nặng
TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_NO_TONE = "0"
# below every letter: a shorter name sorts before a longer one it begins ("An" < "Anh"), and
# the tones part only decides between names whose letters are all equal
SECTION_SEP = "."
WORD_SEP = "/"


@lru_cache(maxsize=65536)
def _word(word: str) -> tuple[str, str]:
    """(letters, tone) of one lower-case word: its letters encoded, its tone as one digit.
    Memoized: names are made of a few thousand syllables, repeated on every other row."""
    tone = _NO_TONE
    kept = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in TONES:
            tone = TONES[ch]
        else:
            kept.append(ch)
    letters = []
    for ch in unicodedata.normalize("NFC", "".join(kept)):
        code = _LETTER.get(ch)
        if code is None:
            # a letter with a mark foreign to Vietnamese (é is handled above, ç, ñ...): its base
            base = unicodedata.normalize("NFD", ch)[0]
            code = _LETTER.get(base, _OTHER if ch.isalnum() else "")
        letters.append(code)
    return "".join(letters), tone


def vi_sort_key(full_name: str) -> str:
    """The key that orders people's names the Vietnamese way by plain code-point comparison
    (SQLite's BINARY, PostgreSQL's "C"): the given name (last word) first, then the family and
    middle names in their order; letters compared over all words first, then the tones."""
    words = (full_name or "").lower().split()
    if words:
        words.insert(0, words.pop())
    parts = list(map(_word, words))
    letters = WORD_SEP.join(p[0] for p in parts)
    tones = "".join(p[1] for p in parts)
    return f"{letters}{SECTION_SEP}{tones}"


def fold(text: str | None) -> str:
    """`text` without its tones and letter marks, lower-case: what a search typed without
    Vietnamese accents matches ("trinh kim linh" ~ "Trịnh Kim Linh", "dong da" ~ "Đống Đa")."""
    if not text:
        return ""
    kept = (ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return "".join(kept).replace("đ", "d").replace("Đ", "D").lower()


def _folded_letters() -> tuple[str, str]:
    """Every precomposed Vietnamese letter (both cases, every tone and mark) and its fold, as
    two strings of the same length: SQL's translate(text, from, to) folds with them."""
    bases = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
    letters = {"đ", "Đ"}
    for base in bases:
        for tone in ("", *TONES):
            ch = unicodedata.normalize("NFC", base + tone)
            if len(ch) == 1 and ch != fold(ch):
                letters.add(ch)
    ordered = sorted(letters)
    folded = (fold(ch) if ch.islower() else fold(ch).upper() for ch in ordered)
    return "".join(ordered), "".join(folded)


FOLD_FROM, FOLD_TO = _folded_letters()


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def date_problem(text: str) -> str:
    """Why `text`, refused as a date, is not one: a day its month does not have, a month
    over 12 («Ngày không hợp lệ: tháng 2/2024 chỉ có 29 ngày.»), else the format."""
    m = _DMY.match((text or "").strip())
    if m:
        day, month, year = (int(g) for g in m.groups())
        if not 1 <= month <= 12:
            return f"Ngày không hợp lệ: không có tháng {month} (tháng từ 1 đến 12)."
        if day < 1:
            return f"Ngày không hợp lệ: không có ngày {day}."
        days = calendar.monthrange(year, month)[1] if year >= 1 else 31
        if day > days:
            return f"Ngày không hợp lệ: tháng {month}/{year} chỉ có {days} ngày."
    return "Ngày không hợp lệ (dd/mm/yyyy)."
