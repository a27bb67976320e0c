"""Imports of "Đánh giá cá nhân", "Đánh giá tập thể" and "Lịch sử" (TEMPLATES.md): the API's
checks on every row, all or nothing, idempotent, violation records added (never removed), audited,
reach and list locks, blank templates and the import page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import event, func, select

from evaluation.imports import parse_awards, split_codes
from evaluation.models import EvalYear, History, PersonEval, Rating, Review, UnitEval, Violation
from service.audit.models import AuditEntry
from service.extensions import db
from service.imports.models import ImportRun
from service.imports.schemas import EXAMPLE_YEAR, TEMPLATES
from service.org.models import Person, Unit

YEAR = 2025


def xlsx(header, rows, title="Sheet"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table(rows: list[dict]) -> bytes:
    """A file whose header is every key used by the rows (labels or keys), in order."""
    header = list(dict.fromkeys(k for r in rows for k in r))
    return xlsx(header, [[r.get(k) for k in header] for r in rows])


def upload(client, headers, kind, data, name="tep.xlsx"):
    return client.post(
        f"/api/v1/imports/{kind}",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def errors_of(res):
    assert res.status_code == 400, res.get_json()
    return res.json["error"]["import"]["errors"]


def counts(res):
    assert res.status_code == 201, res.get_json()
    return res.json["created"], res.json["updated"], res.json["unchanged"]


def count(model, *where):
    return db.session.scalar(select(func.count(model.id)).where(*where))


def person_eval(code, year=YEAR):
    return db.session.scalar(
        select(PersonEval)
        .join(PersonEval.person)
        .join(EvalYear, PersonEval.year_id == EvalYear.id)
        .where(EvalYear.year == year, PersonEval.person.has(code=code))
    )


def active(code=None, unit_code=None):
    stmt = select(Violation).where(Violation.removed_at.is_(None)).order_by(Violation.id)
    if code:
        stmt = stmt.where(Violation.person.has(code=code))
    else:
        stmt = stmt.where(Violation.unit.has(code=unit_code))
    return list(db.session.scalars(stmt))


@pytest.fixture
def world(client, create_unit, create_person, create_user, bearer, create_year):
    """R (quota root) → A → A1, R → B; people PA1, PA2 in A, PA11 in A1, PB1 in B; year open."""
    r = create_unit("R", quota_root=True)
    a = create_unit("A", r)
    a1 = create_unit("A1", a)
    b = create_unit("B", r)
    for code, unit in (("PA1", a), ("PA2", a), ("PA11", a1), ("PB1", b)):
        create_person(unit, code=code)
    users = {
        "admin": create_user(roles=[("admin", None)]),
        "staff_r": create_user(roles=[("staff", r)]),
        "staff_a": create_user(roles=[("staff", a)]),
        "staff_a1": create_user(roles=[("staff", a1)]),
        "staff_a_hr_r": create_user(roles=[("staff", a), ("hr", r)]),
        "hr_r": create_user(roles=[("hr", r)]),
        "hr_a": create_user(roles=[("hr", a)]),
        "committee_r": create_user(roles=[("committee", r)]),
    }
    h = {k: bearer(u) for k, u in users.items()}
    create_year(YEAR)
    return {"units": {"R": r, "A": a, "A1": a1, "B": b}, "users": users, "h": h}


def good(code, **extra):
    row = {
        "Năm": YEAR,
        "Mã cán bộ": code,
        "Chính trị tư tưởng": 5,
        "dd": 5,
        "Tác phong, lề lối": 5,
        "KL": 5,
        **{f"Tháng {m}": 90 for m in range(1, 13)},
        "Tổng số nhiệm vụ": 10,
        "Số nhiệm vụ chậm": 0,
        "Số nhiệm vụ vượt": 3,
    }
    row.update(extra)
    return row


def test_codes_and_awards_are_read_leniently():
    assert split_codes("1.01, 2.03;3.04 ;; ") == ["1.01", "2.03", "3.04"]
    assert split_codes(1.1) == ["1.10"] and split_codes("1.03,1.03") == ["1.03", "1.03"]
    assert parse_awards("ldtt; CSTĐ TP, hhd-45, LDTT, Bằng khen") == (
        ["LDTT", "CSTD_TP", "HHD45"],
        ["Bằng khen"],
    )


# --- Đánh giá cá nhân --------------------------------------------------------------------------


def test_person_evals_create_store_audit_then_unchanged(client, world):
    h = world["h"]["staff_r"]
    data = table(
        [
            good(
                "PA1",
                **{
                    "Chính trị tư tưởng": "4,555",
                    "Biểu hiện vi phạm": "1.03;1.03, 2.01",
                    "Hình thức kỷ luật": "Khiển trách",
                    "Ngày quyết định kỷ luật": "05/06/2025",
                    "Nghỉ thai sản": "x",
                    "Số tháng công tác": None,
                },
            ),
            {
                "Năm": YEAR,
                "Mã cán bộ": "PA2",
                "ct": 4,
                "Biểu hiện vi phạm": None,
                "Điểm nhiệm vụ": 60.5,
                "Số tháng công tác": 8,
                "Hình thức kỷ luật": None,
            },
        ]
    )
    assert counts(upload(client, h, "person_evals", data, "danh_gia.xlsx")) == (2, 0, 0)
    pa1, pa2 = person_eval("PA1"), person_eval("PA2")
    assert pa1.ct == Decimal("4.56") and pa1.m12 == 90 and pa1.tasks_exceeded == 3
    assert (pa1.discipline_form, pa1.discipline_year) == ("khien_trach", 2025)
    assert pa1.discipline_date == dt.date(2025, 6, 5) and pa1.maternity
    assert pa1.months_worked == 12  # empty cell: the default
    assert pa2.task_points == Decimal("60.50") and pa2.m1 is None and pa2.months_worked == 8
    records = active("PA1")
    assert sorted(v.code for v in records) == ["1.03", "1.03", "2.01"]
    today = dt.date.today()
    assert {(v.how_found, v.evidence, v.recorded_by, v.found_on) for v in records} == {
        (
            "other",
            f"Theo tệp nhập danh_gia.xlsx ngày {today:%d/%m/%Y}",
            world["users"]["staff_r"].id,
            min(max(today, dt.date(YEAR, 1, 1)), dt.date(YEAR, 12, 31)),  # within the year
        )
    }
    assert active("PA2") == []
    # audited: the import, and each violation record it created
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "import", AuditEntry.object_type == "person_evals"
        )
    )
    assert entry.after["created"] == 2 and entry.after["violations_added"] == 3
    assert entry.user_id == world["users"]["staff_r"].id
    assert (
        count(AuditEntry, AuditEntry.object_type == "violation", AuditEntry.action == "create") == 3
    )
    # the changed units were recomputed when the request committed (EVAL_RECOMPUTE=sync)
    assert count(Rating, Rating.person_id == pa1.person_id, Rating.kind == "official") == 1

    snapshot = db.session.execute(
        select(Violation.id, Violation.code, Violation.removed_at).order_by(Violation.id)
    ).all()
    audits = count(AuditEntry)
    assert counts(upload(client, h, "person_evals", data, "danh_gia.xlsx")) == (0, 0, 2)
    again = db.session.execute(
        select(Violation.id, Violation.code, Violation.removed_at).order_by(Violation.id)
    ).all()
    assert again == snapshot
    assert count(AuditEntry) == audits + 1  # only the import itself


def test_person_evals_violations_only_added_and_absent_columns(client, world):
    h = world["h"]["staff_a"]
    first = table([good("PA1", **{"Biểu hiện vi phạm": "1.03, 1.03, 2.01"}), good("PA2")])
    assert counts(upload(client, h, "person_evals", first)) == (2, 0, 0)
    ids = [v.id for v in active("PA1")]
    # the cell now says one 1.03: nothing is removed (removal is a page action with a reason)
    second = table([good("PA1", **{"Biểu hiện vi phạm": "1.03"}), good("PA2")])
    assert counts(upload(client, h, "person_evals", second, "sua.xlsx")) == (0, 0, 2)
    assert [v.id for v in active("PA1")] == ids
    # a new code is added to the records
    third = table([good("PA1", **{"Biểu hiện vi phạm": "1.03; 1.04"}), good("PA2")])
    assert counts(upload(client, h, "person_evals", third, "them.xlsx")) == (0, 1, 1)
    assert sorted(v.code for v in active("PA1")) == ["1.03", "1.03", "1.04", "2.01"]
    assert count(Violation, Violation.removed_at.is_not(None)) == 0
    # a file without the violations column (or other columns) keeps what is stored
    only_ct = xlsx(["Năm", "Mã cán bộ", "Chính trị tư tưởng"], [[YEAR, "PA1", 3]])
    assert counts(upload(client, h, "person_evals", only_ct)) == (0, 1, 0)
    pa1 = person_eval("PA1")
    assert pa1.ct == 3 and pa1.dd == 5 and pa1.m7 == 90 and pa1.tasks_total == 10
    # an empty violations cell changes nothing
    cleared = table([good("PA1", **{"Chính trị tư tưởng": 3, "Biểu hiện vi phạm": None})])
    assert counts(upload(client, h, "person_evals", cleared)) == (0, 0, 1)
    assert len(active("PA1")) == 4


@pytest.fixture
def stored(client, world):
    """PA1 already has inputs (ct 4, one violation) before the bad file comes."""
    res = client.put(
        f"/api/v1/years/{YEAR}/people/PA1/evaluation",
        json={"ct": 4, "violations": ["1.04"]},
        headers=world["h"]["staff_r"],
    )
    assert res.status_code == 200, res.get_json()
    return world


BAD_PERSON_ROWS = [
    # (id, user, overrides of PA2's row, column label, part of the message)
    ("score-over-5", "staff_r", {"Chính trị tư tưởng": 6}, "Chính trị tư tưởng", "0–5"),
    ("score-text", "staff_r", {"dd": "năm"}, "Đạo đức, lối sống", "Phải là số"),
    ("month-over-100", "staff_r", {"Tháng 3": 101}, "Tháng 3", "0–100"),
    ("task-points-over-70", "staff_r", {"Điểm nhiệm vụ": 70.5}, "Điểm nhiệm vụ", "0–70"),
    (
        "late-over-total",
        "staff_r",
        {"Tổng số nhiệm vụ": 3, "Số nhiệm vụ chậm": 4, "Số nhiệm vụ vượt": 0},
        "Số nhiệm vụ chậm",
        "không được lớn hơn tổng số nhiệm vụ",
    ),
    (
        "exceeded-over-total",
        "staff_r",
        {"Tổng số nhiệm vụ": 2},
        "Số nhiệm vụ vượt",
        "không được lớn hơn tổng số nhiệm vụ",
    ),
    ("months-worked", "staff_r", {"Số tháng công tác": 13}, "Số tháng công tác", "0–12"),
    (
        "discipline-form",
        "staff_r",
        {"Hình thức kỷ luật": "phê bình"},
        "Hình thức kỷ luật",
        "một trong",
    ),
    (
        "discipline-year-vs-date",
        "staff_r",
        {
            "Hình thức kỷ luật": "cảnh cáo",
            "Năm quyết định kỷ luật": 2024,
            "Ngày quyết định kỷ luật": "05/06/2025",
        },
        "Năm quyết định kỷ luật",
        "khác năm",
    ),
    (
        "discipline-without-form",
        "staff_r",
        {"Ngày quyết định kỷ luật": dt.datetime(2025, 6, 5)},
        "Hình thức kỷ luật",
        "phải có hình thức",
    ),
    (
        "discipline-without-year",  # A6 would not count it: said, not stored
        "staff_r",
        {"Hình thức kỷ luật": "cảnh cáo", "Năm quyết định kỷ luật": None},
        "Năm quyết định kỷ luật",
        "Cần năm (hoặc ngày) quyết định",
    ),
    (
        "discipline-after-the-year",
        "staff_r",
        {"Hình thức kỷ luật": "cảnh cáo", "Năm quyết định kỷ luật": 2026},
        "Năm quyết định kỷ luật",
        "sau năm đánh giá 2025",
    ),
    (
        "bad-date",
        "staff_r",
        {"Ngày quyết định kỷ luật": "31/02/2025"},
        "Ngày quyết định kỷ luật",
        "Ngày",
    ),
    (
        "unknown-violation",
        "staff_r",
        {"Biểu hiện vi phạm": "1.03, 9.99"},
        "Biểu hiện vi phạm",
        "Mã vi phạm 9.99 không có trong danh mục năm 2025",
    ),
    ("year-not-open", "staff_r", {"Năm": 2031}, "Năm", "Năm 2031 chưa được mở"),
    ("unknown-person", "staff_r", {"Mã cán bộ": "KHONGCO"}, "Mã cán bộ", "Không có cán bộ"),
    # PB1 is in B: staff at A does not even see it, staff at A who is also HR at R sees it
    ("person-not-visible", "staff_a", {"Mã cán bộ": "PB1"}, "Mã cán bộ", "Không có cán bộ"),
    ("person-outside-reach", "staff_a_hr_r", {"Mã cán bộ": "PB1"}, "Mã cán bộ", "ngoài phạm vi"),
    ("duplicate-row", "staff_r", {"Mã cán bộ": "PA1"}, "Mã cán bộ", "bị trùng"),
    ("formula", "staff_r", {"Tháng 2": "=90+1"}, "Tháng 2", "công thức"),
]


@pytest.mark.parametrize(
    "who, overrides, column, message",
    [c[1:] for c in BAD_PERSON_ROWS],
    ids=[c[0] for c in BAD_PERSON_ROWS],
)
def test_person_evals_bad_row_is_reported_and_nothing_is_saved(
    client, stored, who, overrides, column, message
):
    before = {
        "evals": count(PersonEval),
        "violations": db.session.execute(
            select(Violation.id, Violation.code, Violation.removed_at)
        ).all(),
        "audit": count(AuditEntry),
    }
    # PA1's row alone is valid (and would change ct 4 → 5, the 1.04 record → 1.03)
    rows = [good("PA1", **{"Biểu hiện vi phạm": "1.03"}), good("PA2", **overrides)]
    res = upload(client, stored["h"][who], "person_evals", table(rows))
    errors = errors_of(res)
    assert any(
        e["row"] == 3 and e["column"] == column and message in e["message"] for e in errors
    ), errors
    assert all(e["sheet"] == "Sheet" and e["message"] for e in errors)
    assert count(PersonEval) == before["evals"]
    assert person_eval("PA1").ct == 4
    assert (
        db.session.execute(select(Violation.id, Violation.code, Violation.removed_at)).all()
        == before["violations"]
    )
    assert count(AuditEntry) == before["audit"]
    run = db.session.get(ImportRun, res.json["error"]["import"]["id"])
    assert run.kind == "person_evals" and not run.ok and run.total_errors == len(errors)


def test_person_evals_locked_list_and_locked_year(client, stored):
    h = stored["h"]["staff_r"]
    year_row = db.session.scalar(select(EvalYear).where(EvalYear.year == YEAR))
    review = Review(year_id=year_row.id, unit_id=stored["units"]["A"].id, state="submitted")
    db.session.add(review)
    db.session.commit()
    # PA11 is on A1's list (open): only the rows of A's list are refused
    data = table([good("PA11"), good("PA1")])
    errors = errors_of(upload(client, h, "person_evals", data))
    assert [(e["row"], e["column"]) for e in errors] == [(3, "Mã cán bộ")]
    assert "đã gửi duyệt" in errors[0]["message"] and "Đơn vị A" in errors[0]["message"]
    review.state = "approved"
    db.session.commit()
    assert "đã được phê duyệt" in errors_of(upload(client, h, "person_evals", data))[0]["message"]
    assert person_eval("PA11") is None and person_eval("PA1").ct == 4
    review.state = "open"
    year_row.locked = True
    db.session.commit()
    errors = errors_of(upload(client, h, "person_evals", data))
    assert {(e["row"], e["column"]) for e in errors} == {(2, "Năm"), (3, "Năm")}
    assert "đã khóa" in errors[0]["message"]
    year_row.locked = False
    db.session.commit()
    assert counts(upload(client, h, "person_evals", data)) == (1, 1, 0)


def test_person_evals_every_error_of_the_file_is_listed(client, world):
    rows = [
        good("PA1", **{"Chính trị tư tưởng": 9, "Tháng 1": 200}),
        good("PA2", **{"Năm": 2030}),
        good("PB1", **{"Biểu hiện vi phạm": "7.77"}),
    ]
    errors = errors_of(upload(client, world["h"]["admin"], "person_evals", table(rows)))
    assert {(e["row"], e["column"]) for e in errors} == {
        (2, "Chính trị tư tưởng"),
        (2, "Tháng 1"),
        (3, "Năm"),
        (4, "Biểu hiện vi phạm"),
    }
    assert count(PersonEval) == 0
    # the same list downloads as a spreadsheet (title block, header, one row per error)
    run_id = db.session.scalar(select(func.max(ImportRun.id)))
    res = client.get(f"/api/v1/imports/runs/{run_id}/errors.xlsx", headers=world["h"]["admin"])
    assert res.status_code == 200
    cells = list(openpyxl.load_workbook(io.BytesIO(res.data)).active.iter_rows(values_only=True))
    assert ("Sheet", 3, "Năm", 2030, "Năm 2030 chưa được mở để đánh giá.") in cells


def test_evaluation_imports_need_the_permission(client, world):
    data = table([good("PA1")])
    for who in ("hr_r", "committee_r"):
        assert upload(client, world["h"][who], "person_evals", data).status_code == 403
        assert upload(client, world["h"][who], "unit_evals", data).status_code == 403
    assert count(PersonEval) == 0


def test_person_evals_are_set_based(client, world, create_person):
    """The number of SQL statements does not grow with the rows (no query per row)."""
    a = world["units"]["A"]
    for i in range(330):
        create_person(a, code=f"N{i:04d}")

    def statements(codes) -> int:
        rows = [good(c, **{"Biểu hiện vi phạm": "1.03" if c[-1] in "05" else None}) for c in codes]
        data = table(rows)
        seen = []
        engine = db.session.get_bind()
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert counts(upload(client, world["h"]["staff_r"], "person_evals", data))[0] == len(
                codes
            )
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    small = statements([f"N{i:04d}" for i in range(30)])
    large = statements([f"N{i:04d}" for i in range(30, 330)])
    assert large - small <= 5, (small, large)
    assert count(Violation) == 66


# --- Đánh giá tập thể --------------------------------------------------------------------------

UNIT_HEAD = [
    "Năm",
    "Mã đơn vị",
    "Chính trị tư tưởng",
    "Đạo đức, lối sống",
    "Tác phong, lề lối",
    "Ý thức tổ chức kỷ luật",
    "Quán triệt đúng hạn",
    "Nhiệm vụ đột phá",
    "Giải quyết tồn đọng",
    "Tự kiểm tra",
    "Biểu hiện vi phạm",
    "Điểm nhiệm vụ",
    "Tổng chỉ tiêu",
    "Chỉ tiêu hoàn thành",
    "Chỉ tiêu chậm",
    "Chỉ tiêu vượt",
    "Số đơn vị trực thuộc",
    "Số đơn vị trực thuộc bị kỷ luật",
    "Tập thể lãnh đạo bị kỷ luật",
    "Có vụ việc tham nhũng",
    "Đang bị xem xét",
]


def unit_row(code, violations=None, **changes):
    row = dict(
        zip(
            UNIT_HEAD,
            [YEAR, code, 5, 5, 5, 4.5, "Có", "x", 1, "FALSE", violations, 60, 10, 10, 0, 3]
            + [2, 0, "Không", None, None],
            strict=True,
        )
    )
    row.update(changes)
    return [row[k] for k in UNIT_HEAD]


def test_unit_evals_create_unchanged_and_violations_added(client, world):
    h = world["h"]["staff_a"]
    data = xlsx(UNIT_HEAD, [unit_row("A1", "1.09; 2.01"), unit_row("A")])
    assert counts(upload(client, h, "unit_evals", data, "tap_the.xlsx")) == (2, 0, 0)
    a1 = db.session.scalar(select(UnitEval).where(UnitEval.unit.has(code="A1")))
    assert (a1.k1, a1.k2, a1.k3, a1.k4) == (True, True, True, False)
    assert a1.kl == Decimal("4.50") and a1.targets_exceeded == 3 and not a1.corruption_case
    assert [v.code for v in active(unit_code="A1")] == ["1.09", "2.01"]
    assert {v.evidence for v in active(unit_code="A1")} == {
        f"Theo tệp nhập tap_the.xlsx ngày {dt.date.today():%d/%m/%Y}"
    }
    assert all(v.found_on.year == YEAR for v in active(unit_code="A1"))
    assert counts(upload(client, h, "unit_evals", data, "tap_the.xlsx")) == (0, 0, 2)
    data = xlsx(UNIT_HEAD, [unit_row("A1", "2.01"), unit_row("A", **{"Chỉ tiêu chậm": 1})])
    res = upload(client, h, "unit_evals", data, "lan2.xlsx")
    assert counts(res) == (0, 1, 1)
    assert [v.code for v in active(unit_code="A1")] == ["1.09", "2.01"]  # 1.09 stays
    assert [(c["code"], c["text"]) for c in res.json["changes"]] == [
        ("A", "đổi Chỉ tiêu chậm: 0 → 1")
    ]
    entry = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "import", AuditEntry.object_type == "unit_evals")
        .order_by(AuditEntry.id.desc())
    )
    assert entry.after["updated"] == 1 and entry.after["violations_added"] == 0


@pytest.mark.parametrize(
    "who, row, column, message",
    [
        ("staff_r", unit_row("A1", "1.03"), "Biểu hiện vi phạm", "không áp dụng cho tập thể"),
        (
            "staff_r",
            unit_row("A1", **{"Chỉ tiêu hoàn thành": 11}),
            "Chỉ tiêu hoàn thành",
            "lớn hơn",
        ),
        (
            "staff_r",
            unit_row("A1", **{"Số đơn vị trực thuộc bị kỷ luật": 3}),
            "Số đơn vị trực thuộc bị kỷ luật",
            "lớn hơn",
        ),
        (
            "staff_r",
            unit_row("A1", **{"Quán triệt đúng hạn": "có lẽ"}),
            "Quán triệt đúng hạn",
            "Có/Không",
        ),
        ("staff_r", unit_row("A1", **{"Điểm nhiệm vụ": 71}), "Điểm nhiệm vụ", "0–70"),
        ("staff_r", unit_row("KHONGCO"), "Mã đơn vị", "Không có đơn vị"),
        ("staff_a1", unit_row("A"), "Mã đơn vị", "Không có đơn vị"),
        ("staff_a_hr_r", unit_row("B"), "Mã đơn vị", "ngoài phạm vi"),
        ("staff_r", unit_row("A1", **{"Năm": 2040}), "Năm", "chưa được mở"),
    ],
    ids=[
        "individual-only-code",
        "done-over-total",
        "subunits",
        "yes-no",
        "task-points",
        "unknown-unit",
        "unit-not-visible",
        "unit-outside-reach",
        "year-not-open",
    ],
)
def test_unit_evals_bad_row(client, world, who, row, column, message):
    errors = errors_of(upload(client, world["h"][who], "unit_evals", xlsx(UNIT_HEAD, [row])))
    assert [(e["row"], e["column"]) for e in errors] == [(2, column)], errors
    assert message in errors[0]["message"]
    assert count(UnitEval) == 0 and count(Violation) == 0


def test_unit_evals_reach_and_list_of_the_parent(client, world):
    # staff at A1 enters A1's own inputs (evaluation.enter on the unit itself, like the API)
    assert counts(
        upload(client, world["h"]["staff_a1"], "unit_evals", xlsx(UNIT_HEAD, [unit_row("A1")]))
    ) == (1, 0, 0)
    # A1's rating sits on A's list: once A's list is submitted, A1's inputs are locked
    year_row = db.session.scalar(select(EvalYear).where(EvalYear.year == YEAR))
    db.session.add(Review(year_id=year_row.id, unit_id=world["units"]["A"].id, state="submitted"))
    db.session.commit()
    data = xlsx(UNIT_HEAD, [unit_row("A1", **{"Ý thức tổ chức kỷ luật": 3}), unit_row("A")])
    errors = errors_of(upload(client, world["h"]["staff_r"], "unit_evals", data))
    assert [(e["row"], e["column"]) for e in errors] == [(2, "Mã đơn vị")]
    assert "Đơn vị A đã gửi duyệt" in errors[0]["message"]
    assert count(UnitEval) == 1


# --- Lịch sử -----------------------------------------------------------------------------------

HISTORY_HEAD = [
    "Năm",
    "Mã",
    "Là đơn vị",
    "Xếp loại",
    "Xếp loại đảng viên",
    "Danh hiệu, khen thưởng",
    "Sáng kiến cấp cơ sở",
    "Sáng kiến cấp thành phố",
]


def test_history_import_create_unchanged_update(client, world):
    h = world["h"]["hr_r"]
    rows = [
        [2024, "PA1", None, "XS", "Hoàn thành tốt nhiệm vụ", "ldtt, CSTĐCS; hhd30", 1, 0],
        [2023, "PA1", "Không", "hoàn thành xuất sắc nhiệm vụ", None, None, None, None],
        [2024, "A", "Có", "xs", None, "TTLDXS", None, None],
        [2024, "PA2", None, "NR", "NR", "GK_DANG, LDTT, GK_DANG", 0, 2],
    ]
    assert counts(upload(client, h, "history", xlsx(HISTORY_HEAD, rows))) == (4, 0, 0)
    people = {p.id: p.code for p in db.session.scalars(select(Person))}
    units = {u.id: u.code for u in db.session.scalars(select(Unit))}
    got = {
        (r.year, people[r.person_id] if r.person_id else units[r.unit_id]): r
        for r in db.session.scalars(select(History))
    }
    assert (got[(2024, "PA1")].official_level, got[(2024, "PA1")].party_level) == ("XS", "T")
    assert got[(2024, "PA1")].awards == ["LDTT", "CSTDCS", "HHD30"]
    assert got[(2024, "PA1")].initiatives_base == 1
    assert got[(2023, "PA1")].official_level == "XS" and got[(2023, "PA1")].awards == []
    assert got[(2024, "A")].unit_id == world["units"]["A"].id and got[(2024, "A")].person_id is None
    assert got[(2024, "A")].awards == ["TTLDXS"]
    assert (
        got[(2024, "PA2")].awards == ["GK_DANG", "LDTT"]
        and got[(2024, "PA2")].initiatives_city == 2
    )
    assert counts(upload(client, h, "history", xlsx(HISTORY_HEAD, rows))) == (0, 0, 4)
    rows[0][3] = "T"
    assert counts(upload(client, h, "history", xlsx(HISTORY_HEAD, rows))) == (0, 1, 3)
    db.session.expire_all()
    assert db.session.get(History, got[(2024, "PA1")].id).official_level == "T"
    assert (
        count(AuditEntry, AuditEntry.object_type == "history", AuditEntry.action == "import") == 3
    )


@pytest.mark.parametrize(
    "who, row, column, message",
    [
        (
            "hr_r",
            [2024, "PA1", None, "XS", None, "LDTT, XYZ", 0, 0],
            "Danh hiệu, khen thưởng",
            "XYZ",
        ),
        ("hr_r", [2024, "PA1", None, None, None, "HHD35", 0, 0], "Danh hiệu, khen thưởng", "HHD35"),
        (
            "hr_r",
            [YEAR, "PA1", None, "XS", None, None, 0, 0],
            "Năm",
            "đang đánh giá trong hệ thống",
        ),
        ("hr_r", [2024, "PA1", None, "Giỏi", None, None, 0, 0], "Xếp loại", "một trong"),
        ("hr_r", [2024, "A", None, "XS", None, None, 0, 0], "Mã", "Không có cán bộ"),
        ("hr_r", [2024, "PA1", "Có", "XS", None, None, 0, 0], "Mã", "Không có đơn vị"),
        ("hr_a", [2024, "PB1", None, "XS", None, None, 0, 0], "Mã", "Không có cán bộ"),
        ("hr_r", [2024, "PA1", None, "XS", None, None, -1, 0], "Sáng kiến cấp cơ sở", "0–1000"),
        ("hr_r", [2031, "PA1", None, "XS", None, None, 0, 0], "Năm", "chưa tới"),
    ],
    ids=[
        "unknown-award",
        "not-a-milestone",
        "open-year",
        "level",
        "unit-code-as-person",
        "person-code-as-unit",
        "outside-reach",
        "negative-count",
        "future-year",
    ],
)
def test_history_bad_row(client, world, who, row, column, message):
    good_row = [2022, "PA2", None, "T", None, "LDTT", 0, 0]
    data = xlsx(HISTORY_HEAD, [good_row, row])
    errors = errors_of(upload(client, world["h"][who], "history", data))
    assert [(e["row"], e["column"]) for e in errors] == [(3, column)], errors
    assert message in errors[0]["message"]
    assert count(History) == 0


def test_history_permission(client, world):
    data = xlsx(HISTORY_HEAD, [[2024, "PA1", None, "XS", None, None, 0, 0]])
    assert upload(client, world["h"]["committee_r"], "history", data).status_code == 403
    assert counts(upload(client, world["h"]["staff_a"], "history", data)) == (1, 0, 0)


# --- templates and the page --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["person_evals", "unit_evals", "history"])
def test_blank_templates(client, world, kind):
    res = client.get(f"/api/v1/imports/templates/{kind}.xlsx", headers=world["h"]["staff_r"])
    assert res.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(res.data))
    assert wb.sheetnames == [TEMPLATES[kind]["title"], "Hướng dẫn"]
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == [c.label for c in TEMPLATES[kind]["columns"]]
    assert ws.max_row == 2 and ws.data_validations.dataValidation
    guide = [r for r in wb["Hướng dẫn"].iter_rows(values_only=True) if r and r[1]]
    assert {r[1] for r in guide} >= {c.key for c in TEMPLATES[kind]["columns"]}


def test_person_evals_template_round_trips(client, world, create_person):
    create_person(world["units"]["A"], code="PX00001")
    h = world["h"]["admin"]
    if EXAMPLE_YEAR != YEAR:
        assert (
            client.post("/api/v1/years", json={"year": EXAMPLE_YEAR}, headers=h).status_code == 201
        )
    res = client.get("/api/v1/imports/templates/person_evals.xlsx", headers=h)
    # left as it is, the example row is refused (only that: its values are all valid)
    refused = upload(client, h, "person_evals", res.data)
    assert refused.status_code == 400
    (err,) = refused.get_json()["error"]["import"]["errors"]
    assert err["row"] == 2 and "dòng ví dụ" in err["message"], err
    wb = openpyxl.load_workbook(io.BytesIO(res.data))
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    ws.cell(2, head.index("Tháng 1") + 1, 91)  # the clerk's own figure
    buf = io.BytesIO()
    wb.save(buf)
    assert counts(upload(client, h, "person_evals", buf.getvalue())) == (1, 0, 0)
    row = person_eval("PX00001", EXAMPLE_YEAR)
    assert row.ct == 5 and row.m1 == 91 and row.tasks_exceeded == 3


def test_import_page_offers_the_kinds_the_user_may_use(client, world, login_session):
    login_session(client, world["users"]["staff_a"])
    page = client.get("/imports").get_data(as_text=True)
    for kind in ("person_evals", "unit_evals", "history", "people"):
        assert f'value="{kind}"' in page
    assert "Mẫu Đánh giá cá nhân" in page
    login_session(client, world["users"]["hr_r"])
    page = client.get("/imports").get_data(as_text=True)
    assert 'value="history"' in page and 'value="person_evals"' not in page
    login_session(client, world["users"]["committee_r"])
    assert client.get("/imports").status_code == 403


def test_a_code_typed_in_lower_case_finds_its_person_or_unit(client, world):
    """«pa1» typed for PA1 (a clerk's file): the row is PA1's, not «Không có cán bộ»; typed
    both ways in one file it is one person's two rows, refused as such."""
    h = world["h"]["admin"]
    assert counts(upload(client, h, "person_evals", table([good("pa1")]))) == (1, 0, 0)
    assert person_eval("PA1").m1 == 90
    errors = errors_of(upload(client, h, "person_evals", table([good("pa2"), good("PA2")])))
    assert errors and all("trùng" in e["message"] for e in errors), errors
    unit_row = {"Năm": YEAR, "Mã đơn vị": "a1", "Chính trị tư tưởng": 5, "dd": 5,
                "Tác phong, lề lối": 5, "KL": 5}  # fmt: skip
    assert counts(upload(client, h, "unit_evals", table([unit_row])))[0] == 1
    history = {"Năm": 2020, "Mã": "pb1", "Kết quả xếp loại": "HT"}
    assert counts(upload(client, h, "history", table([history])))[0] == 1
