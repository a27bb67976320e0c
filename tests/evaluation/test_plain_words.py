"""Explanations in plain words (issue 11 item 5): each step states the rule's condition with the
pack's thresholds, the person's (or unit's) figures and the result, levels in Vietnamese words.
Table tests by rule id; the issue's two examples word for word."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date

import pytest

from evaluation.rules import (
    DEFAULT_CATALOG,
    Level,
    PartyStatus,
    RulePack,
    apply_quota,
    compute_year,
    rate_person,
    rate_unit,
)
from evaluation.rules.quota import _scope_text
from tests.evaluation.test_example_rules import EXAMPLE, load_example
from tests.evaluation.test_rules import (
    PACK,
    YEAR,
    D,
    member,
    person,
    rate,
    step,
    t_rating,
    unit,
    xs_rating,
)

XS, T, HT, KHT = Level.XS, Level.T, Level.HT, Level.KHT


def message(rating, rule_id: str) -> str:
    return step(rating, rule_id).message_vi


# --- the two examples -----------------------------------------------------------------


def test_A4_message_names_the_condition():
    r = rate(person(tasks_total=12, tasks_late=1, tasks_exceeded=3))
    assert r.level is HT
    assert message(r, "A4") == (
        "A4: mức Tốt cần 0 nhiệm vụ chậm; có 1/12 nhiệm vụ chậm → Hoàn thành nhiệm vụ"
    )


def test_A10_message_names_the_scope_the_count_and_the_quota():
    scope = ("official", "DD-UB", "chuyên môn")
    ratings = [xs_rating(f"X{i:03d}", str(99 - i / 10)) for i in range(30)]
    ratings += [t_rating(f"T{i:03d}") for i in range(110)]
    out = {r.code: r for r in apply_quota(ratings, lambda r: scope, PACK.a10_p)}
    assert message(out["X003"], "A10") == (
        "A10: trong DD-UB, nhóm chuyên môn, 140 người đạt Tốt trở lên nên được giữ tối đa "
        "23 Xuất sắc; xếp hạng 4 → giữ Xuất sắc"
    )
    assert message(out["X023"], "A10") == (
        "A10: trong DD-UB, nhóm chuyên môn, 140 người đạt Tốt trở lên nên được giữ tối đa "
        "23 Xuất sắc; xếp hạng 24 → Tốt"
    )


# --- every rule id ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inp", "kind", "expected"),
    [
        (
            person(months_worked=5),
            "official",
            "A1: được xếp loại cần ít nhất 6 tháng công tác hoặc nghỉ thai sản; "
            "có 5 tháng công tác → Không xếp loại",
        ),
        (
            member(party_status=PartyStatus.SUSPENDED),
            "party",
            "A1: đảng viên được xếp loại cần đang sinh hoạt Đảng; "
            "đang đình chỉ sinh hoạt Đảng → Không xếp loại",
        ),
        (
            member(admitted_on=date(YEAR, 7, 1)),
            "party",
            "A1: đảng viên được xếp loại cần vào Đảng đến hết ngày 30/06/2026; "
            "vào Đảng ngày 01/07/2026 → Không xếp loại",
        ),
    ],
    ids=["months", "status", "admitted"],
)
def test_A1_message_names_the_condition(inp, kind, expected):
    assert message(rate(inp, kind), "A1") == expected


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        (
            dict(monthly_scores={1: D(80), 2: D(90)}, violations=("1.03",)),
            "A2: điểm 87.50 = tiêu chí chung 28.00 (trong đó Chỉ thị 24: 8) "
            "+ điểm nhiệm vụ 59.50 (70 × trung bình 2 tháng chấm điểm / 100)",
        ),
        (
            dict(),
            "A2: điểm 95.00 = tiêu chí chung 30.00 (trong đó Chỉ thị 24: 10) "
            "+ điểm nhiệm vụ cả năm 65.00",
        ),
    ],
    ids=["monthly", "yearly"],
)
def test_A2_message_names_the_condition(kw, expected):
    assert message(rate(person(**kw)), "A2") == expected


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        ("65", "A3: mức Xuất sắc từ 90 điểm; điểm 95.00 → Xuất sắc"),
        ("50", "A3: mức Tốt từ 70 đến dưới 90 điểm; điểm 80.00 → Tốt"),
        (
            "30",
            "A3: mức Hoàn thành nhiệm vụ từ 50 đến dưới 70 điểm; điểm 60.00 → Hoàn thành nhiệm vụ",
        ),
        (
            "10",
            "A3: mức Không hoàn thành nhiệm vụ dưới 50 điểm; điểm 40.00 "
            "→ Không hoàn thành nhiệm vụ",
        ),
    ],
    ids=["XS", "T", "HT", "KHT"],
)
def test_A3_message_names_the_condition(task, expected):
    assert message(rate(person(task_points=D(task))), "A3") == expected


def test_A3_message_reads_the_years_pack():
    pack = replace(RulePack(), a3_band_xs=D("85"), a3_band_t=D("65"))
    r = rate_person(person(task_points=D(50)), pack, YEAR, "official", DEFAULT_CATALOG)
    assert message(r, "A3") == "A3: mức Tốt từ 65 đến dưới 85 điểm; điểm 80.00 → Tốt"


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        (
            dict(tasks_total=10, tasks_exceeded=2),
            "A4: mức Xuất sắc cần 0 nhiệm vụ chậm và ít nhất 30% nhiệm vụ vượt; "
            "có 2/10 nhiệm vụ vượt → Tốt",
        ),
        (
            dict(tasks_total=12, tasks_late=1, tasks_exceeded=3),
            "A4: mức Tốt cần 0 nhiệm vụ chậm; có 1/12 nhiệm vụ chậm → Hoàn thành nhiệm vụ",
        ),
        (
            dict(tasks_total=10, tasks_late=3),
            "A4: mức Hoàn thành nhiệm vụ cần không quá 20% nhiệm vụ chậm; "
            "có 3/10 nhiệm vụ chậm → Không hoàn thành nhiệm vụ",
        ),
    ],
    ids=["to-T", "to-HT", "to-KHT"],
)
def test_A4_message_names_each_condition(kw, expected):
    assert message(rate(person(**kw)), "A4") == expected


@pytest.mark.parametrize(
    ("violations", "expected"),
    [
        (
            ("1.03",),
            "A5: mức Xuất sắc cần không có vi phạm Chỉ thị 24; có 1 vi phạm (1.03) → Tốt",
        ),
        (
            ("1.03", "1.04", "1.06"),
            "A5: mức Tốt cần dưới 3 vi phạm Chỉ thị 24; "
            "có 3 vi phạm (1.03, 1.04, 1.06) → Hoàn thành nhiệm vụ",
        ),
        (
            ("1.05",),
            "A5: mức Tốt cần không có vi phạm nghiêm trọng; "
            "có 1 vi phạm (1.05), có vi phạm nghiêm trọng → Hoàn thành nhiệm vụ",
        ),
    ],
    ids=["one", "many", "serious"],
)
def test_A5_message_names_the_condition(violations, expected):
    # 30 general points less the deductions + 70 task points: still in band XS
    r = rate(person(violations=violations, task_points=D(70)))
    assert message(r, "A5") == expected


@pytest.mark.parametrize(
    ("kind", "remedied", "expected"),
    [
        (
            "official",
            False,
            "A6: bị kỷ luật trong năm thì Không hoàn thành nhiệm vụ; "
            "bị cảnh cáo năm 2026 → Không hoàn thành nhiệm vụ",
        ),
        (
            "party",
            True,
            "A6: đảng viên bị kỷ luật trong năm nhưng tự phát hiện và khắc phục thì tối đa "
            "Hoàn thành nhiệm vụ; bị cảnh cáo năm 2026 → Hoàn thành nhiệm vụ",
        ),
    ],
    ids=["official", "party-self-remedied"],
)
def test_A6_message_names_the_condition(kind, remedied, expected):
    inp = member(discipline_form="canh_cao", discipline_year=YEAR, self_remedied=remedied)
    assert message(rate(inp, kind), "A6") == expected


def test_A7_message_names_the_condition():
    assert message(rate(person(months_worked=7)), "A7") == (
        "A7: mức Tốt trở lên cần ít nhất 9 tháng công tác (trừ nghỉ thai sản); "
        "có 7 tháng công tác → Hoàn thành nhiệm vụ"
    )


@pytest.mark.parametrize(
    ("unit_level", "approved", "expected"),
    [
        (
            HT,
            True,
            "A8: người đứng đầu không được xếp cao hơn đơn vị mình; "
            "U1 được xếp Hoàn thành nhiệm vụ (đã phê duyệt) → Hoàn thành nhiệm vụ",
        ),
        (
            T,
            False,
            "A8: người đứng đầu không được xếp cao hơn đơn vị mình; "
            "U1 tạm tính Tốt, chờ phê duyệt → Tốt (tạm tính)",
        ),
        (
            XS,
            False,
            "A8: người đứng đầu không được xếp cao hơn đơn vị mình; "
            "U1 tạm tính Xuất sắc, chờ phê duyệt → kết quả tạm tính",
        ),
    ],
    ids=["approved", "computed", "provisional"],
)
def test_A8_message_names_the_condition(unit_level, approved, expected):
    r = rate(person(is_head=True), unit_level=unit_level, unit_approved=approved)
    assert message(r, "A8") == expected


@pytest.mark.parametrize(
    ("official", "words"),
    [(T, "Tốt"), (HT, "Hoàn thành nhiệm vụ"), (KHT, "Không hoàn thành nhiệm vụ")],
    ids=["T", "HT", "KHT"],
)
def test_A9_message_names_the_condition(official, words):
    r = rate(member(), "party", official_level=official)
    assert message(r, "A9") == (
        f"A9: đảng viên mức Xuất sắc cần xếp loại cán bộ Xuất sắc; xếp loại cán bộ {words} → Tốt"
    )


@pytest.mark.parametrize(
    ("scope", "words"),
    [
        (("official", "DD-UB", "chuyên môn"), "DD-UB, nhóm chuyên môn"),
        (("official", "DD-UB", ""), "DD-UB"),
        (("party", "DD-UB"), "DD-UB"),
        (("unit", "DD-UB"), "các đơn vị trực thuộc DD-UB"),
        (("unit", None), "các đơn vị không có đơn vị cấp trên"),
        ("other", "other"),
    ],
    ids=["official", "official-no-group", "party", "unit", "unit-no-parent", "other"],
)
def test_A10_scope_in_words(scope, words):
    assert _scope_text(scope) == words


def test_B1_message_names_the_condition():
    r = rate_unit(unit(k3=False, violations=("1.09",)), PACK, DEFAULT_CATALOG)
    assert message(r, "B1") == (
        "B1: điểm 94.00 = tiêu chí chung 20.00 + Chỉ thị 24 6.00 "
        "(đạt K1, K2, K4: 8.00 điểm, trừ vi phạm 2.00) + điểm nhiệm vụ 68.00"
    )


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        ("68", "B2: mức Xuất sắc từ 90 điểm; điểm 98.00 → Xuất sắc"),
        ("55", "B2: mức Tốt từ 70 đến dưới 90 điểm; điểm 85.00 → Tốt"),
    ],
    ids=["XS", "T"],
)
def test_B2_message_names_the_condition(task, expected):
    assert message(rate_unit(unit(task_points=D(task)), PACK, DEFAULT_CATALOG), "B2") == expected


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        (
            dict(targets_exceeded=2),
            "B3: mức Xuất sắc cần 0 chỉ tiêu chậm, ít nhất 30% chỉ tiêu vượt và không đơn vị "
            "trực thuộc nào bị kỷ luật; có 2/10 chỉ tiêu vượt, 0 đơn vị trực thuộc bị kỷ luật "
            "→ Tốt",
        ),
        (
            dict(targets_late=1),
            "B3: mức Tốt cần 0 chỉ tiêu chậm; có 1/10 chỉ tiêu chậm → Hoàn thành nhiệm vụ",
        ),
        (
            dict(targets_late=3),
            "B3: mức Hoàn thành nhiệm vụ cần không quá 20% chỉ tiêu chậm; "
            "có 3/10 chỉ tiêu chậm → Không hoàn thành nhiệm vụ",
        ),
        (
            dict(targets_done=4, corruption_case=True),
            "B3: Không hoàn thành nhiệm vụ khi hoàn thành dưới 50% chỉ tiêu, trên 20% đơn vị "
            "trực thuộc bị kỷ luật, tập thể lãnh đạo bị kỷ luật hoặc có vụ việc tham nhũng; "
            "hoàn thành 4/10 chỉ tiêu, có vụ việc tham nhũng → Không hoàn thành nhiệm vụ",
        ),
    ],
    ids=["to-T", "to-HT", "to-KHT", "KHT-triggers"],
)
def test_B3_message_names_the_condition(kw, expected):
    assert message(rate_unit(unit(**kw), PACK, DEFAULT_CATALOG), "B3") == expected


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        (
            dict(k2=False, task_points=D(70)),
            "B4: mức Xuất sắc cần đạt K2 (nhiệm vụ đột phá được đăng ký và hoàn thành); "
            "K2 chưa đạt → Tốt",
        ),
        (
            dict(violations=("2.09",)),
            "B4: mức Tốt cần không có vi phạm nghiêm trọng; "
            "có 1 vi phạm (2.09), có vi phạm nghiêm trọng → Hoàn thành nhiệm vụ",
        ),
    ],
    ids=["K2", "serious"],
)
def test_B4_message_names_the_condition(kw, expected):
    assert message(rate_unit(unit(**kw), PACK, DEFAULT_CATALOG), "B4") == expected


def test_B5_message_counts_units():
    ratings = [xs_rating("U1", "98", kind="unit"), xs_rating("U2", "97", kind="unit")]
    ratings += [replace(t_rating(f"U{i}"), kind="unit") for i in range(3, 12)]
    out = {r.code: r for r in apply_quota(ratings, lambda r: ("unit", "R"), PACK.b5_p)}
    assert message(out["U2"], "B5") == (
        "B5: trong các đơn vị trực thuộc R, 11 đơn vị đạt Tốt trở lên nên được giữ tối đa "
        "1 Xuất sắc; xếp hạng 2 → Tốt"
    )


# --- no level codes in any message ------------------------------------------------------------

_CODE_WORD = re.compile(r"(?<![\w.-])(XS|T|HT|KHT|NR)(?![\w.-])")


def test_messages_name_levels_in_words_on_the_example():
    year = json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))["year"]
    nodes, unit_inputs, people = load_example(EXAMPLE)
    res = compute_year(year, PACK, DEFAULT_CATALOG, nodes, unit_inputs, people)
    ratings = [*res.units.values(), *res.official.values(), *res.party.values()]
    messages = [s.message_vi for r in ratings for s in r.steps]
    assert messages
    for m in messages:
        assert not _CODE_WORD.search(m), m
        assert re.match(r"^[AB]\d+: ", m), m
