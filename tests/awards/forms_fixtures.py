"""A decided fixture for the statistical forms of TT 02/2023 (issue 13 item 6), counted by hand,
and the helpers that export a form through the API as a user does and read it with openpyxl.

Tree R → A → A1, R → B. List A (A's subtree) decided by 1/QĐ-A on 31/12/2025, cấp thành phố (it
holds a party badge, the city party committee's: C11 refuses a lower level); list B decided by
2/QĐ-B on 01/01/2026, cấp cơ sở. People: PA head (lãnh đạo), công chức, male; PA2
viên chức, female; PA1 no category, male; PB cán bộ, female.

List A, awarded (6): PA LĐTT, PA CSTĐCS, PA Giấy khen, PA1 LĐTT, unit A1 TTLĐTT, unit A Giấy
khen. Not counted: PA2 LĐTT (refused by the vote), PA2 Giấy khen (removed), PA1 Huy hiệu 30
năm tuổi Đảng (a party badge). List B, awarded (2): PB LĐTT, unit B TTLĐTT."""

from __future__ import annotations

import io

import openpyxl
import pytest

from awards.models import Nomination
from service.extensions import db
from service.org.models import Category, Gender
from tests.awards import test_award_lists as base
from tests.awards.test_decisions import approved

YEAR = base.YEAR
API = f"/api/v1/years/{YEAR}/exports"


def _nominate(list_id, award, person=None, unit=None, status="manual", passed=None):
    key = f"p{person.id}" if person is not None else f"u{unit.id}"
    db.session.add(
        Nomination(
            list_id=list_id,
            year=YEAR,
            subject="person" if person is not None else "unit",
            subject_key=key,
            person_id=person.id if person is not None else None,
            unit_id=unit.id if unit is not None else None,
            award=award,
            source="manual",
            status=status,
            rule="C9",
            reason="Thành tích xuất sắc",
            passed=passed,
        )
    )


@pytest.fixture
def decided(client, tree, year, create_user, bearer):
    """The two decided lists above; answers the HR header (HR at R) and the units."""
    people, units = tree["people"], tree["units"]
    for code, gender, head, category in (
        ("PA", Gender.MALE, True, Category.CIVIL_SERVANT),
        ("PA2", Gender.FEMALE, False, Category.PUBLIC_EMPLOYEE),
        ("PA1", Gender.MALE, False, None),
        ("PB", Gender.FEMALE, False, Category.CADRE),
    ):
        p = people[code]
        p.gender, p.is_head, p.category = gender, head, category
    db.session.commit()
    committee = bearer(create_user(username="committee_r", roles=[("committee", units["R"])]))
    a = approved(client, tree, "A", committee)
    b = approved(client, tree, "B", committee)
    refused = db.session.scalars(
        db.select(Nomination).where(
            Nomination.list_id == a["id"], Nomination.person_id == people["PA2"].id
        )
    ).one()
    refused.passed = False
    _nominate(a["id"], "CSTDCS", person=people["PA"], passed=True)
    _nominate(a["id"], "GK", person=people["PA"])
    _nominate(a["id"], "GK", person=people["PA2"], status="removed")
    _nominate(a["id"], "HHD30", person=people["PA1"])
    _nominate(a["id"], "TTLDTT", unit=units["A1"])
    _nominate(a["id"], "GK", unit=units["A"])
    _nominate(b["id"], "TTLDTT", unit=units["B"])
    db.session.commit()
    for lst, no, day, level in (
        (a, "1/QĐ-A", "31/12/2025", "thanh_pho"),
        (b, "2/QĐ-B", "01/01/2026", "co_so"),
    ):
        res = base.act(
            client, committee, lst, "decide", decision_no=no, decision_date=day,
            decision_signer="Nguyễn Văn Ký", decision_level=level,
        )  # fmt: skip
        assert res.status_code == 200, res.get_json()
    return {"hr": tree["headers"]["hr_r"], "units": units}


def export(client, headers, kind, unit, start=None, end=None):
    """GET the export as a user does; the response (checked 200)."""
    query = {"unit": unit}
    if start:
        query["from"] = start
    if end:
        query["to"] = end
    res = client.get(f"{API}/{kind}.xlsx", query_string=query, headers=headers)
    assert res.status_code == 200, res.get_data(as_text=True)[:500]
    assert res.mimetype.endswith("spreadsheetml.sheet")
    return res


def read_form(data: bytes, code: str) -> dict:
    """A form's sheet read back: its text lines, the column codes and {row code: (label,
    values)}."""
    ws = openpyxl.load_workbook(io.BytesIO(data))[f"Biểu {code}"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "A" and r[1] == "B")
    codes = [c for c in rows[header][2:] if c is not None]
    table = {}
    for r in rows[header + 1 :]:
        if r[1] is None or not str(r[1]).isdigit():
            break
        table[r[1]] = (r[0].strip(), list(r[2 : 2 + len(codes)]))
    texts = [str(c) for r in rows for c in r if isinstance(c, str)]
    return {"codes": codes, "rows": table, "texts": texts, "header": rows[header - 2]}


def values(form: dict) -> dict:
    return {code: v for code, (_label, v) in form["rows"].items()}
