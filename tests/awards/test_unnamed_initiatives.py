"""The registry's unnamed entries (issue 12 item 2): the count columns of "Đánh giá cá nhân" and
"Lịch sử" write them (saving inputs, both imports, saving history), the registry's page and
API list them as unnamed and refuse to edit them, a failed import writes none, and the rules
count the registry only, as much as before (named + unnamed)."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from awards.facts import year_facts
from awards.models import Initiative
from awards.rules import BASE, CITY, Initiatives
from awards.rules.person import c4_bk_tp
from awards.unnamed import sync_stored_counts
from evaluation.models import History
from service.extensions import db
from tests.awards.conftest import initiative_body
from tests.evaluation.test_imports_eval import HISTORY_HEAD, counts, upload, xlsx

YEAR = 2025


def unnamed(source=None):
    """{(owner code, year, source, level): quantity} of the unnamed entries."""
    stmt = select(Initiative).where(Initiative.source != "registry")
    if source:
        stmt = stmt.where(Initiative.source == source)
    out = {}
    for i in db.session.scalars(stmt):
        owner = i.unit.code if i.unit is not None else ",".join(a.person.code for a in i.authors)
        assert i.title == "" and (i.unit is None) == (i.kind == "sang_kien")
        out[(owner, i.year, i.source, i.level)] = i.quantity
    return out


def put_inputs(client, h, code, **counts_):
    body = {"ct": 5, "dd": 5, "tp": 5, "kl": 5, **counts_}
    return client.put(f"/api/v1/years/{YEAR}/people/{code}/evaluation", json=body, headers=h)


def test_saving_inputs_writes_the_entries_and_zero_removes_them(client, tree, create_year):
    create_year(YEAR)
    h = tree["headers"]["staff_a"]
    res = put_inputs(client, h, "PA", initiatives_base=2, initiatives_city=1)
    assert res.status_code == 200, res.get_json()
    assert unnamed() == {
        ("PA", YEAR, "person_eval", BASE): 2,
        ("PA", YEAR, "person_eval", CITY): 1,
    }
    res = put_inputs(client, h, "PA", initiatives_base=3, initiatives_city=1)
    assert unnamed() == {
        ("PA", YEAR, "person_eval", BASE): 3,
        ("PA", YEAR, "person_eval", CITY): 1,
    }
    res = put_inputs(client, h, "PA", ct=4)  # another column: the entries stay
    assert res.status_code == 200 and len(unnamed()) == 2
    res = put_inputs(client, h, "PA", initiatives_base=0, initiatives_city=0)
    assert res.status_code == 200 and unnamed() == {}


def test_a_refused_save_writes_no_entry(client, tree, create_year):
    create_year(YEAR)
    h = tree["headers"]["staff_b"]  # PA is outside staff_b's units
    assert put_inputs(client, h, "PA", initiatives_base=2).status_code in (403, 404)
    res = put_inputs(client, tree["headers"]["staff_a"], "PA", initiatives_base=2, tasks_total=1,
                     tasks_late=3)  # fmt: skip
    assert res.status_code == 400 and unnamed() == {}


def test_the_person_evals_import_writes_them_and_a_failed_import_none(client, tree, create_year):
    create_year(YEAR)
    h = tree["headers"]["staff_a"]
    head = ["Năm", "Mã cán bộ", "Sáng kiến cấp cơ sở", "Sáng kiến cấp thành phố"]
    bad = xlsx(head, [[YEAR, "PA", 2, 1], [YEAR, "PB", 1, 0]])  # PB: outside staff_a's reach
    res = upload(client, h, "person_evals", bad)
    assert res.status_code == 400 and unnamed() == {}
    data = xlsx(head, [[YEAR, "PA", 2, 1], [YEAR, "PA1", 0, 0], [YEAR, "PA2", None, 1]])
    assert counts(upload(client, h, "person_evals", data)) == (3, 0, 0)
    assert unnamed() == {
        ("PA", YEAR, "person_eval", BASE): 2,
        ("PA", YEAR, "person_eval", CITY): 1,
        ("PA2", YEAR, "person_eval", CITY): 1,
    }
    data = xlsx(head, [[YEAR, "PA", 0, 1], [YEAR, "PA1", 4, 0]])
    assert counts(upload(client, h, "person_evals", data)) == (0, 2, 0)
    assert unnamed() == {
        ("PA", YEAR, "person_eval", CITY): 1,
        ("PA1", YEAR, "person_eval", BASE): 4,
        ("PA2", YEAR, "person_eval", CITY): 1,
    }


def test_the_history_import_writes_them_for_people_and_units(client, tree):
    h = tree["headers"]["hr_r"]
    rows = [
        [2024, "PA", None, "XS", None, "LDTT", 2, 0],
        [2024, "A", "Có", "XS", None, "TTLDXS", 1, 1],
        [2023, "PB", None, "T", None, None, 0, 0],
    ]
    bad = [*rows, [2024, "NOBODY", None, "T", None, None, 1, 0]]
    assert upload(client, h, "history", xlsx(HISTORY_HEAD, bad)).status_code == 400
    assert unnamed() == {}
    assert counts(upload(client, h, "history", xlsx(HISTORY_HEAD, rows))) == (3, 0, 0)
    assert unnamed() == {
        ("PA", 2024, "history", BASE): 2,
        ("A", 2024, "history", BASE): 1,  # a unit's: mô hình of the unit
        ("A", 2024, "history", CITY): 1,
    }
    rows[0][6], rows[1][7] = 1, 0
    assert counts(upload(client, h, "history", xlsx(HISTORY_HEAD, rows))) == (0, 2, 1)
    assert unnamed() == {("PA", 2024, "history", BASE): 1, ("A", 2024, "history", BASE): 1}


def test_saving_history_writes_them(client, tree):
    h = tree["headers"]["staff_b"]
    body = {"official_level": "XS", "awards": [], "initiatives_base": 0, "initiatives_city": 2}
    res = client.put("/api/v1/people/PB/history/2023", json=body, headers=h)
    assert res.status_code in (200, 201), res.get_json()
    assert unnamed() == {("PB", 2023, "history", CITY): 2}


def test_page_and_api_list_them_as_unnamed_and_refuse_edits(
    client, tree, create_year, login_session
):
    create_year(YEAR)
    h = tree["headers"]["staff_a"]
    assert client.post("/api/v1/initiatives", json=initiative_body(), headers=h).status_code == 201
    put_inputs(client, h, "PA", initiatives_base=2)
    items = client.get(f"/api/v1/initiatives?year={YEAR}", headers=h).json["items"]
    entry = next(i for i in items if i["unnamed"])
    named = next(i for i in items if not i["unnamed"])
    assert (entry["title"], entry["quantity"], entry["source"]) == ("", 2, "person_eval")
    assert entry["display_title"] == (
        f"(không tên — từ cột «Sáng kiến cấp cơ sở» của Đánh giá cá nhân {YEAR})"
    )
    assert [a["code"] for a in entry["authors"]] == ["PA"] and entry["level"] == BASE
    assert (named["quantity"], named["source"]) == (1, "registry")
    url = f"/api/v1/initiatives/{entry['id']}"
    res = client.patch(url, json={"title": "Đặt tên", "version": 1}, headers=h)
    assert res.status_code == 409 and "Đánh giá cá nhân" in res.json["error"]["message"]
    res = client.delete(url, json={"reason": "thử", "version": 1}, headers=h)
    assert res.status_code == 409
    assert len(unnamed()) == 1

    login_session(client, tree["users"]["staff_a"])
    page = client.get(f"/awards/initiatives?year={YEAR}").get_data(as_text=True)
    assert "(không tên — từ cột «Sáng kiến cấp cơ sở» của Đánh giá cá nhân 2025)</span> × 2" in page
    assert "Theo cột số lượng" in page and "không sửa, không xóa ở đây" in page
    assert f"/awards/initiatives/{entry['id']}/edit" not in page
    assert f"/awards/initiatives/{named['id']}/edit" in page
    assert client.get(f"/awards/initiatives/{entry['id']}/edit").status_code == 409


def test_the_rules_count_named_and_unnamed_as_before(client, tree, create_year):
    """1 named + 2 unnamed sáng kiến cấp cơ sở in the year, 1 named + 1 unnamed the year
    before: the facts hold 3 and 2 as the count columns added to the registry gave."""
    create_year(YEAR)
    h, hr = tree["headers"]["staff_a"], tree["headers"]["hr_r"]
    for year in (YEAR, YEAR - 1):
        body = initiative_body(year=year, title=f"Sáng kiến {year}", decision_date=None)
        assert client.post("/api/v1/initiatives", json=body, headers=h).status_code == 201
    put_inputs(client, h, "PA", initiatives_base=2)
    rows = [[YEAR - 1, "PA", None, "XS", None, "LDTT", 1, 0]]
    assert counts(upload(client, hr, "history", xlsx(HISTORY_HEAD, rows))) == (1, 0, 0)
    facts = year_facts(YEAR)
    pa = next(p for p in facts.people if p.code == "PA")
    assert pa.initiatives == Initiatives(base=3)
    assert pa.history[YEAR - 1].initiatives == Initiatives(base=2)
    assert pa.history[YEAR - 1].official == "XS"
    xs = dataclasses.replace(pa, official="XS")
    award = c4_bk_tp(xs, YEAR, False)
    assert award is not None and award.rule == "C4" and "5 sáng kiến" in award.why


def test_stored_counts_are_written_once_whatever_the_runs(client, tree, create_year):
    """The demo's rows come in bulk: sync_stored_counts writes their entries, twice the same."""
    create_year(YEAR)
    put_inputs(client, tree["headers"]["staff_a"], "PA", initiatives_base=1)
    db.session.add(History(year=2022, person_id=tree["people"]["PB"].id, awards=[],
                           initiatives_base=0, initiatives_city=3))  # fmt: skip
    db.session.flush()
    sync_stored_counts(YEAR)
    sync_stored_counts(YEAR)
    assert unnamed() == {
        ("PA", YEAR, "person_eval", BASE): 1,
        ("PB", 2022, "history", CITY): 3,
    }


def test_the_demo_holds_the_unnamed_entries_of_its_counts(app_ctx):
    from sqlalchemy import func

    from evaluation.demo import DEMO_YEAR
    from evaluation.models import PersonEval
    from service.demo import load_demo

    load_demo()

    def total(source):
        return db.session.scalar(
            select(func.coalesce(func.sum(Initiative.quantity), 0)).where(
                Initiative.source == source
            )
        )

    history = db.session.scalar(
        select(func.sum(History.initiatives_base + History.initiatives_city)).where(
            History.year < DEMO_YEAR
        )
    )
    inputs = db.session.scalar(
        select(func.sum(PersonEval.initiatives_base + PersonEval.initiatives_city))
    )
    assert history and total("history") == history
    assert inputs and total("person_eval") == inputs
