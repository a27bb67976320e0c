"""The national statistical report forms of emulation and commendation (Thông tư 02/2023/TT-BNV,
biểu 0601–0605; issue 13 item 6) as pure counting: the awarded recipients of a period in, the
coded rows of each form out (no Flask, no database; awards.tt02_exports reads and writes).

The annex's exact text is not available offline; this is a reading faithful to its spirit,
documented in docs/tt02-bieu-mau.md:
- every form counts awards (lượt khen thưởng): one person with two titles counts twice; only
  awarded recipients (a votable nomination not refused by the council's vote) of decisions
  dated within the period, on lists of the chosen unit's subtree;
- rows are coded 01, 02, … (cột B) and the first row "Tổng số" (01) is the sum of the rows
  below it (a subtotal sums its indented rows); columns are numbered 1, 2, … and column 1
  "Tổng số" is the sum of the columns of one grouping;
- titles (danh hiệu thi đua, Luật Thi đua, khen thưởng 2022 art. 21–27) are TITLE_CODES; every
  other code of the catalog is a form of commendation (hình thức khen thưởng), except the
  party's commendations and badges (RULES.md P: the party's own system, not the state
  statistics), which no form counts.

0601 Khen thưởng theo đơn vị trình: a row per unit whose list was decided in the period.
0602 Danh hiệu thi đua: a row per title; cá nhân, tập thể, of the individuals nữ and lãnh đạo.
0603 Hình thức khen thưởng: a row per form of commendation; the same columns.
0604 Khen thưởng theo đối tượng: lãnh đạo quản lý (is_head), cán bộ, công chức, viên chức,
     người lao động, not classified, then tập thể; columns by level of the decision.
0605 Khen thưởng theo cấp quyết định: a row per level: decisions, awards by subject and kind."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.common.spreadsheets import FormColumn, FormRow

LEVELS = ("co_so", "huyen", "thanh_pho", "nha_nuoc")
LEVEL_NAMES = {
    "co_so": "Cấp cơ sở",
    "huyen": "Cấp huyện",
    "thanh_pho": "Cấp tỉnh, thành phố",
    "nha_nuoc": "Cấp Nhà nước",
}
# danh hiệu thi đua (Luật TĐKT 2022 art. 21–27), individuals' first, in the catalog's codes
TITLE_CODES = ("CSTD_TP", "CSTDCS", "LDTT", "CO_TP", "TTLDXS", "TTLDTT")
# hình thức khen thưởng of the catalog, from the highest authority down
FORM_ORDER = ("BK_TTG", "BK_TP", "GK")
# the party's commendations and badges (RULES.md P) are not state statistics
PARTY_PREFIXES = ("HHD",)
PARTY_CODES = ("GK_DANG", "DANG_5NAM", "GK_TCD", "TCD_5NAM")

PERSON, UNIT = "person", "unit"
TITLE, FORM, PARTY = "title", "form", "party"


@dataclass(frozen=True)
class Awarded:
    """One award counted: its decision (id, level), the unit whose list held it, whom (a
    person or a unit) and what; of a person: female, head (lãnh đạo, quản lý), category."""

    decision_id: int
    level: str
    list_unit_id: int
    subject: str
    award: str
    female: bool = False
    head: bool = False
    category: str | None = None


def kind_of(code: str) -> str:
    """title | form | party: a code's group in the forms (unknown codes count as forms)."""
    if code in TITLE_CODES:
        return TITLE
    if code in PARTY_CODES or code.startswith(PARTY_PREFIXES):
        return PARTY
    return FORM


def counted(awards: Iterable[Awarded]) -> list[Awarded]:
    """The awards the forms count: every one but the party's."""
    return [a for a in awards if a.award and kind_of(a.award) != PARTY]


def _codes(n: int) -> list[str]:
    return [f"{i:02d}" for i in range(1, n + 1)]


def _sum(rows: Sequence[Sequence[int]], width: int) -> list[int]:
    return [sum(r[i] for r in rows) for i in range(width)]


def _with_total(items: Sequence[tuple[str, list[int]]], width: int) -> list[FormRow]:
    """ "Tổng số" (01, the sum) then each item (02, 03, …)."""
    codes = _codes(len(items) + 1)
    rows = [FormRow("Tổng số", codes[0], _sum([v for _l, v in items], width), depth=0)]
    rows += [FormRow(label, code, v) for (label, v), code in zip(items, codes[1:], strict=True)]
    return rows


# --- 0601 by submitting unit -----------------------------------------------------------------

COLUMNS_0601 = (
    FormColumn("Tổng số"),
    FormColumn("Tập thể", "Chia theo đối tượng"),
    FormColumn("Cá nhân", "Chia theo đối tượng"),
    FormColumn("Danh hiệu thi đua", "Chia theo loại"),
    FormColumn("Hình thức khen thưởng", "Chia theo loại"),
)


def _split(awards: Sequence[Awarded]) -> list[int]:
    """[total, units, people, titles, forms]."""
    units = sum(1 for a in awards if a.subject == UNIT)
    titles = sum(1 for a in awards if kind_of(a.award) == TITLE)
    return [len(awards), units, len(awards) - units, titles, len(awards) - titles]


def form_0601(awards: Iterable[Awarded], units: Sequence[tuple[int, str]]) -> list[FormRow]:
    """Biểu 0601: a row per unit (id, name) whose list was decided in the period, in the order
    given; the total first. Columns COLUMNS_0601: 1 = 2 + 3 = 4 + 5."""
    awards = counted(awards)
    items = [(name, _split([a for a in awards if a.list_unit_id == uid])) for uid, name in units]
    return _with_total(items, len(COLUMNS_0601))


