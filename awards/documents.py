"""The Word documents of the commendation paperwork (issue 13 item 1): the context of each kind
(tờ trình of a list, biên bản of a voting session, quyết định of a decided list, báo cáo thành
tích of a nomination; fields in awards.docfields), the templates an administrator may replace
(stored under DOC_TEMPLATE_DIR, default the instance folder's doc_templates/, audited), and the
minutes' details of a session (place, members present of a paper ballot).

The biên bản is filled from the totals and the attendance only: nothing here reads the ballots
with a voter, and nothing is logged or audited of how anyone voted."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections import Counter
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from awards import council
from awards.catalog_year import catalog_of
from awards.council_models import VotingSession
from awards.docfields import (
    BY_SLUG,
    KINDS,
    DocKind,
    achievement_rows,
    achievements_text,
    ascii_slug,
    date_line,
    dmy,
    head_title,
    share_text,
    threshold_text,
    unknown_fields,
)
from awards.lists import VOTABLE, decided_awards
from awards.models import AwardList, Nomination
from awards.workflow import STATE_LABELS
from service.audit.models import AuditEntry
from service.audit.operations import record
from service.auth.access import is_admin
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.common.word import TemplateError, render_docx, template_fields
from service.extensions import db
from service.org.models import GENDER_LABELS

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "templates" / "docx"
AUDIT_TYPE = "doc_template"
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
ADMIN_ONLY = "Chỉ quản trị viên được thay mẫu văn bản."
BLANK = "……"  # a figure not entered yet: the dotted blank of a form filled by hand


def kind_by_slug(slug: str) -> DocKind:
    kind = BY_SLUG.get(slug) or KINDS.get(slug)
    if kind is None:
        raise NotFound("Không có loại văn bản này.")
    return kind


# --- templates: shipped, replaced, reset -----------------------------------------------------


def template_dir() -> Path:
    configured = current_app.config.get("DOC_TEMPLATE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "doc_templates"


def _custom_path(kind: DocKind) -> Path:
    return template_dir() / f"{kind.key}.docx"


def template_bytes(kind: DocKind) -> bytes:
    """The template in use: the administrator's replacement, else the shipped one."""
    custom = _custom_path(kind)
    return (custom if custom.is_file() else SHIPPED_DIR / f"{kind.key}.docx").read_bytes()


def template_status(kind: DocKind) -> dict:
    """Whether `kind` uses a replacement, and the last change (who, when) from the audit log."""
    last = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.object_type == AUDIT_TYPE, AuditEntry.object_id == kind.key)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    who = last.user if last is not None else None
    return {
        "kind": kind.slug,
        "title": kind.title,
        "custom": _custom_path(kind).is_file(),
        "fields": kind.fields,
        "changed_action": last.action if last is not None else None,
        "changed_at": last.at if last is not None else None,
        "changed_by": who.username if who is not None else None,
    }


def check_template(kind: DocKind, data: bytes) -> None:
    """Refuse (ValidationError, Vietnamese) what is not a .docx or uses a field the kind does not
    fill, the unknown fields named."""
    if not data:
        raise ValidationError("Chưa chọn tệp mẫu.", {"file": ["Chọn một tệp .docx."]})
    if len(data) > MAX_TEMPLATE_BYTES:
        raise ValidationError(
            "Tệp mẫu quá lớn (tối đa 10 MB).", {"file": ["Tệp mẫu quá lớn (tối đa 10 MB)."]}
        )
    try:
        used = template_fields(data)
    except TemplateError as err:
        message = f"{err} Hãy tải lên một văn bản Word (.docx)."
        raise ValidationError(message, {"file": [str(err)]}) from None
    unknown = unknown_fields(kind, used)
    if unknown:
        names = ", ".join(unknown)
        message = (
            f"Mẫu «{kind.title}» dùng trường không có trong danh sách trường của loại văn bản "
            f"này: {names}. Chỉ dùng các trường: {', '.join(sorted(kind.names))}."
        )
        raise ValidationError(message, {"file": [f"Trường không hợp lệ: {names}."]})


