"""The worked example spec/examples/ratings-small through the pure rules (RULES.md A, B).

Reads the four import files as TEMPLATES.md describes (columns by Vietnamese label or key, any
case or diacritics), computes the year and compares every unit, official and party row.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from unidecode import unidecode

from evaluation.rules import (
    DEFAULT_CATALOG,
    Level,
    PartyStatus,
    PersonInput,
    RulePack,
    UnitInput,
    UnitNode,
    UnitTree,
    compute_year,
)

# /work/shared/spec next to the repository, or SPEC_DIR. A missing example fails, never skips.
SPEC = Path(os.environ.get("SPEC_DIR") or Path(__file__).resolve().parents[3] / "shared" / "spec")
EXAMPLE = SPEC / "examples" / "ratings-small"


def normalize_header(label: object) -> str:
    """'Mã cán bộ' == 'ma can bo' == ' MA CAN BO '; keys keep their underscores."""
    text = unidecode(str(label or "")).strip().lower()
    return re.sub(r"\s+", " ", text)


# (key, Vietnamese label) per TEMPLATES.md
UNIT_COLUMNS = [
    ("unit_code", "Mã đơn vị"),
    ("name", "Tên đơn vị"),
    ("parent_code", "Mã đơn vị cấp trên"),
    ("kind", "Loại đơn vị"),
    ("quota_root", "Đơn vị tính tỷ lệ"),
]
PEOPLE_COLUMNS = [
    ("person_code", "Mã cán bộ"),
    ("full_name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("gender", "Giới tính"),
    ("unit_code", "Mã đơn vị"),
    ("position", "Chức vụ"),
    ("duty_group", "Nhóm nhiệm vụ"),
    ("is_head", "Người đứng đầu"),
    ("category", "Đối tượng"),
    ("is_party_member", "Đảng viên"),
    ("party_unit_code", "Mã chi bộ"),
    ("admitted_on", "Ngày vào Đảng"),
    ("party_gap_days", "Số ngày gián đoạn"),
    ("party_status", "Tình trạng sinh hoạt Đảng"),
    ("seriously_ill", "Ốm nặng"),
]
PERSON_YEAR_COLUMNS = [
    ("year", "Năm"),
    ("person_code", "Mã cán bộ"),
    ("ct", "Chính trị tư tưởng"),
    ("dd", "Đạo đức, lối sống"),
    ("tp", "Tác phong, lề lối"),
    ("kl", "Ý thức tổ chức kỷ luật"),
    ("violations", "Biểu hiện vi phạm"),
    *[(f"m{i}", f"Tháng {i}") for i in range(1, 13)],
    ("task_points", "Điểm nhiệm vụ"),
    ("tasks_total", "Tổng số nhiệm vụ"),
    ("tasks_late", "Số nhiệm vụ chậm"),
    ("tasks_exceeded", "Số nhiệm vụ vượt"),
    ("months_worked", "Số tháng công tác"),
    ("maternity", "Nghỉ thai sản"),
    ("discipline_form", "Hình thức kỷ luật"),
    ("discipline_year", "Năm quyết định kỷ luật"),
    ("discipline_date", "Ngày quyết định kỷ luật"),
    ("party_discipline", "Kỷ luật Đảng"),
    ("counted_before", "Đã tính ở năm trước"),
    ("self_remedied", "Tự phát hiện, khắc phục"),
    ("under_review", "Đang bị xem xét"),
    ("initiatives_base", "Sáng kiến cấp cơ sở"),
    ("initiatives_city", "Sáng kiến cấp thành phố"),
]
UNIT_YEAR_COLUMNS = [
    ("year", "Năm"),
    ("unit_code", "Mã đơn vị"),
    ("ct", "Chính trị tư tưởng"),
    ("dd", "Đạo đức, lối sống"),
    ("tp", "Tác phong, lề lối"),
    ("kl", "Ý thức tổ chức kỷ luật"),
    ("k1", "Quán triệt đúng hạn"),
    ("k2", "Nhiệm vụ đột phá"),
    ("k3", "Giải quyết tồn đọng"),
    ("k4", "Tự kiểm tra"),
    ("violations", "Biểu hiện vi phạm"),
    ("task_points", "Điểm nhiệm vụ"),
    ("targets_total", "Tổng chỉ tiêu"),
    ("targets_done", "Chỉ tiêu hoàn thành"),
    ("targets_late", "Chỉ tiêu chậm"),
    ("targets_exceeded", "Chỉ tiêu vượt"),
    ("subunits_total", "Số đơn vị trực thuộc"),
    ("subunits_disciplined", "Số đơn vị trực thuộc bị kỷ luật"),
    ("leadership_disciplined", "Tập thể lãnh đạo bị kỷ luật"),
    ("corruption_case", "Có vụ việc tham nhũng"),
    ("under_review", "Đang bị xem xét"),
]

YES = {"co", "x", "1", "true"}
NO = {"khong", "", "0", "false"}
PARTY_STATUS = {
    "dang sinh hoat": PartyStatus.ACTIVE,
    "mien sinh hoat": PartyStatus.EXEMPT,
    "dinh chi": PartyStatus.SUSPENDED,
    "dinh chi sinh hoat": PartyStatus.SUSPENDED,
}


def read_rows(path: Path, columns: list[tuple[str, str]]) -> list[dict[str, object]]:
    lookup = {}
    for key, label in columns:
        lookup[normalize_header(key)] = key
        lookup[normalize_header(label)] = key
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows)
        keys = [lookup.get(normalize_header(cell)) for cell in header]
        unknown = [cell for cell, key in zip(header, keys, strict=True) if key is None and cell]
        assert not unknown, f"{path.name}: unknown columns {unknown}"
        out = []
        for row in rows:
            if all(v is None or str(v).strip() == "" for v in row):
                continue
            out.append({k: v for k, v in zip(keys, row, strict=False) if k is not None})
        return out
    finally:
        wb.close()


def text(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def yes(value: object) -> bool:
    s = normalize_header(value if value is not None else "")
    if s in YES:
        return True
    assert s in NO, f"not a yes/no value: {value!r}"
    return False


def dec(value: object) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return Decimal(str(value).strip())


def integer(value: object, default: int = 0) -> int:
    d = dec(value)
    if d is None:
        return default
    assert d == d.to_integral_value(), value
    return int(d)


def day(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.strptime(str(value).strip(), "%d/%m/%Y").date()


def codes(value: object) -> tuple[str, ...]:
    return tuple(c.strip() for c in re.split(r"[,;]", str(value or "")) if c.strip())


def load_example(folder: Path):
    nodes = [
        UnitNode(
            code=text(r["unit_code"]),
            parent_code=text(r.get("parent_code")),
            quota_root=yes(r.get("quota_root")),
        )
        for r in read_rows(folder / "don_vi.xlsx", UNIT_COLUMNS)
    ]
    by_code = {n.code: n for n in nodes}
    unit_inputs = []
    for r in read_rows(folder / "danh_gia_tap_the.xlsx", UNIT_YEAR_COLUMNS):
        node = by_code[text(r["unit_code"])]
        unit_inputs.append(
            UnitInput(
                code=node.code,
                parent_code=node.parent_code,
                quota_root=node.quota_root,
                ct=dec(r["ct"]) or Decimal(0),
                dd=dec(r["dd"]) or Decimal(0),
                tp=dec(r["tp"]) or Decimal(0),
                kl=dec(r["kl"]) or Decimal(0),
                k1=yes(r["k1"]),
                k2=yes(r["k2"]),
                k3=yes(r["k3"]),
                k4=yes(r["k4"]),
                violations=codes(r.get("violations")),
                task_points=dec(r.get("task_points")) or Decimal(0),
                targets_total=integer(r.get("targets_total")),
                targets_done=integer(r.get("targets_done")),
                targets_late=integer(r.get("targets_late")),
                targets_exceeded=integer(r.get("targets_exceeded")),
                subunits_total=integer(r.get("subunits_total")),
                subunits_disciplined=integer(r.get("subunits_disciplined")),
                leadership_disciplined=yes(r.get("leadership_disciplined")),
                corruption_case=yes(r.get("corruption_case")),
                under_review=yes(r.get("under_review")),
            )
        )
    people_rows = {
        text(r["person_code"]): r for r in read_rows(folder / "can_bo.xlsx", PEOPLE_COLUMNS)
    }
    people = []
    for r in read_rows(folder / "danh_gia_ca_nhan.xlsx", PERSON_YEAR_COLUMNS):
        code = text(r["person_code"])
        p = people_rows[code]
        monthly = {}
        for month in range(1, 13):
            value = dec(r.get(f"m{month}"))
            if value is not None:
                monthly[month] = value
        discipline_year = integer(r.get("discipline_year"), default=0) or None
        if day(r.get("discipline_date")) is not None:
            discipline_year = day(r["discipline_date"]).year
        status = normalize_header(p.get("party_status") or "dang sinh hoat")
        people.append(
            PersonInput(
                code=code,
                unit_code=text(p["unit_code"]),
                party_unit_code=text(p.get("party_unit_code")),
                duty_group=text(p.get("duty_group")) or "",
                is_head=yes(p.get("is_head")),
                category=text(p.get("category")),
                is_party_member=yes(p.get("is_party_member")),
                party_status=PARTY_STATUS[status],
                admitted_on=day(p.get("admitted_on")),
                ct=dec(r["ct"]) or Decimal(0),
                dd=dec(r["dd"]) or Decimal(0),
                tp=dec(r["tp"]) or Decimal(0),
                kl=dec(r["kl"]) or Decimal(0),
                violations=codes(r.get("violations")),
                monthly_scores=monthly,
                task_points=dec(r.get("task_points")),
                tasks_total=integer(r.get("tasks_total")),
                tasks_late=integer(r.get("tasks_late")),
                tasks_exceeded=integer(r.get("tasks_exceeded")),
                months_worked=integer(r.get("months_worked"), default=12),
                maternity=yes(r.get("maternity")),
                discipline_form=text(r.get("discipline_form")),
                discipline_year=discipline_year,
                counted_before=yes(r.get("counted_before")),
                self_remedied=yes(r.get("self_remedied")),
                party_discipline=yes(r.get("party_discipline")),
                under_review=yes(r.get("under_review")),
            )
        )
    return nodes, unit_inputs, people


@pytest.fixture(scope="module")
def expected():
    return json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result(expected):
    nodes, unit_inputs, people = load_example(EXAMPLE)
    return compute_year(expected["year"], RulePack(), DEFAULT_CATALOG, nodes, unit_inputs, people)


def test_normalize_header_ignores_case_spaces_and_diacritics():
    assert normalize_header("  Mã cán bộ ") == normalize_header("ma can bo") == "ma can bo"
    assert normalize_header("ĐẢNG VIÊN") == "dang vien"


@pytest.mark.parametrize("kind", ["units", "official", "party"])
def test_example_every_row_matches(kind, expected, result):
    got = getattr(result, kind)
    want = expected[kind]
    assert set(got) == set(want), f"{kind}: rated codes differ"
    mismatches = []
    for code, exp in sorted(want.items()):
        rating = got[code]
        score = None if rating.score is None else str(rating.score)
        if (str(rating.level), score) != (exp["level"], exp["score"]):
            mismatches.append((code, exp["level"], exp["score"], str(rating.level), score))
        elif not set(exp["rules"]) <= set(rating.rule_ids):
            mismatches.append((code, exp["rules"], rating.rule_ids))
    assert not mismatches, f"{kind}: {len(mismatches)} rows differ: {mismatches}"


def test_example_heads_are_provisional_until_units_approved(result, expected):
    # Unit levels in the example are computed (none approved): every capped head is provisional.
    assert result.official["HB00051"].provisional
    assert result.official["HB00051"].level is Level.KHT
    assert not result.official["HB00001"].provisional


def test_example_with_approved_units_is_not_provisional(expected):
    nodes, unit_inputs, people = load_example(EXAMPLE)
    approved = {code: Level(v["level"]) for code, v in expected["units"].items()}
    res = compute_year(
        expected["year"],
        RulePack(),
        DEFAULT_CATALOG,
        nodes,
        unit_inputs,
        people,
        approved_unit_levels=approved,
    )
    assert not any(r.provisional for r in res.official.values())
    assert res.official["HB00051"].level is Level.KHT


def test_A9_A10_party_scope_rated_alone_with_given_official_levels_matches_whole_year(
    result, expected
):
    """compute_year(official_levels=…): members passed without a category are rated as party
    members only, A9 against the given official level; one party scope (A10 among its members)
    then gives exactly the party ratings of the whole year."""
    import dataclasses

    nodes, unit_inputs, people = load_example(EXAMPLE)
    tree = UnitTree(nodes)
    roots = tree.all_quota_roots()
    by_scope: dict[str, list] = {}
    for inp in people:
        if inp.is_party_member:
            code = inp.party_unit_code or inp.unit_code
            by_scope.setdefault(roots.get(code) or tree.quota_root_of(code), []).append(inp)
    assert len(by_scope) >= 2
    differ_without = 0
    for members in by_scope.values():
        alone = [dataclasses.replace(inp, category=None) for inp in members]
        given = {inp.code: result.official[inp.code].level for inp in members if inp.category}

        def rate(official_levels, alone=alone):
            return compute_year(
                expected["year"],
                RulePack(),
                DEFAULT_CATALOG,
                nodes,
                [],
                alone,
                unit_ratings=result.units,
                official_levels=official_levels,
            )

        part = rate(given)
        assert not part.official
        assert part.party == {inp.code: result.party[inp.code] for inp in members}
        differ_without += rate(None).party != part.party
    # without the official levels A9 has nothing to compare with: some scope comes out else
    assert differ_without
