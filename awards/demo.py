"""The awards' demo data (service.domains.add_demo), loaded after the evaluation's demo year:
five past years of history (levels and titles) for the demo ward, a registry of initiatives
and good models, and the demo year's award list of the ward proposed by rule, so every awards
page shows real content on first start."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select

from awards import council_demo
from awards.models import AwardList, Decision, Initiative, InitiativeAuthor, Nomination, owner_key
from awards.rules import DEFAULT_AWARDS
from awards.unnamed import sync_stored_counts
from evaluation.demo import DEMO_YEAR
from evaluation.models import History
from service.auth.models import Role, RoleAssignment, User
from service.extensions import db
from service.org.models import Person, Unit

PAST_YEARS = range(DEMO_YEAR - 5, DEMO_YEAR)
WARD = "DD"
TITLES = [
    "Số hóa hồ sơ một cửa",
    "Sổ tay tự kiểm tra vi phạm theo Chỉ thị 24",
    "Tra cứu thủ tục bằng mã QR",
    "Quy trình tiếp dân một đầu mối",
    "Chấm điểm cán bộ hằng tháng trên bảng tính",
    "Lịch trực và nhắc việc tự động",
]


def _history_rows(rng, people, units) -> list[dict]:
    """Five past years of ratings and titles for the demo's people and units."""
    rows = []
    for year in PAST_YEARS:
        for pid, member in people:
            roll = rng.random()
            level = "XS" if roll < 0.18 else "T" if roll < 0.85 else "HT" if roll < 0.97 else "KHT"
            awards = []
            if level in ("XS", "T"):
                awards.append("LDTT")
                if level == "XS" and rng.random() < 0.6:
                    awards.append("CSTDCS")
            party = None
            if member:
                party = level if rng.random() < 0.8 else ("T" if level == "XS" else level)
            rows.append(
                {"year": year, "person_id": pid, "unit_id": None, "official_level": level,
                 "party_level": party, "awards": awards,
                 "initiatives_base": 1 if level == "XS" and rng.random() < 0.5 else 0,
                 "initiatives_city": 0}
            )  # fmt: skip
        for uid in units:
            level = "XS" if rng.random() < 0.35 else "T"
            awards = ["TTLDXS"] if level == "XS" and rng.random() < 0.5 else ["TTLDTT"]
            rows.append(
                {"year": year, "person_id": None, "unit_id": uid, "official_level": level,
                 "party_level": None, "awards": awards, "initiatives_base": 0,
                 "initiatives_city": 0}
            )  # fmt: skip
    return rows


def _history(rng, people, units) -> int:
    rows = _history_rows(rng, people, units)
    db.session.execute(insert(History), rows)
    return len(rows)


def _registry(rng, people, units) -> int:
    made = 0
    ids = [pid for pid, _m in people]
    for year in (DEMO_YEAR - 2, DEMO_YEAR - 1, DEMO_YEAR):
        for i, title in enumerate(rng.sample(TITLES, 4)):
            authors = sorted(rng.sample(ids, 1 + (i % 2)))
            ini = Initiative(
                year=year, kind="sang_kien", title=title,
                level="thanh_pho" if i == 0 else "co_so", unit_id=None,
                owner_key=owner_key("sang_kien", None, authors),
                decision_no=f"{10 + i}/QĐ-UBND", decision_date=dt.date(year, 11, 20), version=1,
            )  # fmt: skip
            ini.authors = [InitiativeAuthor(person_id=p, position=k) for k, p in enumerate(authors)]
            db.session.add(ini)
            made += 1
        uid = rng.choice(units)
        db.session.add(
            Initiative(
                year=year,
                kind="mo_hinh",
                title=f"Mô hình «Dân vận khéo» {year}",
                level="thanh_pho" if year == DEMO_YEAR else "co_so",
                unit_id=uid,
                owner_key=owner_key("mo_hinh", uid, []),
                decision_no="5/QĐ-UBND",
                decision_date=dt.date(year, 12, 1),
                version=1,
            )  # fmt: skip
        )
        made += 1
    db.session.flush()
    return made


DECIDED_UNIT = "DD-UB"