def upload_template(user, kind: DocKind, data: bytes, filename: str = "") -> dict:
    """Replace `kind`'s template (administrators), after check_template: nothing is stored on a
    refusal. Audited with the file's name, size and SHA-256."""
    if not is_admin(user):
        raise Forbidden(ADMIN_ONLY)
    check_template(kind, data)
    after = {
        "filename": (filename or "")[:200],
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    record("upload", AUDIT_TYPE, kind.key, after=after, user=user)
    db.session.flush()
    folder = template_dir()
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{kind.key}.{secrets.token_hex(8)}.part"
    part.write_bytes(data)
    os.replace(part, _custom_path(kind))  # readers see the old file or the new one, whole
    return template_status(kind)


def reset_template(user, kind: DocKind) -> dict:
    """Back to the shipped template (administrators); audited."""
    if not is_admin(user):
        raise Forbidden(ADMIN_ONLY)
    custom = _custom_path(kind)
    record("reset", AUDIT_TYPE, kind.key, before={"custom": custom.is_file()}, user=user)
    db.session.flush()
    custom.unlink(missing_ok=True)
    return template_status(kind)


# --- what every document says ----------------------------------------------------------------


def _place() -> str:
    return current_app.config.get("DOCUMENT_PLACE") or "Hà Nội"


def filed_on(lst: AwardList) -> dt.date | None:
    """The day a submitted list's tờ trình (and its nominees' reports) is dated: its last
    submission; a list recorded without its steps (the demo's) the day it was proposed, else
    its decision's; None for a draft (printed the day it is printed)."""
    if lst.state in ("draft", "returned"):
        return None
    at = db.session.scalar(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.action == "submit",
            AuditEntry.object_type == "award_list",
            AuditEntry.object_id == str(lst.id),
        )
    )
    if at is not None:
        return at.date()
    return lst.proposed_at.date() if lst.proposed_at is not None else lst.decision_date


def _common(lst: AwardList, today: dt.date | None = None) -> dict:
    today = today or dt.date.today()
    unit = lst.unit
    return {
        "issuer": unit.name,
        "head_title": head_title(unit.name),
        "parent_issuer": unit.parent.name if unit.parent is not None else "",
        "place": _place(),
        "today": dmy(today),
        "date_line": date_line(_place(), today),
        "year": lst.year,
        "list": {
            "id": lst.id,
            "year": lst.year,
            "unit_code": unit.code,
            "unit_name": unit.name,
            "state_label": STATE_LABELS[lst.state],
        },
    }


def _award_name(catalog: dict, code: str) -> str:
    found = catalog.get(code)
    return found.name if found is not None else code


def _subject_row(stt: int, n: Nomination, catalog: dict) -> dict:
    if n.subject == "person":
        p = n.person
        code, name, unit_name, position = p.code, p.full_name, p.unit.name, p.position or ""
    else:
        u = n.unit
        code, name, position = u.code, u.name, ""
        unit_name = u.parent.name if u.parent is not None else ""
    return {
        "stt": stt,
        "code": code,
        "name": name,
        "unit_name": unit_name,
        "position": position,
        "award": n.award,
        "award_name": _award_name(catalog, n.award),
        "achievements": achievements_text(n.why, n.reason),
    }


def _numbered(noms, catalog) -> tuple[list[dict], list[dict]]:
    persons = [n for n in noms if n.subject == "person"]
    units = [n for n in noms if n.subject == "unit"]
    return (
        [_subject_row(i, n, catalog) for i, n in enumerate(persons, 1)],
        [_subject_row(i, n, catalog) for i, n in enumerate(units, 1)],
    )


def _votable(lst: AwardList) -> list[Nomination]:
    return list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.list_id == lst.id, Nomination.status.in_(VOTABLE))
            .order_by(Nomination.subject, Nomination.award, Nomination.id)
        )
    )


# --- the four kinds --------------------------------------------------------------------------


def to_trinh_context(lst: AwardList, today: dt.date | None = None) -> dict:
    """The submission memo: "I. Cá nhân", "II. Tập thể" of the list's proposals and manual
    nominations (not removed, blocked or over the cap)."""
    catalog = catalog_of(lst.year)
    persons, units = _numbered(_votable(lst), catalog)
    return _common(lst, today or filed_on(lst)) | {
        "persons": persons,
        "units": units,
        "person_count": len(persons),
        "unit_count": len(units),
    }


