"""Named operations on the award lists (RULES.md C9, C11): propose by rule (a job: the rules'
proposals of a unit's subtree stored as its list's nominations), add a manual nomination, remove
one with a reason (and restore it), and move the list: submit, return, approve, decide. Each
validates, authorizes (role + unit reach), changes, audits and flushes; the request (or the
job runner) commits once, so a refused step changes nothing.

Re-proposing an editable list replaces only what the rules proposed: a staff member's manual
nomination and their removals stay; a removal is a status with its reason, never a deletion."""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections import defaultdict

from sqlalchemy import Integer, Text, any_, bindparam, cast, delete, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from awards import decisions
from awards.catalog_year import catalog_of
from awards.models import AwardList, Nomination
from awards.nominees import first_named, waiting_on
from awards.proposals import award_label, proposal_batches, top_units
from awards.rules import manual_party_refusal
from awards.workflow import (
    EDITABLE,
    ROLE_PERMISSION,
    STATE_LABELS,
    actions_from,
    refusal,
    transition,
)
from evaluation import operations as eval_ops
from evaluation import queries as eq
from service.audit.operations import record
from service.auth.access import can
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.common.gcpause import gc_paused
from service.common.queries import bulk_insert_values
from service.extensions import db
from service.jobs import enqueue, register
from service.org.models import Person, Unit

PROPOSE_JOB = "award_propose"
VOTABLE = ("proposed", "manual")
STALE = (
    "Danh sách vừa được người khác (hoặc ở cửa sổ khác) thay đổi sau khi bạn mở: thay đổi của "
    "bạn chưa được lưu. Xem lại danh sách như hiện tại rồi làm lại."
)
# Checks run before an approval (the council's ballot adds one): each answers a Vietnamese
# refusal or None.
APPROVAL_CHECKS: list = []
SUBMIT_CHECKS: list = []  # the same before a submission (the public consultation adds one)


# --- reading ---------------------------------------------------------------------------------


def list_of(year: int, unit: Unit) -> AwardList | None:
    return db.session.scalar(
        select(AwardList).where(AwardList.year == year, AwardList.unit_id == unit.id)
    )


def visible_list(user, list_id: int, action: str = "award.read") -> AwardList:
    """The list if `user` may read it (else 404) and do `action` on it (else 403)."""
    found = db.session.scalar(
        select(AwardList).where(AwardList.id == list_id).options(joinedload(AwardList.unit))
    )
    if found is None or not can(user, "award.read", found.unit):
        raise NotFound("Không tìm thấy danh sách khen thưởng.")
    if action != "award.read" and not can(user, action, found.unit):
        raise Forbidden()
    return found


def visible_nomination(user, nomination_id: int, action: str = "award.read") -> Nomination:
    nom = db.session.get(Nomination, nomination_id)
    if nom is None:
        raise NotFound("Không tìm thấy đề nghị khen thưởng.")
    visible_list(user, nom.list_id, action)
    return nom


def allowed_actions(user, lst: AwardList) -> list[dict]:
    """The transitions `user` may take from the list's state (buttons of the page)."""
    out = []
    for t in actions_from(lst.state):
        if can(user, ROLE_PERMISSION[t.role], lst.unit):
            out.append({"action": t.action, "label": t.label, "needs_reason": t.needs_reason})
    return out


def nominations_of(lst: AwardList) -> list[Nomination]:
    return list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.list_id == lst.id)
            .options(joinedload(Nomination.person).joinedload(Person.unit))
            .options(joinedload(Nomination.unit))
            .order_by(Nomination.subject, Nomination.award, Nomination.id)
        ).unique()
    )


def counts_for(list_ids) -> dict[int, dict[str, int]]:
    """list id -> {status: number of nominations}, for many lists in one query."""
    out: dict[int, dict[str, int]] = {i: {} for i in list_ids}
    if not out:
        return out
    for list_id, status, n in db.session.execute(
        select(Nomination.list_id, Nomination.status, db.func.count())
        .where(Nomination.list_id.in_(list(out)))
        .group_by(Nomination.list_id, Nomination.status)
    ):
        out[list_id][status] = n
    return out