def _decided(unit: Unit | None) -> int:
    """The previous year's list of `unit`'s subtree as decided (its awards are the history the
    demo already holds), with its decision in the registry: so the registry, the certificates
    and the statistical forms show a real decision on first start. Returns its awards."""
    if unit is None:
        return 0
    year = DEMO_YEAR - 1
    day = dt.date(year, 12, 25)
    decision = Decision(
        year=year, number="120/QĐ-UBND", decided_on=day, level="co_so",
        signer="Nguyễn Văn Minh", issuer="Ủy ban nhân dân phường Đống Đa", unit_id=unit.id,
    )  # fmt: skip
    lst = AwardList(
        year=year, unit_id=unit.id, state="decided", version=1, decision=decision,
        decision_no=decision.number, decision_date=day, decision_signer=decision.signer,
        proposed_at=dt.datetime(year, 12, 1, 8, 0),
    )  # fmt: skip
    db.session.add_all([decision, lst])
    db.session.flush()
    inside = Unit.subtree_clause(unit.path)
    rows = db.session.execute(
        select(History.person_id, History.unit_id, History.awards)
        .outerjoin(Person, Person.id == History.person_id)
        .join(Unit, Unit.id == db.func.coalesce(Person.unit_id, History.unit_id))
        .where(History.year == year, inside)
        .order_by(History.id)
    ).all()

    def why(code: str) -> list[dict]:
        rule = DEFAULT_AWARDS[code].rule
        text = f"{rule}: theo kết quả đánh giá, xếp loại năm {year} (dữ liệu mẫu)."
        return [{"rule": rule, "text": text}]

    made = [
        {"list_id": lst.id, "year": year, "subject": "person" if pid else "unit",
         "subject_key": f"p{pid}" if pid else f"u{uid}", "person_id": pid, "unit_id": uid,
         "award": code, "source": "rule", "status": "proposed",
         "rule": DEFAULT_AWARDS[code].rule, "why": why(code),
         "reason": "", "provisional": False, "removed_reason": "", "passed": True}
        for pid, uid, awards in rows
        for code in awards
        # what a ward's decision confers (C11): the city's titles are the city's decisions
        if code in DEFAULT_AWARDS and DEFAULT_AWARDS[code].level == "co_so"
    ]  # fmt: skip
    if made:
        db.session.execute(insert(Nomination), made)
    return len(made)


def load(context: dict) -> str:
    from awards.lists import propose_list

    rng = context["rng"]
    ward = db.session.scalar(select(Unit).where(Unit.code == WARD))
    if ward is None:
        return "không có phường mẫu: bỏ qua dữ liệu thi đua"
    inside = Unit.subtree_clause(ward.path)
    people = db.session.execute(
        select(Person.id, Person.admitted_on.is_not(None))
        .join(Unit, Unit.id == Person.unit_id)
        .where(inside)
        .order_by(Person.id)
    ).all()
    units = list(db.session.scalars(select(Unit.id).where(inside, Unit.parent_id.is_not(None))))
    past = _history(rng, people, units)
    registry = _registry(rng, people, units)
    registry += sync_stored_counts(DEMO_YEAR)  # the count columns' unnamed entries (bulk rows)
    decided = _decided(db.session.scalar(select(Unit).where(Unit.code == DECIDED_UNIT)))
    # each demo staff account's unit gets its list of the demo year, proposed by rule
    grants = db.session.execute(
        select(User, Unit)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Unit, Unit.id == RoleAssignment.unit_id)
        .where(RoleAssignment.role == Role.STAFF, inside)
        .order_by(Unit.path)
    ).all()
    made = [propose_list(user, DEMO_YEAR, unit) for user, unit in grants]
    lists = ", ".join(f"{m['unit']} ({m['proposed']} đề nghị)" for m in made)
    # the council of the first list's unit, its members among the demo logins
    council = ""
    if grants:
        demo_hash = db.session.scalar(select(User.password_hash).where(User.username == "admin"))
        names = council_demo.seed(DEMO_YEAR, grants[0][1].code, demo_hash)
        council = f"; hội đồng thi đua {grants[0][1].code}: {', '.join(names)} (cùng mật khẩu)"
    return (
        f"{past} dòng lịch sử {PAST_YEARS.start}–{PAST_YEARS.stop - 1}, {registry} sáng kiến, "
        f"mô hình, quyết định 120/QĐ-UBND năm {DEMO_YEAR - 1} ({decided} khen thưởng, "
        f"{DECIDED_UNIT}), danh sách khen thưởng {DEMO_YEAR} theo quy định: "
        f"{lists or 'không có'}"
        f"{council}"
    )
