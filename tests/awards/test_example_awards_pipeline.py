"""The worked example spec/examples/awards-small through the whole service (examples/README.md):
open the year, import the six files through the API in the order the example requires (units,
people, history, registry, person inputs, unit inputs), compute the ratings through the API,
then read the proposals through GET /api/v1/years/<y>/awards/proposals and compare every
person's and unit's awards, the over-cap CSTĐCS, the blocked and the badge lists of the four
occasions with expected.json: rule ids and codes exact, reasons checked for their figures."""

from __future__ import annotations

import json
import re

import pytest

from tests.evaluation.test_example_pipeline import SPEC, import_and_compute

EXAMPLE = SPEC / "examples" / "awards-small"
FILES = [
    ("units", "don_vi.xlsx"),
    ("people", "can_bo.xlsx"),
    ("history", "lich_su.xlsx"),
    ("initiatives", "sang_kien_mo_hinh.xlsx"),
    ("person_evals", "danh_gia_ca_nhan.xlsx"),
    ("unit_evals", "danh_gia_tap_the.xlsx"),
]


@pytest.fixture
def expected():
    return json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def proposals(app, client, create_user, bearer, expected):
    """The example imported and computed; returns (headers, year, answer of the proposals)."""
    h = bearer(create_user(roles=[("admin", None)]))

    def catalog(year):
        # the example records 1.11 against a unit (HB3P2, rated with its deduction) where the
        # shipped catalog applies 1.11 to individuals only: the year's catalog is edited first
        res = client.patch(
            f"/api/v1/years/{year}/catalog/1.11", json={"applies_to": "both"}, headers=h
        )
        assert res.status_code == 200, res.get_json()

    year = expected["year"]
    import_and_compute(app, client, h, year, EXAMPLE, FILES, catalog)
    return h, year, read_all(client, h, year)


def read_all(client, h, year, unit=None) -> dict:
    """Every page of the proposals (and the badge lists, given once) as one answer."""
    items, page, answer = [], 1, None
    while True:
        query = f"page={page}&per_page=500" + (f"&unit={unit}" if unit else "")
        res = client.get(f"/api/v1/years/{year}/awards/proposals?{query}", headers=h)
        assert res.status_code == 200, res.get_json()
        answer = answer or res.json
        items += res.json["items"]
        if page >= res.json["pages"]:
            break
        page += 1
    return {**answer, "items": items}


def by_subject(items, subject, status):
    out: dict[str, dict[str, dict]] = {}
    for item in items:
        if item["subject"] == subject and item["status"] == status:
            out.setdefault(item["code"], {})[item["award"]] = item
    return out


def differences(got: dict, want: dict) -> dict:
    """code -> (got, wanted) (award, rule) pairs, where the proposed awards differ."""
    wrong = {}
    for code, entry in want.items():
        have = {a: x["rule"] for a, x in got.get(code, {}).items()}
        need = {a: x["rule"] for a, x in entry["awards"].items()}
        if have != need:
            wrong[code] = (sorted(have.items()), sorted(need.items()))
    return wrong


def test_example_every_person_gets_exactly_the_expected_awards(proposals, expected):
    got = by_subject(proposals[2]["items"], "person", "proposed")
    wrong = differences(got, expected["people"])
    assert not wrong, f"{len(wrong)} people differ: {dict(list(wrong.items())[:8])}"
    assert set(got) <= set(expected["people"])


def test_example_every_unit_gets_exactly_the_expected_awards(proposals, expected):
    got = by_subject(proposals[2]["items"], "unit", "proposed")
    wrong = differences(got, expected["units"])
    assert not wrong, wrong
    for code in expected["unrated_units"]:
        assert code not in got, code


