"""The public consultation before state-level commendations (issue 13 item 3). A list holding a
nomination (proposed or manual) of an award type marked state_level in the year's catalog must
first be published for consultation ("Công bố lấy ý kiến") and cannot be submitted (C11) until
CONSULTATION_WORKING_DAYS working days have passed after the publication day (see
awards.rules.workdays for the counting); comments received meanwhile are recorded with it.

`today()` is the one clock of this module (tests move it); the window's end is computed from
the current calendar at each check, and kept stored in step (`refresh_windows`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from awards.catalog_year import catalog_of
from awards.consultation_models import Consultation, ConsultationComment
from awards.holidays import holiday_days
from awards.models import AwardList, Nomination
from awards.rules.dates import dmy_or_none as _dmy
from awards.rules.workdays import CONSULTATION_WORKING_DAYS, window_end, working_days_left
from awards.workflow import EDITABLE, STATE_LABELS
from service.audit.operations import record
from service.auth.access import can
from service.common.errors import Conflict, Forbidden, ValidationError
from service.extensions import db

PUBLISH = "Công bố lấy ý kiến"
VOTABLE = ("proposed", "manual")


def today() -> dt.date:
    return dt.date.today()


def state_level_codes(year: int) -> list[str]:
    return [code for code, t in catalog_of(year).items() if t.state_level]


def state_level_awards(lst: AwardList) -> list[str]:
    """The state-level codes held by a non-removed nomination of the list."""
    codes = state_level_codes(lst.year)
    if not codes:
        return []
    return list(
        db.session.scalars(
            select(Nomination.award)
            .where(
                Nomination.list_id == lst.id,
                Nomination.status.in_(VOTABLE),
                Nomination.award.in_(codes),
            )
            .distinct()
            .order_by(Nomination.award)
        )
    )


def consultation_of(lst: AwardList) -> Consultation | None:
    return db.session.scalar(select(Consultation).where(Consultation.list_id == lst.id))


def _holidays_from(day: dt.date) -> set[dt.date]:
    # 7 working days never run past the next year's calendar
    return holiday_days([day.year, day.year + 1])


def ends_on(c: Consultation) -> dt.date:
    """The last day of the window by the current calendar."""
    return window_end(c.published_on, c.window_days, _holidays_from(c.published_on))


def may_publish(user, lst: AwardList) -> bool:
    return lst.state in EDITABLE and can(user, "award.submit", lst.unit)


def publish(user, lst: AwardList) -> Consultation:
    """ "Công bố lấy ý kiến": staff who may submit the list, while it is draft or returned, and
    only for a list holding a state-level nomination; once per list. Records when and who;
    audited."""
    if not can(user, "award.submit", lst.unit):
        raise Forbidden()
    if lst.state not in EDITABLE:
        raise Conflict(
            f"Không thể «{PUBLISH}» khi danh sách ở trạng thái «{STATE_LABELS[lst.state]}»."
        )
    codes = state_level_awards(lst)
    if not codes:
        raise Conflict(
            "Danh sách không có đề nghị khen thưởng cấp Nhà nước: không cần lấy ý kiến công khai."
        )
    found = consultation_of(lst)
    if found is not None:
        raise Conflict(
            f"Danh sách đã được công bố lấy ý kiến ngày {_dmy(found.published_on)} "
            f"(đến hết ngày {_dmy(ends_on(found))})."
        )
    day = today()
    c = Consultation(
        list_id=lst.id, published_at=dt.datetime.now(), published_on=day,
        published_by_id=user.id, window_days=CONSULTATION_WORKING_DAYS,
        ends_on=window_end(day, CONSULTATION_WORKING_DAYS, _holidays_from(day)),
    )  # fmt: skip
    db.session.add(c)
    db.session.flush()
    after = {
        "published_on": _dmy(day),
        "window_days": c.window_days,
        "ends_on": _dmy(c.ends_on),
        "awards": codes,
    }
    record(
        "publish_consultation", "award_list", lst.id, after=after, unit_id=lst.unit_id, user=user
    )
    return c


def submit_block(lst: AwardList) -> str | None:
    """A check of awards.lists.SUBMIT_CHECKS: why a list with a state-level nomination cannot
    be submitted yet (not published, or the window not over), else None."""
    codes = state_level_awards(lst)
    if not codes:
        return None
    c = consultation_of(lst)
    if c is None:
        return (
            f"Danh sách có đề nghị khen thưởng cấp Nhà nước ({', '.join(codes)}): cần «{PUBLISH}» "
            f"và chờ hết {CONSULTATION_WORKING_DAYS} ngày làm việc trước khi gửi duyệt."
        )
    end = ends_on(c)
    if today() <= end:
        return (
            f"Chưa hết thời gian lấy ý kiến: {c.window_days} ngày làm việc từ sau ngày công bố "
            f"{_dmy(c.published_on)}, đến hết ngày {_dmy(end)}."
        )
    return None


def _comment_errors(c: Consultation, data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for f, label in (("author_name", "Người góp ý"), ("content", "Nội dung")):
        if not (data.get(f) or "").strip():
            errors[f] = [f"{label} không được để trống."]
    day = data.get("received_on")
    if day is None:
        errors["received_on"] = ["Cần nhập ngày nhận (dd/mm/yyyy)."]
    elif day < c.published_on:
        errors["received_on"] = [f"Trước ngày công bố ({_dmy(c.published_on)})."]
    elif day > today():
        errors["received_on"] = ["Ngày nhận không được sau hôm nay."]
    return errors


def add_comment(user, lst: AwardList, data: dict) -> ConsultationComment:
    """Record a comment received during the consultation (staff who may submit the list):
    who commented (name, unit or address), what, the day received; audited."""
    if not can(user, "award.submit", lst.unit):
        raise Forbidden()
    c = consultation_of(lst)
    if c is None:
        raise Conflict("Danh sách chưa được công bố lấy ý kiến.")
    if lst.state == "decided":
        raise Conflict("Danh sách đã có quyết định khen thưởng: đã khóa, không thay đổi được.")
    errors = _comment_errors(c, data)
    if errors:
        raise ValidationError("Dữ liệu không hợp lệ.", errors)
    row = ConsultationComment(
        consultation_id=c.id,
        author_name=data["author_name"].strip(),
        author_address=(data.get("author_address") or "").strip(),
        content=data["content"].strip(),
        received_on=data["received_on"],
        created_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    after = {
        "list": lst.id,
        "author_name": row.author_name,
        "author_address": row.author_address,
        "content": row.content,
        "received_on": _dmy(row.received_on),
    }
    record("comment", "consultation_comment", row.id, after=after, unit_id=lst.unit_id, user=user)
    return row


def comment_out(row: ConsultationComment) -> dict:
    return {
        "id": row.id,
        "author_name": row.author_name,
        "author_address": row.author_address,
        "content": row.content,
        "received_on": row.received_on,
        "entered_by": row.created_by.username if row.created_by else None,
        "entered_at": row.created_at,
    }


def state_out(user, lst: AwardList) -> dict:
    """The consultation of the list as the API and the card read it."""
    codes = state_level_awards(lst)
    c = consultation_of(lst)
    out = {
        "list_id": lst.id,
        "needed": bool(codes),
        "awards": codes,
        "published": c is not None,
        "published_at": c.published_at if c else None,
        "published_on": c.published_on if c else None,
        "published_by": c.published_by.username if c and c.published_by else None,
        "window_days": c.window_days if c else CONSULTATION_WORKING_DAYS,
        "ends_on": None,
        "days_left": None,
        "elapsed": False,
        "may_publish": bool(codes) and c is None and may_publish(user, lst),
        "may_comment": c is not None
        and lst.state != "decided"
        and can(user, "award.submit", lst.unit),
        "comments": [comment_out(r) for r in c.comments] if c else [],
    }
    if c is not None:
        holidays = _holidays_from(c.published_on)
        now = today()
        end = window_end(c.published_on, c.window_days, holidays)
        out["ends_on"] = end
        out["days_left"] = working_days_left(c.published_on, c.window_days, now, holidays)
        out["elapsed"] = now > end
    return out


def refresh_windows(year: int) -> None:
    """After the holidays of `year` changed: the stored end of each window published in that
    year or the one before follows the calendar."""
    found = db.session.scalars(
        select(Consultation).where(
            Consultation.published_on >= dt.date(year - 1, 1, 1),
            Consultation.published_on <= dt.date(year, 12, 31),
        )
    )
    for c in found:
        end = ends_on(c)
        if c.ends_on != end:
            before = {"ends_on": _dmy(c.ends_on)}
            c.ends_on = end
            record("reschedule_consultation", "award_list", c.list_id, before=before,
                   after={"ends_on": _dmy(end)})  # fmt: skip
    db.session.flush()