# --- 0602 titles, 0603 forms of commendation --------------------------------------------------

COLUMNS_BY_AWARD = (
    FormColumn("Tổng số"),
    FormColumn("Cá nhân", "Chia theo đối tượng"),
    FormColumn("Tập thể", "Chia theo đối tượng"),
    FormColumn("Nữ", "Trong đó cá nhân"),
    FormColumn("Lãnh đạo, quản lý", "Trong đó cá nhân"),
)


def _by_award(awards: Sequence[Awarded], code: str) -> list[int]:
    """[total, people, units, women, heads] of one award code."""
    mine = [a for a in awards if a.award == code]
    people = [a for a in mine if a.subject == PERSON]
    return [
        len(mine),
        len(people),
        len(mine) - len(people),
        sum(1 for a in people if a.female),
        sum(1 for a in people if a.head),
    ]


def form_0602(awards: Iterable[Awarded], names: dict[str, str]) -> list[FormRow]:
    """Biểu 0602: a row per title of TITLE_CODES (named by `names`, the catalog's), the total
    first. Columns COLUMNS_BY_AWARD: 1 = 2 + 3; 4 and 5 are parts of 2."""
    awards = counted(awards)
    items = [(names.get(c, c), _by_award(awards, c)) for c in TITLE_CODES]
    return _with_total(items, len(COLUMNS_BY_AWARD))


def form_codes(awards: Iterable[Awarded], catalog: Iterable[str]) -> list[str]:
    """The forms of commendation 0603 lists: FORM_ORDER first, then the catalog's other forms,
    then any other code found among the awards."""
    out = list(FORM_ORDER)
    for code in [*catalog, *sorted({a.award for a in counted(awards)})]:
        if kind_of(code) == FORM and code not in out:
            out.append(code)
    return out


def form_0603(awards: Iterable[Awarded], names: dict[str, str]) -> list[FormRow]:
    """Biểu 0603: a row per form of commendation (form_codes), the total first; columns as
    0602."""
    awards = counted(awards)
    items = [(names.get(c, c), _by_award(awards, c)) for c in form_codes(awards, names)]
    return _with_total(items, len(COLUMNS_BY_AWARD))


# --- 0604 by target group ---------------------------------------------------------------------

COLUMNS_0604 = (
    FormColumn("Tổng số"),
    *(FormColumn(LEVEL_NAMES[lv], "Chia theo cấp quyết định") for lv in LEVELS),
)
GROUPS_0604 = (
    ("Lãnh đạo, quản lý", lambda a: a.head),
    ("Cán bộ", lambda a: not a.head and a.category == "can_bo"),
    ("Công chức", lambda a: not a.head and a.category == "cong_chuc"),
    ("Viên chức", lambda a: not a.head and a.category == "vien_chuc"),
    ("Người lao động", lambda a: not a.head and a.category == "nguoi_lao_dong"),
    ("Chưa xác định đối tượng", lambda a: not a.head and a.category is None),
)


def _by_level(awards: Sequence[Awarded]) -> list[int]:
    per = [sum(1 for a in awards if a.level == lv) for lv in LEVELS]
    return [sum(per), *per]


def form_0604(awards: Iterable[Awarded]) -> list[FormRow]:
    """Biểu 0604: 01 Tổng số = 02 Cá nhân + 09 Tập thể; 02 = 03 … 08 (a person in exactly one
    group: lãnh đạo, quản lý when head, else by category). Columns COLUMNS_0604: 1 = 2 … 5."""
    awards = counted(awards)
    people = [a for a in awards if a.subject == PERSON]
    units = [a for a in awards if a.subject == UNIT]
    width = len(COLUMNS_0604)
    groups = [(label, _by_level([a for a in people if test(a)])) for label, test in GROUPS_0604]
    codes = _codes(len(groups) + 3)
    person_row = _sum([v for _l, v in groups], width)
    unit_row = _by_level(units)
    rows = [
        FormRow("Tổng số", codes[0], _sum([person_row, unit_row], width), depth=0),
        FormRow("Cá nhân", codes[1], person_row),
    ]
    rows += [
        FormRow(label, code, v, depth=2)
        for (label, v), code in zip(groups, codes[2:-1], strict=True)
    ]
    rows.append(FormRow("Tập thể", codes[-1], unit_row))
    return rows


# --- 0605 by level of decision ----------------------------------------------------------------

COLUMNS_0605 = (
    FormColumn("Số quyết định"),
    FormColumn("Tổng số lượt khen thưởng"),
    FormColumn("Tập thể", "Chia theo đối tượng"),
    FormColumn("Cá nhân", "Chia theo đối tượng"),
    FormColumn("Danh hiệu thi đua", "Chia theo loại"),
    FormColumn("Hình thức khen thưởng", "Chia theo loại"),
)


def form_0605(awards: Iterable[Awarded], decisions: Iterable[tuple[int, str]]) -> list[FormRow]:
    """Biểu 0605: a row per level of decision (LEVELS), the total first; column 1 the decisions
    (id, level) of the period deciding a list of the subtree, 2 = 3 + 4 = 5 + 6."""
    awards = counted(awards)
    decisions = set(decisions)
    items = [
        (
            LEVEL_NAMES[lv],
            [sum(1 for _d, level in decisions if level == lv)]
            + _split([a for a in awards if a.level == lv]),
        )
        for lv in LEVELS
    ]
    return _with_total(items, len(COLUMNS_0605))