def test_example_over_cap_and_blocked_exactly(proposals, expected):
    _h, _year, answer = proposals
    items = answer["items"]
    cut = by_subject(items, "person", "over_cap")
    want_cut = {c: v["cut"] for c, v in expected["people"].items() if v.get("cut")}
    assert {c: set(v) for c, v in cut.items()} == {c: set(v) for c, v in want_cut.items()}
    for code, awards in cut.items():
        for award, item in awards.items():
            assert item["rule"] == want_cut[code][award]["rule"]
            why = " ".join(step["text"] for step in item["why"])
            # the figures: rank, cap and N of the scope (the same numbers as expected.json)
            want = re.findall(r"\d+", want_cut[code][award]["why"].split("rank", 1)[1])
            rank, of, cap = want[0], want[1], want[2]
            assert f"{rank}/{of}" in why and f"giới hạn {cap}" in why, why
    blocked = {(i["subject"], i["code"]) for i in items if i["status"] == "blocked"}
    want = {("person", c) for c, v in expected["people"].items() if v.get("blocked")}
    want |= {("unit", c) for c, v in expected["units"].items() if v.get("blocked")}
    assert blocked == want
    for item in items:
        if item["status"] == "blocked":
            assert item["rule"] == "C0" and item["why"], item


def test_example_badges_on_each_occasion_and_waiting(proposals, expected):
    _h, _year, answer = proposals
    occasions = {o["date"]: o for o in answer["occasions"]}
    assert set(occasions) == {f"{d[8:10]}/{d[5:7]}/{d[:4]}" for d in expected["badges"]}
    for day, want in expected["badges"].items():
        o = occasions[f"{day[8:10]}/{day[5:7]}/{day[:4]}"]
        assert {b["code"]: b["badge"] for b in o["due"]} == want, day
        for b in o["due"]:
            # a seriously ill member reaches a badge 12 or 24 months early (party age below it)
            assert b["status"] == "due" and b["party_age"] >= int(b["badge"][3:]) - 2, b
            assert b["why"][0]["text"].startswith(f"P4: {b['badge'][3:]} năm tuổi Đảng"), b
    want_waiting = {c: len(v["waiting"]) for c, v in expected["people"].items() if v.get("waiting")}
    got_waiting: dict[str, int] = {}
    for o in occasions.values():
        for b in o["waiting"]:
            assert b["status"] == "waiting" and b["until"], b
            got_waiting[b["code"]] = got_waiting.get(b["code"], 0) + 1
    assert got_waiting == want_waiting


def test_example_reasons_show_the_figures(proposals, expected):
    _h, _year, answer = proposals
    for item in answer["items"]:
        assert item["why"] and item["why"][0]["rule"] == item["rule"], item
        text = " ".join(step["text"] for step in item["why"])
        assert any(ch.isdigit() for ch in text), item
        if item["status"] == "proposed" and item["award"] == "CSTDCS":
            assert "hạng" in text and "floor((15×" in text, text
        if item["award"]:
            assert item["award_name"] and item["award"] in item["award_label"], item


def test_example_a_unit_filter_gives_its_subtree_with_the_same_caps(client, proposals, expected):
    h, year, answer = proposals
    part = read_all(client, h, year, unit="HB3")
    people = {i["code"] for i in part["items"] if i["subject"] == "person"}
    assert people and all(i["unit"].startswith("HB3") for i in part["items"])

    def key(i):
        return (i["subject"], i["code"], i["award"], i["status"], i["rule"])

    whole = {key(i) for i in answer["items"] if i["unit"].startswith("HB3")}
    assert {key(i) for i in part["items"]} == whole


def figures(text: str) -> set[str]:
    """The numbers a reason shows (decimal comma read as a point), its leading rule id left out."""
    body = text.split(":", 1)[1] if ":" in text else text
    return set(re.findall(r"\d+(?:\.\d+)?", body.replace(",", ".")))


def test_example_reasons_show_the_expected_figures(proposals, expected):
    """Every figure of expected.json's reason (years, ranks, caps, N, scores, shares, dates) is
    in the service's reason for the same award."""
    items = proposals[2]["items"]
    got = {(i["subject"], i["code"], i["award"], i["status"]): i for i in items}
    missing = []
    for subject, table in (("person", expected["people"]), ("unit", expected["units"])):
        for code, entry in table.items():
            for status, awards in (
                ("proposed", entry["awards"]),
                ("over_cap", entry.get("cut", {})),
            ):
                for award, want in awards.items():
                    why = " ".join(s["text"] for s in got[(subject, code, award, status)]["why"])
                    lost = figures(want["why"]) - figures(why)
                    if lost:
                        missing.append((code, award, sorted(lost), why))
    assert not missing, f"{len(missing)} reasons lack figures: {missing[:6]}"