def quyet_dinh_context(lst: AwardList) -> dict:
    """The decision and its annex: the recipients awarded (awards.lists.decided_awards: the
    proposals and manual nominations the council's vote did not refuse)."""
    if lst.state != "decided" or lst.decision_date is None:
        raise Conflict("Danh sách chưa có quyết định khen thưởng: chưa lập được quyết định.")
    people, units = decided_awards(lst)
    wanted = {("person", pid, code) for pid, codes in people.items() for code in codes}
    wanted |= {("unit", uid, code) for uid, codes in units.items() for code in codes}
    noms = [n for n in _votable(lst) if (n.subject, n.person_id or n.unit_id, n.award) in wanted]
    catalog = catalog_of(lst.year)
    persons, unit_rows = _numbered(noms, catalog)
    counts = Counter(n.award for n in noms)
    place = _place()
    registered = lst.decision  # the decision registry's entry (issuing body, level)
    common = _common(lst, lst.decision_date)
    if registered is not None and registered.issuer:
        common["issuer"] = registered.issuer
        common["head_title"] = head_title(registered.issuer)
    return common | {
        "decision": {
            "no": lst.decision_no,
            "date": dmy(lst.decision_date),
            "signer": lst.decision_signer,
            "date_line": date_line(place, lst.decision_date),
            "level": registered.level_label if registered is not None else "",
        },
        "persons": persons,
        "units": unit_rows,
        "awards": [
            {"award": code, "award_name": _award_name(catalog, code), "count": counts[code]}
            for code in sorted(counts, key=lambda c: (-counts[c], c))
        ],
        "total": len(noms),
    }


def bao_cao_context(nom: Nomination) -> dict:
    """A nominee's achievement report: the reasons and figures the rules produced (`why`), a
    manual nomination's reason, the person's or unit's details."""
    if nom.status not in VOTABLE:
        raise Conflict("Đề nghị này không còn trong danh sách đề nghị khen thưởng.")
    lst = nom.award_list
    catalog = catalog_of(lst.year)
    row = _subject_row(1, nom, catalog)
    person = nom.person if nom.subject == "person" else None
    nominee = {
        **{k: row[k] for k in ("code", "name", "unit_name", "position", "award", "award_name")},
        "is_person": person is not None,
        "subject_label": "Cá nhân" if person is not None else "Tập thể",
        "birth_date": dmy(person.birth_date) if person is not None else "",
        "gender": GENDER_LABELS.get(person.gender, "") if person is not None else "",
        "rule": nom.rule,
    }
    return _common(lst, filed_on(lst)) | {
        "nominee": nominee,
        "achievements": achievement_rows(nom.why),
        "reason": (nom.reason or "").strip(),
    }


def _display_name(user) -> str:
    if user.person is not None:
        return user.person.full_name
    return user.full_name or user.username


def _seat_name(seats, role: str) -> str:
    found = next((m for m in seats if m.role == role), None)
    return _display_name(found.user) if found is not None else ""


def present_count(session: VotingSession) -> int | None:
    """Members present: those in the voter register (secret ballot), the entered count (paper
    ballot; None until entered)."""
    if session.mode == "secret":
        return council.voters_count(session)
    return session.present_count


def bien_ban_context(session: VotingSession, today: dt.date | None = None) -> dict:
    """The council meeting's minutes from the totals and the attendance (C10): per nominee yes,
    no, their share of all members, the award type's threshold and the outcome as
    AwardType.passes decides it. Never who voted what."""
    if not council.shows_totals(session):
        raise Conflict("Biên bản chỉ lập được sau khi đóng phiên bỏ phiếu.")
    lst = session.award_list
    catalog = catalog_of(lst.year)
    found = council.totals(session)  # (yes, no) per nomination, never a voter
    members = session.members_count or 0
    items = []
    for stt, item in enumerate(session.items, 1):
        n = item.nomination
        yes, no = found.get(item.nomination_id, (None, None))
        award = catalog.get(n.award)
        passed = award is not None and yes is not None and award.passes(yes, members)
        row = _subject_row(stt, n, catalog)
        items.append(
            {
                **{k: row[k] for k in ("stt", "code", "name", "unit_name", "award_name")},
                "subject_label": "cá nhân" if n.subject == "person" else "tập thể",
                "yes": "" if yes is None else yes,
                "no": "" if no is None else no,
                "yes_pct": share_text(yes, members),
                "no_pct": share_text(no, members),
                "threshold": (
                    threshold_text(award.vote_pct, award.vote_strict) if award is not None else ""
                ),
                "passed": passed,
                "result": "Đạt" if passed else "Không đạt",
            }
        )
    seats = council.council_members(lst.year, lst.unit_id)
    present = present_count(session)
    day = session.opens_at.date()
    return _common(lst, today or day) | {
        "session": {
            "id": session.id,
            "mode_label": session.mode_label,
            "date": dmy(day),
            "opens_at": session.opens_at.strftime("%d/%m/%Y %H:%M"),
            "closes_at": (session.closed_at or session.closes_at).strftime("%d/%m/%Y %H:%M"),
            "place": session.place or BLANK,
        },
        "chair": _seat_name(seats, "chair"),
        "secretary": _seat_name(seats, "secretary"),
        "members_count": members,
        "present_count": BLANK if present is None else present,
        "absent_count": BLANK if present is None else max(members - present, 0),
        "items": items,
        "passed_count": sum(1 for i in items if i["passed"]),
        "failed_count": sum(1 for i in items if not i["passed"]),
    }


