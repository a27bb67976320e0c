"""Quality levels (XS > T > HT > KHT, NR) and the "cap L" convention; party status and the
discipline forms."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType


class Level(enum.StrEnum):
    """Quality level; XS > T > HT > KHT, NR = not rated (outside the scale)."""

    XS = "XS"
    T = "T"
    HT = "HT"
    KHT = "KHT"
    NR = "NR"

    @property
    def rank(self) -> int:
        """4 for XS down to 1 for KHT; 0 for NR."""
        return _RANK[self]

    @property
    def label(self) -> str:
        """Vietnamese name of the level."""
        return _LABELS[self]

    @property
    def words(self) -> str:
        """The level as the explanations name it (Xuất sắc, Tốt, ...): short, in words."""
        return LEVEL_WORDS[self]


_RANK = {Level.XS: 4, Level.T: 3, Level.HT: 2, Level.KHT: 1, Level.NR: 0}
_BY_RANK = (Level.NR, Level.KHT, Level.HT, Level.T, Level.XS)
# Plain-string codes for messages and figures: figures dicts holding only str/int/Decimal stay
# untracked by the cyclic garbage collector.
_CODE = ("NR", "KHT", "HT", "T", "XS")
_LABELS = {
    Level.XS: "Hoàn thành xuất sắc nhiệm vụ",
    Level.T: "Hoàn thành tốt nhiệm vụ",
    Level.HT: "Hoàn thành nhiệm vụ",
    Level.KHT: "Không hoàn thành nhiệm vụ",
    Level.NR: "Không xếp loại",
}
# The levels as the explanations name them, by code (the figures hold codes).
LEVEL_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "XS": "Xuất sắc",
        "T": "Tốt",
        "HT": "Hoàn thành nhiệm vụ",
        "KHT": "Không hoàn thành nhiệm vụ",
        "NR": "Không xếp loại",
    }
)


def cap(level: Level, limit: Level | None) -> Level:
    """Convention "cap L": min(level, limit). Never raises a level.

    NR stays NR; a limit of None or NR (no rating to cap at) leaves the level unchanged.
    """
    if limit is None or level is Level.NR or limit is Level.NR:
        return level
    return limit if _RANK[limit] < _RANK[level] else level


class PartyStatus(enum.StrEnum):
    """Tình trạng sinh hoạt Đảng."""

    ACTIVE = "active"
    EXEMPT = "exempt"
    SUSPENDED = "suspended"


# Discipline forms (RULES.md C; TEMPLATES.md "Hình thức kỷ luật"): stored key -> Vietnamese label
DISCIPLINE_FORMS: Mapping[str, str] = MappingProxyType(
    {
        "khien_trach": "khiển trách",
        "canh_cao": "cảnh cáo",
        "cach_chuc": "cách chức",
        "giang_chuc": "giáng chức",
        "buoc_thoi_viec": "buộc thôi việc",
        "khai_tru": "khai trừ",
    }
)

# Discipline forms light to heavy (RULES.md C): equal ranks are equally heavy.
DISCIPLINE_RANK: Mapping[str, int] = MappingProxyType(
    {
        "khien_trach": 1,
        "canh_cao": 2,
        "cach_chuc": 3,
        "giang_chuc": 3,
        "buoc_thoi_viec": 4,
        "khai_tru": 4,
    }
)