def test_example_the_stored_list_holds_exactly_the_computed_proposals(client, proposals):
    """POST …/awards/propose (the job the page starts) stores what the read computed: the same
    (subject, code, award, status, rule) and reasons, each now with its nomination id."""
    h, year, answer = proposals
    res = client.post(f"/api/v1/years/{year}/awards/propose", json={}, headers=h)
    assert res.status_code == 202 and res.get_json()["status"] == "done", res.get_json()
    stored = read_all(client, h, year)

    def key(i):
        return (i["subject"], i["code"], i["award"], i["status"], i["rule"], i["why"][0]["text"])

    assert sorted(map(key, stored["items"])) == sorted(map(key, answer["items"]))
    assert all(i["id"] for i in stored["items"])
    assert stored["occasions"] == answer["occasions"]


@pytest.mark.parametrize(("part_people", "processes"), [(1, 1), (60, 1), (1, 2), (60, 3)])
def test_example_proposed_part_by_part_stores_the_list_of_one_pass(
    app, proposals, part_people, processes
):
    """The proposal reads and stores the people part by part (whole emulation scopes,
    awards.facts.year_source), rated here or in forked worker processes: a part per scope (a
    scope's own units apart from the scopes below it) or a few scopes together store exactly
    the list of one pass over everyone, and proposing again part by part over that list
    changes nothing."""
    from sqlalchemy import Text, cast, delete, select

    from awards.facts import year_source
    from awards.lists import propose_list
    from awards.models import Nomination
    from service.auth.models import User
    from service.extensions import db
    from service.org.models import Unit

    _h, year, _answer = proposals
    fields = ("subject_key", "award", "status", "rule", "why", "provisional", "occasion")

    def stored():  # the reasons also as the stored JSON text (an INSERT's, or COPY text's)
        raw = cast(Nomination.why, Text).label("why_text")
        rows = db.session.execute(select(*(getattr(Nomination, f) for f in fields), raw)).all()
        return sorted((*r[:4], r[4][0]["text"], *r[5:]) for r in rows)

    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username != ""))
        top = db.session.scalar(select(Unit).where(Unit.code == "HB"))
        assert len(year_source(year, top).parts) == 1
        parts = year_source(year, top, part_people).parts
        assert len(parts) > (5 if part_people == 1 else 1), parts
        assert any(piece.out for part in parts for piece in part.pieces)  # HB's own units
        assert any(len(part.pieces) > 1 for part in parts) == (part_people > 1)  # merged
        one = propose_list(user, year, top, part_people=10**9, processes=1)
        whole = stored()
        assert one["added"] == len(whole) > 100
        db.session.execute(delete(Nomination))
        seen = []
        again = propose_list(
            user, year, top, lambda d, t: seen.append((d, t)), part_people, processes
        )
        assert stored() == whole
        assert again["added"] == len(whole) and len(seen) == len(parts)
        assert seen[-1][0] == seen[-1][1] and [d for d, _t in seen] == sorted(d for d, _t in seen)
        same = propose_list(user, year, top, part_people=part_people, processes=processes)
        assert (same["added"], same["changed"], same["dropped"]) == (0, 0, 0)
        assert stored() == whole
        db.session.rollback()