def counts_of(lst: AwardList) -> dict[str, int]:
    return counts_for([lst.id])[lst.id]


# --- proposing (a job) -----------------------------------------------------------------------


def start_proposal(user, year: int, unit: Unit | None):
    """Queue the proposal of `unit`'s list (else of the list of each top unit of the user's
    reach) for `year`: a job (a large subtree takes a while). Refused at once when the year is
    not open, the user may not propose there, or a list is no longer editable."""
    eq.get_year(year)  # 404 when the year is not open
    roots = [unit] if unit is not None else top_units(user, "award.propose")
    if not roots:
        raise Forbidden()
    for root in roots:
        if not can(user, "award.propose", root):
            raise Forbidden("Bạn không được lập danh sách khen thưởng của đơn vị này.")
        found = list_of(year, root)
        if found is not None and found.state not in EDITABLE:
            raise Conflict(_locked(found))
    codes = [r.code for r in roots]
    params = {"year": year, "units": codes, "user_id": user.id}
    key = f"award_propose:{year}:{','.join(codes)}"[:200]
    return enqueue(PROPOSE_JOB, params, key, user, unit=roots[0] if len(roots) == 1 else None)


def propose_job(params: dict, progress) -> dict:
    """Job "award_propose": propose the list of each unit in turn (one transaction), with the
    progress of each part of its people."""
    from service.auth.models import User

    user = db.session.get(User, params["user_id"])
    codes = params["units"]
    out = []
    with gc_paused():  # millions of objects, no cycles; propose_list collects per part
        for i, code in enumerate(codes):
            unit = db.session.scalar(select(Unit).where(Unit.code == code))
            if unit is None:
                continue
            head = f"Đang xét danh hiệu, khen thưởng của {unit.name} ({code})"
            if len(codes) > 1:
                head += f", danh sách {i + 1}/{len(codes)}"
            progress(0, 0, f"{head}…")

            def report(done, total, head=head):
                counted = f"{done:,} / {total:,}".replace(",", ".")
                progress(done, total, f"{head}: đã xét {counted} người")

            out.append(propose_list(user, params["year"], unit, report, read_ahead=True))
    total = sum(r["proposed"] for r in out)
    progress(len(codes), len(codes), f"Đã lập danh sách: {total} đề nghị theo quy định.")
    return {"lists": out}


def _locked(lst: AwardList) -> str:
    return (
        f"Danh sách khen thưởng năm {lst.year} của {lst.unit.name} đang ở trạng thái "
        f"«{STATE_LABELS[lst.state]}»: không lập lại được."
    )


def _get_or_create(year: int, unit: Unit) -> AwardList:
    found = list_of(year, unit)
    if found is None:
        found = AwardList(year=year, unit_id=unit.id, state="draft", version=1)
        found.unit = unit
        db.session.add(found)
        db.session.flush()
    return found


def _key(subject: str, subject_id: int) -> str:
    return f"{'p' if subject == 'person' else 'u'}{subject_id}"