# --- rendering and names ---------------------------------------------------------------------


def render(kind: DocKind, context: dict) -> bytes:
    """The kind's template filled with `context`; a replaced template that fails while filling
    answers 409 (its administrator fixes it or resets it to the shipped one)."""
    try:
        return render_docx(template_bytes(kind), context)
    except TemplateError as err:
        raise Conflict(
            f"{err} Quản trị viên cần sửa mẫu «{kind.title}» hoặc trở lại mẫu gốc."
        ) from None


def list_document(lst: AwardList, kind: DocKind) -> tuple[bytes, str]:
    """(.docx bytes, ASCII file name) of a list's tờ trình or quyết định."""
    if kind.key == "to_trinh":
        context = to_trinh_context(lst)
    elif kind.key == "quyet_dinh":
        context = quyet_dinh_context(lst)
    else:
        raise NotFound("Loại văn bản này không lập theo danh sách.")
    name = f"{kind.key}_{lst.year}_{ascii_slug(lst.unit.code)}.docx"
    return render(kind, context), name


def nomination_document(nom: Nomination) -> tuple[bytes, str]:
    kind = KINDS["bao_cao_thanh_tich"]
    context = bao_cao_context(nom)
    who = context["nominee"]
    name = f"{kind.key}_{nom.year}_{ascii_slug(who['code'])}_{ascii_slug(nom.award)}.docx"
    return render(kind, context), name


def session_document(session: VotingSession) -> tuple[bytes, str]:
    kind = KINDS["bien_ban"]
    context = bien_ban_context(session)
    lst = session.award_list
    name = f"{kind.key}_{lst.year}_{ascii_slug(lst.unit.code)}_phien{session.id}.docx"
    return render(kind, context), name


# --- the minutes' details of a session -------------------------------------------------------


def set_minutes(user, session: VotingSession, data: dict) -> VotingSession:
    """The meeting's place, and for a paper ballot the members present (at most all members,
    at least the most ballots counted on one nomination). The committee of the unit or the
    council's chair or secretary; audited (counts only)."""
    if not council.may_count(user, session):
        raise Forbidden(
            "Chỉ hội đồng/ban thi đua, chủ tịch hoặc thư ký hội đồng được ghi biên bản."
        )
    if session.award_list.state == "decided":
        raise Conflict(
            "Danh sách đã có quyết định khen thưởng: biên bản của phiên bỏ phiếu đã khóa, "
            "không sửa được."
        )
    place = (data.get("place") or "").strip()
    present = data.get("present_count")
    errors: dict[str, list[str]] = {}
    if len(place) > 300:
        errors["place"] = ["Địa điểm tối đa 300 ký tự."]
    if present is not None:
        members = session.members_count
        counted = max(((i.yes or 0) + (i.no or 0) for i in session.items), default=0)
        if session.mode != "paper":
            errors["present_count"] = [
                "Phiên bỏ phiếu kín: số thành viên có mặt là số người đã bỏ phiếu."
            ]
        elif members is None:
            errors["present_count"] = ["Phiên chưa mở: chưa có số thành viên hội đồng."]
        elif not counted <= present <= members:
            errors["present_count"] = [
                f"Số thành viên có mặt phải từ {counted} (số phiếu đã kiểm) đến {members} "
                "(tổng số thành viên hội đồng)."
            ]
    if errors:
        raise ValidationError("Thông tin biên bản không hợp lệ.", errors)
    before = {"place": session.place, "present_count": session.present_count}
    session.place = place or None
    if session.mode == "paper":
        session.present_count = present
    db.session.flush()
    after = {"place": session.place, "present_count": session.present_count}
    record(
        "minutes", "voting_session", session.id, before=before, after=after,
        unit_id=session.award_list.unit_id, user=user,
    )  # fmt: skip
    return session
