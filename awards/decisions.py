"""The decision registry (issue 13 item 4): a commendation decision (số, ngày, cấp, người ký,
cơ quan ban hành) and the award lists it decides. Deciding a list (C11 "decide") records its
decision here: a new one, or an existing decision of the same issuing unit, year and number
when its date and signer agree (one decision may decide several lists). Reading: the decisions
within a user's reach (a decision is seen by whoever may read one of its lists), searchable by
number, signer, issuer and by nominee; a decision with each nominee's result; a person's or
unit's awards traced to their decisions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from awards.catalog_year import catalog_of
from awards.models import DECISION_LEVELS, AwardList, Decision, Nomination
from awards.proposals import award_label
from awards.rules import LEVELS, above_level, decision_level_of
from awards.rules.dates import dmy_or_none as _dmy
from service.audit.operations import record
from service.auth.access import can, scope_filter
from service.common.errors import Forbidden, NotFound, ValidationError
from service.common.queries import search_clause
from service.extensions import db
from service.org.models import Person, Unit

VOTABLE = ("proposed", "manual")


# --- writing (called by awards.lists.list_action "decide") -----------------------------------


def issuing_units(lst: AwardList) -> list[Unit]:
    """The units that may issue the list's decision: its own unit and those above it, nearest
    first (an upper level's decision may decide the lists of several units)."""
    ids = [int(i) for i in lst.unit.path.strip("/").split("/") if i]
    found = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [found[i] for i in reversed(ids) if i in found]


def check_decision(data: dict, lst: AwardList) -> dict:
    """The decision's fields from a decide step, validated: number, date, signer required;
    level one of DECISION_LEVELS (default cấp cơ sở); the issuing unit the list's own or one
    above it (default its own); issuer (the body's name) defaults to the issuing unit's name;
    the date not before the list's year nor after today."""
    errors: dict[str, list[str]] = {}
    units = issuing_units(lst)
    code = (data.get("decision_unit") or "").strip()
    issuing = next((u for u in units if u.code == code), None) if code else lst.unit
    if issuing is None:
        errors["decision_unit"] = [
            "Đơn vị ban hành phải là đơn vị của danh sách hoặc đơn vị cấp trên: "
            + ", ".join(u.code for u in units)
            + "."
        ]
        issuing = lst.unit
    number = (data.get("decision_no") or "").strip()
    signer = (data.get("decision_signer") or "").strip()
    day = data.get("decision_date")
    level = (data.get("decision_level") or "co_so").strip()
    issuer = (data.get("decision_issuer") or "").strip() or issuing.name
    if not number:
        errors["decision_no"] = ["Cần nhập số quyết định."]
    if day is None:
        errors["decision_date"] = ["Cần nhập ngày quyết định (dd/mm/yyyy)."]
    elif day.year < lst.year:
        errors["decision_date"] = [f"Ngày quyết định phải từ năm {lst.year} trở đi."]
    elif day > dt.date.today():  # a decision is recorded once signed: never a later date
        errors["decision_date"] = [
            f"Ngày quyết định không được sau hôm nay ({_dmy(dt.date.today())})."
        ]
    if not signer:
        errors["decision_signer"] = ["Cần nhập người ký."]
    if level not in DECISION_LEVELS:
        errors["decision_level"] = ["Cấp quyết định không hợp lệ."]
    elif too_high := _above_level(lst, level):
        errors["decision_level"] = [too_high]
    if errors:
        raise ValidationError("Thiếu hoặc sai thông tin quyết định khen thưởng.", errors)
    return {
        "decision_no": number,
        "decision_date": day,
        "decision_signer": signer,
        "decision_level": level,
        "decision_issuer": issuer[:300],
        "decision_unit": issuing.code,
        "unit_id": issuing.id,
    }


def _level_name(level: str) -> str:
    return DECISION_LEVELS[level].split(" (")[0].lower()  # "cấp thành phố"


def _conferred(lst: AwardList) -> tuple[dict[str, int], list]:
    """What deciding `lst` would confer: how many of each award code (the proposals and
    manual nominations the council did not refuse) and their catalog types."""
    catalog = catalog_of(lst.year)
    counts = dict(
        db.session.execute(
            select(Nomination.award, func.count())
            .where(
                Nomination.list_id == lst.id,
                Nomination.status.in_(VOTABLE),
                Nomination.passed.is_not(False),
            )
            .group_by(Nomination.award)
        ).all()
    )
    return counts, [catalog[c] for c in sorted(counts) if c in catalog]


def decision_form_hints(lst: AwardList) -> tuple[str, str | None]:
    """C11, for the decision form of `lst` (one reading of what it confers): the level the
    form offers first, the highest authority's (cấp cơ sở for a list conferring nothing);
    and, for a list conferring awards of several levels, how many of each and that one
    decision, at the highest, records them all (None for a list of one level)."""
    counts, conferred = _conferred(lst)
    top = decision_level_of(conferred)
    by_level: dict[str, list] = {}
    for a in conferred:
        by_level.setdefault(a.level, []).append(a)
    if len(by_level) < 2:
        return top or "co_so", None
    parts = [
        f"{_level_name(level)} {sum(counts[a.code] for a in types)} "
        f"({', '.join(a.name for a in types[:3])}{', …' if len(types) > 3 else ''})"
        for level, types in sorted(by_level.items(), key=lambda kv: LEVELS.index(kv[0]))
    ]
    return top, (
        f"Danh sách gồm đề nghị thuộc thẩm quyền nhiều cấp: {'; '.join(parts)}. Một quyết "
        f"định được ghi cho cả danh sách, ở cấp cao nhất ({_level_name(top)})."
    )


def _above_level(lst: AwardList, level: str) -> str | None:
    """C11: why a decision at `level` cannot decide `lst`: what it would confer includes
    award types of a higher authority, named with their level and how many; or nothing at
    `level` (the decision is its highest authority's); None when it may."""
    counts, conferred = _conferred(lst)
    higher = above_level(conferred, level)
    top = decision_level_of(conferred)
    if not higher:
        if top is None or top == level:
            return None
        return (  # higher than any award it confers: not the body that confers them
            f"Danh sách không có danh hiệu, hình thức khen thưởng nào thuộc thẩm quyền "
            f"{_level_name(level)}: cao nhất là {_level_name(top)}. Chọn «{DECISION_LEVELS[top]}»."
        )
    named = "; ".join(
        f"{a.name}: {counts[a.code]} đề nghị, thẩm quyền {a.authority} ({_level_name(a.level)})"
        for a in higher
    )
    return (
        f"Quyết định {_level_name(level)} không khen được: {named}. "
        "Chọn đúng cấp của quyết định, hoặc bỏ các đề nghị đó khỏi danh sách (trả lại danh "
        "sách để sửa) và trình cấp có thẩm quyền."
    )


def record_decision(user, lst: AwardList, decision: dict) -> Decision:
    """The registry entry of the decision deciding `lst`: an existing one of the issuing unit,
    year and number when date and signer agree (else a refusal naming the difference), or a
    new one. Flushes; the caller audits the step and commits."""
    found = db.session.scalar(
        select(Decision).where(
            Decision.unit_id == decision["unit_id"],
            Decision.year == lst.year,
            Decision.number == decision["decision_no"],
        )
    )
    if found is not None:
        if (found.decided_on, found.signer) != (
            decision["decision_date"],
            decision["decision_signer"],
        ):
            if any(can(user, "award.read", other.unit) for other in found.lists):
                known = f", ngày {_dmy(found.decided_on)}, người ký {found.signer}"
            else:  # a decision of lists outside the user's reach: not its details
                known = " với ngày hoặc người ký khác"
            raise ValidationError(
                f"Quyết định số {found.number} của {found.unit.name} đã có trong sổ quyết định"
                f"{known}: nhập đúng ngày và người ký để ghi thêm danh sách này vào quyết định "
                "đó, hoặc dùng số quyết định khác.",
                {"decision_no": ["Số quyết định đã dùng với ngày hoặc người ký khác."]},
            )
        lst.decision = found
        return found
    made = Decision(
        year=lst.year,
        number=decision["decision_no"],
        decided_on=decision["decision_date"],
        level=decision["decision_level"],
        signer=decision["decision_signer"],
        issuer=decision["decision_issuer"],
        unit_id=decision["unit_id"],
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(made)
    lst.decision = made
    db.session.flush()
    return made


def may_correct(user, d: Decision) -> bool:
    """Whether `user` may correct the decision: the committee (or an administrator) of the
    unit that issued it."""
    return can(user, "award.approve", d.unit)


def correct_decision(user, d: Decision, data: dict) -> Decision:
    """Correct a recorded decision's number, date, signer and issuing body's name (a typo), with
    a reason: the lists it decided carry the same, and what is printed from it follows. Its
    level and issuing unit stay (the awards it confers were checked against them). Audited
    with the fields before and after."""
    if not may_correct(user, d):
        raise Forbidden("Chỉ cấp ủy, hội đồng của đơn vị ban hành sửa được quyết định.")
    errors: dict[str, list[str]] = {}
    number = (data.get("number") or "").strip()
    signer = (data.get("signer") or "").strip()
    issuer = (data.get("issuer") or "").strip()
    reason = (data.get("reason") or "").strip()
    day = data.get("date")
    if not number:
        errors["number"] = ["Cần nhập số quyết định."]
    elif number != d.number and db.session.scalar(
        select(Decision.id).where(
            Decision.unit_id == d.unit_id, Decision.year == d.year, Decision.number == number
        )
    ):
        errors["number"] = [f"Số {number} đã là một quyết định khác của {d.unit.name}."]
    if day is None:
        errors["date"] = ["Cần nhập ngày quyết định (dd/mm/yyyy)."]
    elif day.year < d.year:
        errors["date"] = [f"Ngày quyết định phải từ năm {d.year} trở đi."]
    elif day > dt.date.today():
        errors["date"] = [f"Ngày quyết định không được sau hôm nay ({_dmy(dt.date.today())})."]
    if not signer:
        errors["signer"] = ["Cần nhập người ký."]
    if not issuer:
        errors["issuer"] = ["Cần nhập cơ quan ban hành."]
    if not reason:
        errors["reason"] = ["Sửa quyết định cần có lý do."]
    if errors:
        raise ValidationError("Chưa sửa quyết định: thiếu hoặc sai thông tin.", errors)
    fields = ("number", "decided_on", "signer", "issuer")
    before = {f: getattr(d, f) for f in fields}
    d.number, d.decided_on, d.signer, d.issuer = number, day, signer, issuer[:300]
    for lst in d.lists:  # the copies each decided list keeps
        lst.decision_no, lst.decision_date, lst.decision_signer = number, day, signer
    db.session.flush()
    after = {f: getattr(d, f) for f in fields}
    record(
        "correct",
        "decision",
        d.id,
        before={k: _dmy(v) if isinstance(v, dt.date) else v for k, v in before.items()},
        after={k: _dmy(v) if isinstance(v, dt.date) else v for k, v in after.items()}
        | {"reason": reason},
        unit_id=d.unit_id,
        user=user,
    )
    return d


# --- reading ---------------------------------------------------------------------------------


def _in_reach(user, stmt):
    """`stmt` (over Decision) kept to decisions one of whose lists `user` may read."""
    unit = aliased(Unit)
    reach = (
        select(AwardList.decision_id)
        .join(unit, unit.id == AwardList.unit_id)
        .where(scope_filter(user, "award.read", unit.path))
    )
    return stmt.where(Decision.id.in_(reach))


def search(
    user,
    year: int | None = None,
    q: str = "",
    level: str | None = None,
    person: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[dict], int]:
    """(rows, total): a page of the decisions in reach, newest first. `q` matches number,
    signer and issuer; `person` a nominee's code or name (person or unit)."""
    stmt = _in_reach(user, select(Decision))
    if year:
        stmt = stmt.where(Decision.year == year)
    if level:
        stmt = stmt.where(Decision.level == level)
    if q:
        stmt = stmt.where(
            search_clause(q, Decision.number, names=[Decision.signer, Decision.issuer])
        )
    if person:
        nominee = (
            select(AwardList.decision_id)
            .join(Nomination, Nomination.list_id == AwardList.id)
            .outerjoin(Person, Person.id == Nomination.person_id)
            .outerjoin(Unit, Unit.id == Nomination.unit_id)
            .where(Nomination.status.in_(VOTABLE), _nominee_match(person, Person, Unit))
        )
        stmt = stmt.where(Decision.id.in_(nominee))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.order_by(Decision.decided_on.desc(), Decision.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(  # decision_out reads them: one query each, not one per decision
            joinedload(Decision.unit),
            selectinload(Decision.lists).joinedload(AwardList.unit),
        )
    ).all()
    counts = _counts([d.id for d in rows])
    return [decision_out(d, counts.get(d.id, {})) for d in rows], total


def _counts(decision_ids) -> dict[int, dict[str, int]]:
    """decision id -> {"awarded": n, "refused": n} over its lists' votable nominations."""
    out: dict[int, dict[str, int]] = {i: {"awarded": 0, "refused": 0} for i in decision_ids}
    if not out:
        return out
    rows = db.session.execute(
        select(AwardList.decision_id, Nomination.passed.is_(False), func.count())
        .join(Nomination, Nomination.list_id == AwardList.id)
        .where(AwardList.decision_id.in_(list(out)), Nomination.status.in_(VOTABLE))
        .group_by(AwardList.decision_id, Nomination.passed.is_(False))
    )
    for decision_id, refused, n in rows:
        out[decision_id]["refused" if refused else "awarded"] += n
    return out


def decision_out(d: Decision, counts: dict | None = None) -> dict:
    counts = counts if counts is not None else _counts([d.id])[d.id]
    return {
        "id": d.id,
        "year": d.year,
        "number": d.number,
        "date": _dmy(d.decided_on),
        "level": d.level,
        "level_label": d.level_label,
        "signer": d.signer,
        "issuer": d.issuer,
        "unit": d.unit.code,
        "unit_name": d.unit.name,
        "lists": [
            {"id": lst.id, "unit": lst.unit.code, "unit_name": lst.unit.name} for lst in d.lists
        ],
        "awarded": counts.get("awarded", 0),
        "refused": counts.get("refused", 0),
    }


def visible_decision(user, decision_id: int) -> Decision:
    d = db.session.get(Decision, decision_id)
    if d is None or not any(can(user, "award.read", lst.unit) for lst in d.lists):
        raise NotFound("Không tìm thấy quyết định khen thưởng.")
    return d


def _readable_lists(user):
    """The ids of the award lists `user` may read (a decision of an upper level may decide
    the lists of several units: each reader sees the nominees of their own lists only)."""
    unit = aliased(Unit)
    return (
        select(AwardList.id)
        .join(unit, unit.id == AwardList.unit_id)
        .where(scope_filter(user, "award.read", unit.path))
    )


def recipients(
    user,
    d: Decision,
    awarded_only: bool = False,
    q: str = "",
    page: int | None = None,
    per_page: int = 100,
) -> list[dict]:
    """Each nominee of the decision's lists with its result: awarded ("Được khen thưởng") or
    refused by the council's vote ("Không đạt biểu quyết"); people first, by unit path and
    code, then units; only those of the lists `user` may read. `page`: that page of
    `per_page` rows only (see recipients_count)."""
    person_unit = aliased(Unit)
    subject_unit = aliased(Unit)
    stmt = (
        select(
            Nomination,
            Person.code,
            Person.full_name,
            person_unit.code,
            person_unit.name,
            subject_unit.code,
            subject_unit.name,
            Person.gender,
        )
        .join(AwardList, AwardList.id == Nomination.list_id)
        .outerjoin(Person, Person.id == Nomination.person_id)
        .outerjoin(person_unit, person_unit.id == Person.unit_id)
        .outerjoin(subject_unit, subject_unit.id == Nomination.unit_id)
        .where(
            AwardList.decision_id == d.id,
            Nomination.status.in_(VOTABLE),
            AwardList.id.in_(_readable_lists(user)),
        )
        .order_by(
            Nomination.subject,  # "person" before "unit"
            func.coalesce(person_unit.path, subject_unit.path),
            func.coalesce(Person.code, subject_unit.code),
            Nomination.award,
        )
    )
    if awarded_only:
        stmt = stmt.where(Nomination.passed.is_not(False))
    if q:
        stmt = stmt.where(_nominee_match(q, Person, subject_unit))
    if page is not None:
        stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    out = []
    for nom, p_code, p_name, pu_code, pu_name, u_code, u_name, gender in db.session.execute(stmt):
        person = nom.subject == "person"
        out.append(
            {
                "nomination_id": nom.id,
                "list_id": nom.list_id,
                "subject": nom.subject,
                "code": p_code if person else u_code,
                "name": p_name if person else u_name,
                "unit": pu_code if person else u_code,
                "unit_name": pu_name if person else u_name,
                "gender": gender.value if person and gender is not None else None,
                "award": nom.award,
                "award_label": award_label(nom.award),
                "source": nom.source,
                "awarded": nom.passed is not False,
                "result": "Được khen thưởng" if nom.passed is not False else "Không đạt biểu quyết",
            }
        )
    return out


def recipients_count(
    user, d: Decision, q: str = "", awarded_only: bool = False, awards=None
) -> int:
    """How many rows recipients(user, d, q=q, awarded_only=…) answers; `awards`: of these
    award codes only (the certificates' kinds)."""
    stmt = (
        select(func.count())
        .select_from(Nomination)
        .join(AwardList, AwardList.id == Nomination.list_id)
        .outerjoin(Person, Person.id == Nomination.person_id)
        .outerjoin(Unit, Unit.id == Nomination.unit_id)
        .where(
            AwardList.decision_id == d.id,
            Nomination.status.in_(VOTABLE),
            AwardList.id.in_(_readable_lists(user)),
        )
    )
    if q:
        stmt = stmt.where(_nominee_match(q, Person, Unit))
    if awarded_only:
        stmt = stmt.where(Nomination.passed.is_not(False))
    if awards is not None:
        stmt = stmt.where(Nomination.award.in_(list(awards)))
    return db.session.scalar(stmt) or 0


def _nominee_match(q: str, person, unit):
    """A nominee (person or unit) whose code is `q` or whose name holds it, accents or not
    ("trinh kim linh" finds Trịnh Kim Linh)."""
    return or_(
        func.upper(person.code) == q.upper(),
        func.upper(unit.code) == q.upper(),
        search_clause(q, folded=[person.search_name, unit.search_name]),
    )


def years() -> list[int]:
    """The years that have a decision, newest first."""
    return list(db.session.scalars(select(Decision.year).distinct().order_by(Decision.year.desc())))


def traced(
    user, person_id: int | None = None, unit_id: int | None = None, own: bool = False
) -> list[dict]:
    """A person's (or unit's) awards on decided lists, each with its decision, newest first:
    where the registry traces an award to its decision. `own`: the user's own person, whose
    awards they read whatever their reach."""
    column = Nomination.person_id if person_id is not None else Nomination.unit_id
    subject_id = person_id if person_id is not None else unit_id
    stmt = (
        select(Decision, Nomination)
        .join(AwardList, AwardList.decision_id == Decision.id)
        .join(Nomination, Nomination.list_id == AwardList.id)
        .where(column == subject_id, Nomination.status.in_(VOTABLE))
    )
    if not own:
        stmt = _in_reach(user, stmt)
    stmt = stmt.order_by(Decision.decided_on.desc(), Nomination.award)
    return [
        {
            "year": d.year,
            "award": nom.award,
            "award_label": award_label(nom.award),
            "awarded": nom.passed is not False,
            "result": "Được khen thưởng" if nom.passed is not False else "Không đạt biểu quyết",
            "decision_id": d.id,
            "number": d.number,
            "date": _dmy(d.decided_on),
            "signer": d.signer,
            "issuer": d.issuer,
        }
        for d, nom in db.session.execute(stmt)
    ]