@pytest.mark.isolated_db
def test_example_the_job_reading_ahead_in_workers_stores_the_list_of_one_pass(
    tmp_path, monkeypatch
):
    """The job's way (awards.lists.propose_job): forked workers read their parts' rows on
    connections of their own (PostgreSQL; committed data) and rate them while the job stores
    the last part: the same list as one pass in one process. A worker that cannot start
    fails the proposal (a pool whose workers die at start would wait forever)."""
    from sqlalchemy import delete, select

    from awards import proposals
    from awards.lists import propose_list
    from awards.models import Nomination
    from service.auth.models import Role, RoleAssignment, User
    from service.auth.operations import create_token
    from service.extensions import db
    from service.org.models import Unit
    from tests.evaluation.test_jobs import isolated_app

    year = json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))["year"]
    with isolated_app(tmp_path) as app:
        with app.app_context():
            user = User(username="admin_iso", full_name="Quản trị", password_hash="x")
            user.roles.append(RoleAssignment(role=Role("admin"), unit=None))
            db.session.add(user)
            _, clear = create_token(user, "thử nghiệm")
            db.session.commit()
        h = {"Authorization": f"Bearer {clear}"}
        client = app.test_client()

        def catalog(y):
            res = client.patch(
                f"/api/v1/years/{y}/catalog/1.11", json={"applies_to": "both"}, headers=h
            )
            assert res.status_code == 200, res.get_json()

        import_and_compute(app, client, h, year, EXAMPLE, FILES, catalog)
        with app.test_request_context():
            user = db.session.scalar(select(User).where(User.username == "admin_iso"))
            top = db.session.scalar(select(Unit).where(Unit.code == "HB"))
            cols = (Nomination.subject_key, Nomination.award, Nomination.status, Nomination.why)

            def stored():
                return sorted((*r[:3], r[3][0]["text"]) for r in db.session.execute(select(*cols)))

            propose_list(user, year, top, part_people=10**9, processes=1)
            whole = stored()
            db.session.execute(delete(Nomination))
            got = propose_list(user, year, top, part_people=1, processes=2, read_ahead=True)
            assert got["added"] == len(whole) > 100 and stored() == whole
            db.session.rollback()
            if db.session.get_bind().dialect.name != "postgresql":
                return  # the workers read their own rows on PostgreSQL only

            def no_start():
                raise RuntimeError("không kết nối được")

            monkeypatch.setattr(proposals, "_worker_init", no_start)
            with pytest.raises(RuntimeError, match="không kết nối được"):
                propose_list(user, year, top, part_people=1, processes=2, read_ahead=True)
            db.session.rollback()
            assert stored() == []


def test_example_a_parts_rows_by_person_ids_are_those_by_its_units(app, proposals):
    """On PostgreSQL a part's rows are read by its people's ids (one array parameter each, no
    join on the units' paths): every query gives the rows it gives by the part's units, for
    every part; the part's unit ids are the units its condition selects; the history's awards
    read as text make the same past years as read as JSON."""
    from sqlalchemy import select

    from awards.facts import _pasts, year_source
    from awards.queries import initiative_counts
    from evaluation import queries as eq
    from service.extensions import db
    from service.org.models import Person, Unit

    _h, year, _answer = proposals
    with app.test_request_context():
        top = db.session.scalar(select(Unit).where(Unit.code == "HB"))
        src = year_source(year, top, 1)
        assert len(src.parts) > 5
        seen = 0
        for part in src.parts:
            within = part.clause()
            units = db.session.scalars(select(Unit.id).where(within)).all()
            assert part.unit_ids(src.unit_rows) == sorted(units)
            ids = db.session.scalars(
                select(Person.id).join(Unit, Unit.id == Person.unit_id).where(within)
            ).all()
            seen += len(ids)
            reads = (
                lambda **by: eq.final_ratings(src.year_row, subjects=("person",), **by),
                lambda **by: eq.award_inputs(src.year_row, subjects=("person",), **by)[0],
                lambda **by: eq.history_before(year, subjects=("person",), **by),
            )
            for read in reads:
                assert sorted(map(tuple, read(person_ids=ids))) == sorted(
                    map(tuple, read(within=within))
                )
            by_ids = initiative_counts(src.years, subjects=("person",), person_ids=ids)
            assert by_ids == initiative_counts(src.years, subjects=("person",), within=within)
            as_text = eq.history_before(year, subjects=("person",), within=within, awards_text=True)
            as_json = eq.history_before(year, subjects=("person",), within=within)
            assert _pasts(as_text, 1) == _pasts(as_json, 1)
        assert seen == src.people
        assert any(p.awards for ys in _pasts(as_json, 1).values() for p in ys.values())
        assert eq.history_before(year, subjects=("person",), person_ids=[]) == []