def propose_list(
    user,
    year: int,
    unit: Unit,
    report=None,
    part_people: int | None = None,
    processes: int | None = None,
    read_ahead: bool = False,
) -> dict:
    """Store the rules' proposals of `unit`'s subtree as its list's nominations (made on first
    use). What the rules proposed before and no longer do is dropped; a manual nomination, a
    removal and its reason stay; a (subject, award) already on another list of the year is left
    there (`elsewhere`).

    Part by part of the gathering root's people (awards.proposals.proposal_batches: whole
    emulation scopes, at most about `part_people` people), then the units: each part's
    nominations are read, compared and written before the next part is read, and
    `report(done, total)` (people) called after each. The parts are rated in `processes`
    forked worker processes (None: AWARDS_PROPOSE_PROCESSES) while this one stores;
    `read_ahead` (the job: its facts are committed) reads the next parts' rows meanwhile on
    a connection of their own (PostgreSQL)."""
    lst = _get_or_create(year, unit)
    _hold_editable(lst)
    table = Nomination.__table__
    stats = {"added": 0, "changed": 0, "dropped": 0, "elsewhere": 0, "seen": 0}
    now = dt.datetime.now()
    base = {
        "list_id": lst.id, "year": year, "source": "rule", "reason": "", "removed_reason": "",
        "passed": None, "created_by_id": None, "created_at": now,
    }  # fmt: skip
    # the rules' rows name no author (the proposer is on the audit entry): a NULL key is not
    # looked up, where a user id was checked on every row (2 s of PostgreSQL's CPU for a city)
    # a list without rows (its first proposal) and a year without other lists: nothing to read
    mine = db.session.scalar(select(func.count()).where(table.c.list_id == lst.id))
    theirs = select(table.c.id).where(table.c.year == year, table.c.list_id != lst.id).limit(1)
    read = (mine > 0, db.session.scalar(theirs) is not None)
    pg = db.session.get_bind().dialect.name == "postgresql"
    root = None
    for batch in proposal_batches(year, unit, part_people, processes, read_ahead):
        root = batch.src.root
        if batch.part is not None and pg:  # the part's people by the index on person_id
            ids = bindparam("ids", batch.ids, type_=ARRAY(Integer))
            subjects = table.c.person_id == any_(ids)
        elif batch.part is not None:
            theirs = select(Person.id).join(Unit, Unit.id == Person.unit_id)
            subjects = table.c.person_id.in_(theirs.where(batch.part.clause()))
        else:
            subjects = table.c.subject == "unit"
        _store(lst, batch.entries, subjects, stats, base, read)
        if report is not None and batch.part is not None:
            report(batch.done, batch.total)
        del batch
        gc.collect(1)
    # the rules' rows of people no longer within the gathering root (moved away): only when
    # some row of the list was in no part
    seen = stats.pop("seen")
    if root is not None and seen < mine:
        inside = (
            select(Person.id)
            .join(Unit, Unit.id == Person.unit_id)
            .where(Person.id == table.c.person_id, Unit.subtree_clause(root.path))
        )
        stats["dropped"] += db.session.execute(
            delete(table)
            .where(
                table.c.list_id == lst.id,
                table.c.source != "manual",
                table.c.subject == "person",
                ~inside.exists(),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    counts: dict[str, int] = defaultdict(int)
    provisional = False
    for status, late, n in db.session.execute(
        select(table.c.status, table.c.provisional, func.count())
        .where(table.c.list_id == lst.id)
        .group_by(table.c.status, table.c.provisional)
    ):
        counts[status] += n
        provisional = provisional or bool(late and status in VOTABLE)
    lst.provisional = provisional
    lst.proposed_at = now
    _touch(lst)
    summary = {
        "list_id": lst.id,
        "unit": unit.code,
        "proposed": counts.get("proposed", 0),
        "over_cap": counts.get("over_cap", 0),
        "blocked": counts.get("blocked", 0),
        "manual": counts.get("manual", 0),
        "removed": counts.get("removed", 0),
        **stats,
        "provisional": lst.provisional,
    }
    record("propose", "award_list", lst.id, after=summary, unit_id=unit.id, user=user)
    return summary


def _proposed_page(job) -> tuple[str, str] | None:
    """The done propose job's list (one unit), or the year's lists (several)."""
    from flask import url_for

    made = (job.result or {}).get("lists") or []
    if len(made) == 1:
        return "Mở danh sách đề nghị", url_for("awards.award_list", list_id=made[0]["list_id"])
    if made:
        return "Xem các danh sách đề nghị", url_for("awards.year_lists", year=job.params["year"])
    return None


def why_text(rule: str, text: str) -> str:
    """The JSON text of a rule's nomination's `why`, [{"rule": rule, "text": text}], as the
    JSON column writes it (json.dumps), without building the list first."""
    return f'[{{"rule": {json.dumps(rule)}, "text": {json.dumps(text)}}}]'


def _store(lst: AwardList, entries, subjects, stats: dict, base: dict, read=(True, True)) -> None:
    """Make the list's nominations of some subjects (`subjects`: a condition on the
    nominations) those of `entries`: new ones inserted (COPY on PostgreSQL), changed ones
    updated, the rules' ones no longer proposed deleted; the staff's stay. `read`: whether the
    list, and the year's other lists, have rows to read at all. The stored `why` is read as
    its text and compared with the text the entry would be written as (why_text); only a
    text that differs is decoded, so a row written some other way is not taken as changed."""
    table = Nomination.__table__
    pg = db.session.get_bind().dialect.name == "postgresql"
    texts: dict[tuple[str, str], str] = {}  # each distinct reason's JSON text, made once

    def text_of(e) -> str:
        found = texts.get((e.rule, e.why))
        if found is None:
            found = texts[(e.rule, e.why)] = why_text(e.rule, e.why)
        return found

    existing = {}
    if read[0]:
        existing = {
            (r.subject_key, r.award): r
            for r in db.session.execute(
                select(
                    table.c.id, table.c.subject_key, table.c.award, table.c.source,
                    table.c.status, table.c.rule, cast(table.c.why, Text).label("why"),
                    table.c.provisional, table.c.occasion,
                ).where(table.c.list_id == lst.id, subjects)
            ).all()
        }  # fmt: skip
    stats["seen"] += len(existing)
    elsewhere = set()
    if read[1]:
        elsewhere = set(
            db.session.execute(
                select(table.c.subject_key, table.c.award).where(
                    table.c.year == lst.year, table.c.list_id != lst.id, subjects
                )
            ).tuples()
        )
    wanted = {}
    for e in entries:
        key = (("p" if e.subject == "person" else "u") + str(e.subject_id), e.award or "")
        if key in elsewhere:
            stats["elsewhere"] += 1
            continue
        wanted[key] = e
    drop, changes = [], []
    for key, row in existing.items():
        if row.source == "manual":
            wanted.pop(key, None)  # the staff's nomination stands
            continue
        e = wanted.pop(key, None)
        if e is None:
            drop.append(row.id)
            continue
        status = "removed" if row.status == "removed" else e.status
        if (
            status != row.status
            or row.rule != e.rule
            or row.provisional != e.provisional
            or row.occasion != e.occasion
            or (row.why != text_of(e) and json.loads(row.why) != [{"rule": e.rule, "text": e.why}])
        ):
            changes.append({"b_id": row.id, "status": status, "rule": e.rule,
                            "why": [{"rule": e.rule, "text": e.why}],
                            "provisional": e.provisional, "occasion": e.occasion})  # fmt: skip
    del existing
    if drop:
        db.session.execute(delete(Nomination).where(Nomination.id.in_(drop)))
    if changes:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                status=bindparam("status"),
                rule=bindparam("rule"),
                why=bindparam("why"),
                provisional=bindparam("provisional"),
                occasion=bindparam("occasion"),
            )
        )
        db.session.execute(stmt.execution_options(synchronize_session=False), changes)
    # PostgreSQL's COPY takes the why as its text, made once per distinct reason (a city's
    # 711,000 rows have 232,000), and each row as a tuple of the columns' values (no dict)

    def why_of(e) -> str | list:
        return text_of(e) if pg else [{"rule": e.rule, "text": e.why}]

    keys = [*base, "subject", "subject_key", "person_id", "unit_id", "award", "status", "rule",
            "why", "provisional", "occasion"]  # fmt: skip
    same = tuple(base.values())
    fresh = [
        (
            *same,
            e.subject,
            key[0],
            e.subject_id if e.subject == "person" else None,
            e.subject_id if e.subject == "unit" else None,
            key[1],
            e.status,
            e.rule,
            why_of(e),
            e.provisional,
            e.occasion,
        )
        for key, e in wanted.items()
    ]
    bulk_insert_values(table, keys, fresh, as_text=("why",) if pg else ())
    stats["added"] += len(fresh)
    stats["changed"] += len(changes)
    stats["dropped"] += len(drop)


# --- editing the nominations -----------------------------------------------------------------


def _hold_editable(lst: AwardList) -> None:
    """The list's row held by this transaction while it is still editable, or a refusal: a
    submission committed after the list was read is seen here (the update re-reads the row),
    one in flight waits for this transaction and then finds the version moved (409), so a
    long proposal never writes into a list submitted meanwhile."""
    held = db.session.execute(
        update(AwardList)
        .where(AwardList.id == lst.id, AwardList.state.in_(EDITABLE))
        .values(updated_at=dt.datetime.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(lst, ["version", "updated_at", "state"])
    if held != 1:
        raise Conflict(_locked(lst))


def _touch(lst: AwardList) -> None:
    lst.version = (lst.version or 0) + 1
    lst.updated_at = dt.datetime.now()
    db.session.flush()


def _stale(lst: AwardList) -> Conflict:
    return Conflict(STALE, {"version": [f"Phiên bản hiện tại là {lst.version}."]})


def _claim(lst: AwardList, expected: int) -> None:
    """+1 on the list's version, only if it is still the one the change was made from: of two
    changes made from the same version one finds no row (409), so neither is lost unseen."""
    done = db.session.execute(
        update(AwardList)
        .where(AwardList.id == lst.id, AwardList.version == expected)
        .values(version=AwardList.version + 1, updated_at=dt.datetime.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(lst, ["version", "updated_at", "state"])
    if done != 1:
        raise _stale(lst)


def _editable(user, lst: AwardList, permission: str, version: int) -> None:
    if not can(user, permission, lst.unit):
        raise Forbidden()
    if lst.state not in EDITABLE:
        raise Conflict(_locked(lst))
    if version != lst.version:
        raise _stale(lst)


def _row_editable(user, lst: AwardList, permission: str) -> None:
    """A change of one row (a nomination added, removed or restored): the list still editable
    and held by this transaction until it ends (a submission, a proposal or another change of
    the same row waits, then sees this one), whatever version the clerk's page was loaded at:
    two clerks changing different rows of one list both count (it refused all but the first,
    with the reason typed). The version still moves (_touch), so a step of the list from an
    older loading is refused."""
    if not can(user, permission, lst.unit):
        raise Forbidden()
    _hold_editable(lst)


def _reread(nom: Nomination) -> None:
    """The row as another change left it, once the list is held (_row_editable): a proposal
    that held the list may have rewritten it (its status, its provisional flag) or taken it
    away (then told as gone, not a failure to refresh it)."""
    found = db.session.execute(
        select(Nomination.status, Nomination.provisional).where(Nomination.id == nom.id)
    ).first()
    if found is None:
        raise NotFound("Đề nghị này không còn trong danh sách (danh sách vừa được lập lại).")
    set_committed_value(nom, "status", found.status)  # as read: not a change of this one
    set_committed_value(nom, "provisional", found.provisional)


def _subject(lst: AwardList, subject: str, code: str):
    """The person or unit `code` inside the list's subtree (else a field error: a code outside
    it reads as unknown)."""
    inside = Unit.subtree_clause(lst.unit.path)
    if subject == "person":
        stmt, column = select(Person).join(Unit, Unit.id == Person.unit_id), Person.code
        what = "cán bộ"
    else:
        stmt, column = select(Unit), Unit.code
        what = "đơn vị"
    found = db.session.scalar(stmt.where(column == code, inside))
    if found is None:  # typed in another case: the stored code, as the imports read it
        alike = db.session.scalars(
            stmt.where(func.upper(column) == code.upper(), inside).limit(2)
        ).all()
        if len(alike) > 1:
            raise ValidationError(
                fields={
                    "code": [f"Mã «{code}» khớp nhiều {what} (chữ hoa, chữ thường): ghi đúng mã."]
                }
            )
        found = alike[0] if alike else None
    if found is None:
        raise ValidationError(
            fields={"code": [f"Không có {what} với mã «{code}» trong {lst.unit.name}."]}
        )
    return found


def _under_review(year: int, subject: str, found) -> bool:
    year_row = eq.get_year(year)
    if subject == "person":
        row = eq.get_person_eval(year_row, found)
    else:
        row = eq.get_unit_eval(year_row, found)
    return bool(row is not None and row.under_review)


def add_manual_nomination(user, lst: AwardList, data: dict) -> Nomination:
    """C9: staff nominate a person or unit of the list's subtree for any award type of the
    year's catalog that such a subject can receive, with a reason; C0 still applies."""
    _row_editable(user, lst, "award.nominate")
    subject, code, award = data["subject"], data["code"].strip(), data["award"]
    reason = (data.get("reason") or "").strip()
    errors = {}
    kind = catalog_of(lst.year).get(award)
    wants = ("person",) if subject == "person" else ("unit", "model")
    if kind is None:
        errors["award"] = ["Không có danh hiệu, hình thức khen thưởng với mã này."]
    elif not set(wants) & set(kind.kinds):
        who = "cá nhân" if subject == "person" else "tập thể"
        errors["award"] = [f"{kind.name} không xét cho {who}."]
    if not reason:
        errors["reason"] = ["Đề nghị ngoài quy định cần ghi lý do (thành tích đột xuất…)."]
    if errors:
        raise ValidationError("Dữ liệu không hợp lệ.", errors)
    found = _subject(lst, subject, code)
    if subject == "person" and (
        why := manual_party_refusal(kind, found.is_party_member, found.admitted_on, lst.year)
    ):
        raise ValidationError(f"{found.full_name} ({code}): {why}", {"award": [why]})
    if _under_review(lst.year, subject, found):
        raise ValidationError(
            f"C0: {found.full_name if subject == 'person' else found.name} đang bị xem xét "
            "(kỷ luật, điều tra, thanh tra, khiếu nại chưa giải quyết): không đề nghị khen "
            "thưởng trong năm.",
            {"code": ["Đang bị xem xét (C0)."]},
        )
    key = _key(subject, found.id)
    same = Nomination.person_id if subject == "person" else Nomination.unit_id  # its index
    taken = db.session.scalar(
        select(Nomination).where(
            same == found.id, Nomination.year == lst.year, Nomination.award == award
        )
    )
    if taken is not None:
        where = "danh sách này" if taken.list_id == lst.id else "một danh sách khác của năm"
        state = " (đã bỏ khỏi danh sách: khôi phục nếu cần)" if taken.status == "removed" else ""
        raise Conflict(f"Đã có đề nghị {award_label(award)} cho mã «{code}» trong {where}{state}.")
    _touch(lst)
    nom = Nomination(
        list_id=lst.id, year=lst.year, subject=subject, subject_key=key, award=award,
        source="manual", status="manual", rule="C9", reason=reason, provisional=False,
        why=[{"rule": "C9", "text": f"C9: đề nghị ngoài quy định, lý do: {reason}"}],
        removed_reason="", created_by_id=user.id,
    )  # fmt: skip
    if subject == "person":
        nom.person_id = found.id
    else:
        nom.unit_id = found.id
    db.session.add(nom)
    db.session.flush()
    after = {"list": lst.id, "subject": subject, "code": code, "award": award, "reason": reason}
    record("nominate", "nomination", nom.id, after=after, unit_id=lst.unit_id, user=user)
    return nom


def remove_nomination(user, nom: Nomination, reason: str) -> Nomination:
    """Take a proposal or a manual nomination off the list, with a reason (kept, restorable)."""
    lst = db.session.get(AwardList, nom.list_id)
    _row_editable(user, lst, "award.nominate")
    _reread(nom)
    if nom.status not in VOTABLE:
        raise Conflict("Chỉ bỏ được đề nghị đang có trong danh sách.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Bỏ khỏi danh sách cần có lý do.", {"reason": ["Cần nhập lý do."]})
    _touch(lst)
    before = {"status": nom.status}
    nom.status, nom.removed_reason = "removed", reason
    db.session.flush()
    # the last provisional one removed: the block is lifted
    lst.provisional = bool(waiting_on(lst.id, Nomination.provisional.is_(True), limit=1))
    record(
        "remove", "nomination", nom.id, before=before,
        after={"status": "removed", "reason": reason}, unit_id=lst.unit_id, user=user,
    )  # fmt: skip
    return nom


def restore_nomination(user, nom: Nomination) -> Nomination:
    lst = db.session.get(AwardList, nom.list_id)
    _row_editable(user, lst, "award.nominate")
    _reread(nom)
    if nom.status != "removed":
        raise Conflict("Đề nghị này không bị bỏ khỏi danh sách.")
    _touch(lst)
    nom.status = "manual" if nom.source == "manual" else "proposed"
    nom.removed_reason = ""
    db.session.flush()
    # from the rows as they are now (a proposal may have marked this one meanwhile)
    lst.provisional = bool(waiting_on(lst.id, Nomination.provisional.is_(True), limit=1))
    record(
        "restore", "nomination", nom.id, before={"status": "removed"},
        after={"status": nom.status}, unit_id=lst.unit_id, user=user,
    )  # fmt: skip
    return nom


# --- the list's states (C11) -----------------------------------------------------------------


def failed_votes(lst: AwardList) -> int:
    """C10: how many of the list's nominations the council's vote did not pass (a decision
    leaves them out)."""
    return db.session.scalar(
        select(func.count()).where(
            Nomination.list_id == lst.id,
            Nomination.status.in_(VOTABLE),
            Nomination.passed.is_(False),
        )
    )


def submit_errors(lst: AwardList, provisional: bool = True) -> list[str]:
    """Why the list cannot be submitted: nothing on it, or proposals resting on ratings not
    yet approved (a provisional list; `provisional` False leaves that one to the caller, the
    page shows it as provisional_wait's table)."""
    errors = []
    counts = counts_of(lst)
    if not any(counts.get(s) for s in VOTABLE):
        errors.append(
            "Danh sách chưa có đề nghị nào: bấm «Đề xuất theo quy định» hoặc thêm đề nghị."
        )
    if provisional and (wait := provisional_wait(lst)):
        errors.append(_provisional_refusal(wait))
    errors += [m for check in SUBMIT_CHECKS if (m := check(lst))]
    return errors


def provisional_wait(lst: AwardList) -> dict | None:
    """What a provisional list waits for: how many provisional nominations, the first three
    named, and the rating lists still to be approved that hold them (highest in the tree
    first, with their state and how many of the nominees each holds); None when nothing
    waits. Reads the nominees' ids as columns (a city's list holds hundreds of thousands;
    the list's page asks on every view) and loads only the three it names."""
    if not lst.provisional:
        return None
    provisional = (
        Nomination.list_id == lst.id,
        Nomination.status.in_(VOTABLE),
        Nomination.provisional.is_(True),
    )
    ids = db.session.execute(select(Nomination.person_id, Nomination.unit_id).where(*provisional))
    people, units = [], []
    for person_id, unit_id in ids:
        (people if person_id is not None else units).append(person_id or unit_id)
    if not people and not units:
        return None
    lists = eq.unapproved_lists(eq.get_year(lst.year), people, units)
    for e in lists:
        held = [f"{e['people']} người"] if e["people"] else []
        held += [f"{e['units']} đơn vị"] if e["units"] else []
        e["held"] = ", ".join(held)
    count = len(people) + len(units)
    named = first_named(
        waiting_on(lst.id, Nomination.provisional.is_(True), limit=3),
        lambda n: f"{n.person.full_name if n.person else n.unit.name} ({award_label(n.award)})",
    ) + (" …" if count > 3 else "")
    return {"year": lst.year, "count": count, "named": named, "lists": lists}


def _provisional_refusal(wait: dict) -> str:
    """Why a provisional list is not submitted, and what to do: the rating lists still to be
    approved, then propose again; or take those nominations off the list; a few named."""
    lists = wait["lists"]
    shown = [f"{e['name']} ({e['code']}, «{e['state_label']}», {e['held']})" for e in lists[:5]]
    where = "; ".join(shown) + (f"; và {len(lists) - 5} danh sách khác" if len(lists) > 5 else "")
    steps = (
        f"cần phê duyệt các danh sách xếp loại: {where}. Khi các danh sách đó đã được phê "
        "duyệt, bấm «Đề xuất theo quy định» lại"
        if lists
        else "bấm «Đề xuất theo quy định» lại để đọc kết quả xếp loại mới nhất"
    )
    return (
        f"Chưa gửi duyệt được: danh sách còn {wait['count']} đề nghị tạm tính (dựa trên kết quả "
        f"xếp loại chưa được phê duyệt, ví dụ {wait['named']}); {steps}; "
        "hoặc bỏ các đề nghị đó khỏi danh sách (có lý do)."
    )


def decided_awards(lst: AwardList) -> tuple[dict, dict]:
    """(person id -> codes, unit id -> codes) the decision confers: the list's proposals and
    manual nominations not refused by the council's vote."""
    people, units = defaultdict(set), defaultdict(set)
    for person_id, unit_id, award in db.session.execute(
        select(Nomination.person_id, Nomination.unit_id, Nomination.award).where(
            Nomination.list_id == lst.id,
            Nomination.status.in_(VOTABLE),
            Nomination.passed.is_not(False),
        )
    ):
        if person_id is not None:
            people[person_id].add(award)
        else:
            units[unit_id].add(award)
    return dict(people), dict(units)


def list_action(user, lst: AwardList, action: str, data: dict) -> AwardList:
    """One step of C11 on the list loaded at data["version"] (a stale version answers 409)."""
    step = transition(lst.state, action)
    if step is None:
        raise Conflict(refusal(lst.state, action))
    if not can(user, ROLE_PERMISSION[step.role], lst.unit):
        raise Forbidden()
    if data["version"] != lst.version:
        raise _stale(lst)
    reason = (data.get("reason") or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError("Trả lại cần có lý do.", {"reason": ["Cần nhập lý do."]})
    after: dict = {"state": step.to}
    if action == "submit":
        errors = submit_errors(lst)
        if errors:
            raise ValidationError(" ".join(errors), {"list": errors})
    elif action == "approve":
        for check in APPROVAL_CHECKS:
            message = check(lst)
            if message:
                raise Conflict(message)
    elif action == "decide":
        decision = decisions.check_decision(data, lst)
        after.update({k: v for k, v in decision.items() if k != "unit_id"})
    before = {"state": lst.state}
    _claim(lst, data["version"])
    lst.state = step.to
    if action == "return":
        lst.return_reason = reason
        after["reason"] = reason
    elif action == "submit":
        lst.return_reason = ""
    elif action == "decide":
        for field in ("decision_no", "decision_date", "decision_signer"):
            setattr(lst, field, decision[field])
        after["decision_id"] = decisions.record_decision(user, lst, decision).id
        people, units = decided_awards(lst)
        after["awards"] = sum(len(v) for v in people.values()) + sum(len(v) for v in units.values())
        eval_ops.record_awards(user, lst.year, lst.unit, people, units)
    db.session.flush()
    record(action, "award_list", lst.id, before=before, after=after, unit_id=lst.unit_id, user=user)
    return lst


def init_jobs() -> None:
    register(
        PROPOSE_JOB,
        propose_job,
        title="Lập danh sách đề nghị khen thưởng",
        result_page=_proposed_page,
    )
