"""Named actions of the council and its secret ballot (RULES.md C10): add and remove council
members; create, open, close and publish a voting session on an award list; enter a paper
ballot's totals; cast a member's vote. Each validates, authorizes, changes, audits and flushes;
the request boundary commits. No function here returns, logs or audits how a member voted:
the voter register says who voted, the ballots what was voted, and nothing links the two:
while a session is open its ballots are sealed (awards.ballot_box), and closing it opens the
box into one random order over all members."""

from __future__ import annotations

import datetime as dt
import secrets
from types import SimpleNamespace

from flask import current_app, g, has_request_context
from sqlalchemy import delete, func, insert, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from awards import ballot_box
from awards.catalog_year import catalog_of
from awards.council_models import (
    ROLE_LABELS,
    STATE_LABELS,
    Ballot,
    CouncilMember,
    SealedBallot,
    VoterRecord,
    VotingItem,
    VotingSession,
    random_id,
)
from awards.models import AwardList, Nomination
from awards.nominees import first_named, waiting_on
from service.audit.operations import record
from service.auth.access import can
from service.auth.models import User
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.common.queries import bulk_insert_values, search_clause
from service.extensions import db
from service.org.models import Person, Unit

VOTABLE = ("proposed", "manual")  # the nominations a council votes on
UNSETTLED = ("open", "closed")  # a session whose members and ballot may no longer change
LOCKED_LISTS = ("approved", "decided")
BALLOT_PAGE = 50  # rows of a ballot per page of the session page
STALE = "Phiên bỏ phiếu vừa được người khác thay đổi: tải lại để xem trạng thái hiện tại."


def now() -> dt.datetime:
    """The server's local time, as every datetime of the service (tests replace it)."""
    return dt.datetime.now()


# --- reading ---------------------------------------------------------------------------------


def council_members(year: int, unit_id: int) -> list[CouncilMember]:
    """The council of a unit and year: chair, secretary, then members, by username."""
    order = {"chair": 0, "secretary": 1, "member": 2}
    rows = db.session.scalars(
        select(CouncilMember)
        .where(CouncilMember.year == year, CouncilMember.unit_id == unit_id)
        .options(joinedload(CouncilMember.user))
    ).all()
    return sorted(rows, key=lambda m: (order[m.role], m.user.username))


def count_members(year: int, unit_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(CouncilMember)
        .where(CouncilMember.year == year, CouncilMember.unit_id == unit_id)
    )


def membership(user, award_list: AwardList) -> CouncilMember | None:
    """The user's seat on the council that votes on `award_list`, if any. Within a request it
    is read once (a vote asks twice: may the user see the session, may they vote); adding or
    removing a member forgets what the request read."""
    if not (user and user.is_authenticated):
        return None
    key = (user.id, award_list.year, award_list.unit_id)
    seats = g.setdefault(_SEATS, {}) if has_request_context() else {}
    if key not in seats:
        seats[key] = db.session.scalar(
            select(CouncilMember).where(
                CouncilMember.year == award_list.year,
                CouncilMember.unit_id == award_list.unit_id,
                CouncilMember.user_id == user.id,
            )
        )
    return seats[key]


_SEATS = "council_seats"


def _forget_seats() -> None:
    if has_request_context():
        g.pop(_SEATS, None)


def may_read_council(user, unit) -> bool:
    return can(user, "council.manage", unit) or can(user, "award.read", unit)


def may_read_session(user, session: VotingSession) -> bool:
    unit = session.award_list.unit
    return may_read_council(user, unit) or membership(user, session.award_list) is not None


def may_count(user, session: VotingSession) -> bool:
    """Paper totals: the committee of the unit, or the council's chair or secretary."""
    if can(user, "council.manage", session.award_list.unit):
        return True
    seat = membership(user, session.award_list)
    return seat is not None and seat.role in ("chair", "secretary")


def visible_session(user, session_id: int) -> VotingSession:
    """A session the user may see (committee, readers of awards in the unit, its council's
    members); anything else is 404."""
    session = db.session.scalar(
        select(VotingSession)
        .where(VotingSession.id == session_id)
        .options(joinedload(VotingSession.award_list).joinedload(AwardList.unit))
    )
    if session is None or not may_read_session(user, session):
        raise NotFound("Không tìm thấy phiên bỏ phiếu.")
    return session


def visible_list(user, list_id: int) -> AwardList:
    award_list = db.session.scalar(
        select(AwardList).where(AwardList.id == list_id).options(joinedload(AwardList.unit))
    )
    if award_list is None or not (
        may_read_council(user, award_list.unit) or membership(user, award_list) is not None
    ):
        raise NotFound("Không tìm thấy danh sách khen thưởng.")
    return award_list


def visible_member(user, member_id: int) -> CouncilMember:
    member = db.session.get(CouncilMember, member_id)
    if member is None or not may_read_council(user, member.unit):
        raise NotFound("Không tìm thấy thành viên hội đồng.")
    return member


def sessions_of(award_list: AwardList) -> list[VotingSession]:
    return db.session.scalars(
        select(VotingSession)
        .where(VotingSession.list_id == award_list.id)
        .order_by(VotingSession.id.desc())
    ).all()


def votable_nominations(award_list: AwardList) -> list[Nomination]:
    return db.session.scalars(
        select(Nomination)
        .where(Nomination.list_id == award_list.id, Nomination.status.in_(VOTABLE))
        .options(joinedload(Nomination.person), joinedload(Nomination.unit))
        .order_by(Nomination.subject, Nomination.award, Nomination.id)
    ).all()


def past_closing(session: VotingSession, at: dt.datetime | None = None) -> bool:
    """An open session whose closing time has come: no ballot is taken any more (in_window),
    so it counts as closed; the next step on it (close, publish, paper totals) records the
    close first."""
    return session.state == "open" and (at or now()) >= session.closes_at


def effective_state(session: VotingSession) -> str:
    """The session's state as users see it: "closed" from the closing time on."""
    return "closed" if past_closing(session) else session.state


def shows_totals(session: VotingSession) -> bool:
    """Totals are told only once the vote is over (C10): closed, published, or past its
    closing time."""
    return effective_state(session) in ("closed", "published")


def totals(session: VotingSession) -> dict[int, tuple[int, int]]:
    """nomination id -> (yes, no), for a closed or published session only: the ballots'
    counts (secret) or the entered totals (paper; published: the stored counts)."""
    if not shows_totals(session):
        raise Forbidden("Kết quả chỉ được công bố sau khi đóng phiên bỏ phiếu.")
    if session.mode == "paper" or session.state == "published":
        return {i.nomination_id: (i.yes, i.no) for i in session.items if i.yes is not None}
    counted = {i.nomination_id: [0, 0] for i in session.items}
    rows = db.session.execute(
        select(Ballot.nomination_id, Ballot.yes, func.count())
        .where(Ballot.session_id == session.id)
        .group_by(Ballot.nomination_id, Ballot.yes)
    )
    for nomination_id, yes, n in rows:
        counted[nomination_id][0 if yes else 1] += n
    # past its closing time but not yet closed by anyone: the box is still sealed, and is
    # counted here without being opened in the database (a read writes nothing)
    sealed = [choices for _, choices in _sealed(session.id)]
    for nomination_id, (yes, no) in ballot_box.tally(sealed).items():
        if nomination_id in counted:  # an item deleted since (its nomination): not counted
            counted[nomination_id][0] += yes
            counted[nomination_id][1] += no
    return {k: (v[0], v[1]) for k, v in counted.items()}


def _box_keys(session_id: int) -> list[bytes]:
    """The session box's key under SECRET_KEY (sealing and opening), then under each of
    SECRET_KEY_FALLBACKS (opening only: a key rotated while a session was open)."""
    config = current_app.config
    secrets_ = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return [ballot_box.box_key(secret, session_id) for secret in secrets_ if secret]


UNREADABLE = (
    "Không mở được hòm phiếu kín của phiên này: khóa bí mật của máy chủ (SECRET_KEY) đã thay "
    "đổi từ khi phiên mở, hoặc phiếu đã bị sửa trong cơ sở dữ liệu. Đặt lại khóa cũ (hoặc thêm "
    "nó vào SECRET_KEY_FALLBACKS) rồi thử lại."
)


def _sealed(session_id: int) -> list[tuple[str, list[tuple[int, bool]]]]:
    """(row key, choices) of every sealed ballot of the session (none once its box is
    opened); a ballot that opens under none of the server's keys is refused (UNREADABLE)."""
    rows = db.session.execute(
        select(SealedBallot.id, SealedBallot.sealed).where(SealedBallot.session_id == session_id)
    ).all()
    if not rows:
        return []
    keys = _box_keys(session_id)
    return [(ballot_id, _unseal(keys, session_id, ballot_id, blob)) for ballot_id, blob in rows]


def _unseal(keys: list[bytes], session_id: int, ballot_id: str, blob: bytes):
    for key in keys:
        try:
            return ballot_box.unseal(key, session_id, ballot_id, blob)
        except ballot_box.UnreadableBallot:
            continue
    raise ValidationError(UNREADABLE)


def _check_box(session: VotingSession, sealed: list) -> None:
    """At closing: one sealed ballot per member in the register (a row copied or deleted in
    the database, or a vote lost, refuses the close). A session opened before ballots were
    sealed holds its earlier ballots in the clear and is not checked."""
    voters = voters_count(session)
    if voters == len(sealed):
        return
    clear = db.session.scalar(select(Ballot.id).where(Ballot.session_id == session.id).limit(1))
    if clear is None:
        raise ValidationError(
            f"Hòm phiếu không khớp sổ bỏ phiếu: {voters} thành viên đã bỏ phiếu nhưng có "
            f"{len(sealed)} phiếu niêm phong. Chưa đóng phiên; báo quản trị hệ thống kiểm tra."
        )


def _open_box(session_id: int, sealed: list[tuple[str, list[tuple[int, bool]]]]) -> None:
    """At closing: the sealed ballots' choices (`sealed`, _sealed) written as Ballot rows in
    the order of fresh random keys (one random order over all members, every row written by
    this transaction), then those sealed rows deleted."""
    if not sealed:
        return
    on_ballot = set(
        db.session.scalars(
            select(VotingItem.nomination_id).where(VotingItem.session_id == session_id)
        )
    )  # an item deleted since (with its nomination) takes its choices along, as its ballots
    ballots = [[c for c in choices if c[0] in on_ballot] for _, choices in sealed]
    count = sum(len(b) for b in ballots)
    keys = secrets.token_hex(16 * count)
    rows = ballot_box.mixed(ballots, [keys[32 * i : 32 * i + 32] for i in range(count)])
    bulk_insert_values(
        Ballot.__table__,
        ["id", "session_id", "nomination_id", "yes"],
        [(k, session_id, nid, yes) for k, nid, yes in rows],
    )
    opened = [ballot_id for ballot_id, _ in sealed]
    db.session.execute(delete(SealedBallot).where(SealedBallot.id.in_(opened)))


def voters_count(session: VotingSession) -> int:
    """How many members have voted (not who, not how)."""
    return db.session.scalar(
        select(func.count()).select_from(VoterRecord).where(VoterRecord.session_id == session.id)
    )


def has_voted(user, session: VotingSession) -> bool:
    return (
        db.session.scalar(
            select(VoterRecord.id).where(
                VoterRecord.session_id == session.id, VoterRecord.user_id == user.id
            )
        )
        is not None
    )


def before_opening(session: VotingSession, at: dt.datetime | None = None) -> bool:
    """An opened secret session whose voting window (C10) has not begun: nobody can have
    voted yet."""
    at = at or now()
    return session.state == "open" and session.mode == "secret" and at < session.opens_at


def in_window(session: VotingSession, at: dt.datetime | None = None) -> bool:
    at = at or now()
    return session.state == "open" and session.opens_at <= at < session.closes_at


def own_nomination(user, nomination: Nomination) -> bool:
    """A member who is the nominee does not vote on that nomination."""
    return (
        nomination.subject == "person"
        and user.person_id is not None
        and nomination.person_id == user.person_id
    )


def ballot_of(user, session: VotingSession) -> list[VotingItem]:
    """The items `user` votes on: the frozen ballot without their own nominations."""
    items = _ballot_items(session, None, 0)
    return [i for i in items if not own_nomination(user, i.nomination)]


def ballot_views(user, session: VotingSession) -> list[dict]:
    """The items `user` votes on as the ballot shows them (nominee, award, reason)."""
    catalog = catalog_of(session.award_list.year)
    return [nomination_view(i.nomination, catalog) for i in ballot_of(user, session)]


def pending_ballots(user) -> list[VotingSession]:
    """Open secret sessions, within their window, of the councils the user sits on, where the
    user has not voted yet."""
    at = now()
    voted = select(VoterRecord.session_id).where(VoterRecord.user_id == user.id)
    return db.session.scalars(
        select(VotingSession)
        .join(AwardList, AwardList.id == VotingSession.list_id)
        .join(
            CouncilMember,
            (CouncilMember.year == AwardList.year)
            & (CouncilMember.unit_id == AwardList.unit_id)
            & (CouncilMember.user_id == user.id),
        )
        .where(
            VotingSession.state == "open",
            VotingSession.mode == "secret",
            VotingSession.opens_at <= at,
            VotingSession.closes_at > at,
            VotingSession.id.not_in(voted),
        )
        .options(joinedload(VotingSession.award_list).joinedload(AwardList.unit))
        .order_by(VotingSession.closes_at)
    ).all()


def _unpublished(award_list: AwardList) -> VotingSession | None:
    """The list's latest voting session not yet published, if any."""
    return db.session.scalar(
        select(VotingSession)
        .where(VotingSession.list_id == award_list.id, VotingSession.state != "published")
        .order_by(VotingSession.id.desc())
        .limit(1)
    )


def approval_block(award_list: AwardList) -> str | None:
    """Why `award_list` cannot be approved yet because of its council vote (C10: the council
    votes on every nomination, each award type has its threshold): a voting session not yet
    published, or a nomination no published vote has decided (a list never put to the vote,
    or a nomination added after the vote, as on a returned list: a new session, secret or
    paper, puts it to the vote). None when every nomination has its result."""
    waiting = _unpublished(award_list)
    if waiting is not None:
        return (
            "Danh sách đang chờ kết quả bỏ phiếu của hội đồng (phiên "
            f"«{STATE_LABELS[waiting.state]}»): chỉ phê duyệt được sau khi kết quả được công bố."
        )
    unvoted = waiting_on(award_list.id, Nomination.passed.is_(None))
    if not unvoted:
        return None
    catalog = catalog_of(award_list.year)
    named = first_named(unvoted, lambda n: _nominee(n, catalog))
    return (
        f"Còn {len(unvoted)} đề nghị chưa được hội đồng thi đua, khen thưởng bỏ phiếu ({named}): "
        "tạo và mở một phiên bỏ phiếu (bỏ phiếu kín, hoặc nhập kết quả phiếu giấy), công bố "
        "kết quả, rồi mới phê duyệt."
    )


def _nominee(n: Nomination, catalog: dict) -> str:
    who = n.person.full_name if n.person is not None else n.unit.name
    award = catalog.get(n.award)
    return f"{who}: {award.name if award is not None else n.award}"


# --- council members -------------------------------------------------------------------------


def _unsettled(year: int, unit_id: int) -> VotingSession | None:
    return db.session.scalar(
        select(VotingSession)
        .join(AwardList, AwardList.id == VotingSession.list_id)
        .where(
            AwardList.year == year,
            AwardList.unit_id == unit_id,
            VotingSession.state.in_(UNSETTLED),
        )
        .limit(1)
    )


def _check_council_editable(year: int, unit_id: int) -> None:
    if _unsettled(year, unit_id) is not None:
        raise Conflict(
            "Hội đồng đang có phiên bỏ phiếu đã mở và chưa công bố kết quả: không thể thay đổi "
            "thành viên cho đến khi công bố."
        )


def member_snapshot(m: CouncilMember) -> dict:
    return {
        "year": m.year,
        "unit_code": m.unit.code,
        "username": m.user.username,
        "role": m.role,
    }


def add_member(user, unit, year: int, username: str, role: str) -> CouncilMember:
    """Seat an account on the council of `unit` for `year` (one chair, one secretary)."""
    if not can(user, "council.manage", unit):
        raise Forbidden("Chỉ hội đồng/ban thi đua của đơn vị được quản lý thành viên hội đồng.")
    if role not in ROLE_LABELS:
        raise ValidationError(fields={"role": ["Vai trò phải là chair, secretary hoặc member."]})
    if not 2000 <= year <= 2100:
        raise ValidationError(fields={"year": ["Năm phải trong khoảng 2000–2100."]})
    account = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if account is None or not account.active:
        raise ValidationError(fields={"username": ["Không có tài khoản đang hoạt động này."]})
    _check_council_editable(year, unit.id)
    seats = council_members(year, unit.id)
    if any(m.user_id == account.id for m in seats):
        raise Conflict(f"{account.username} đã là thành viên hội đồng năm {year}.")
    if role != "member" and any(m.role == role for m in seats):
        raise Conflict(f"Hội đồng năm {year} đã có {ROLE_LABELS[role].lower()}.")
    member = CouncilMember(year=year, unit=unit, user=account, role=role)
    db.session.add(member)
    db.session.flush()
    _forget_seats()
    record("create", "council_member", member.id, after=member_snapshot(member), unit_id=unit.id)
    return member


def remove_member(user, member: CouncilMember) -> None:
    if not can(user, "council.manage", member.unit):
        raise Forbidden("Chỉ hội đồng/ban thi đua của đơn vị được quản lý thành viên hội đồng.")
    _check_council_editable(member.year, member.unit_id)
    before = member_snapshot(member)
    record("delete", "council_member", member.id, before=before, unit_id=member.unit_id)
    db.session.delete(member)
    db.session.flush()
    _forget_seats()


# --- voting sessions -------------------------------------------------------------------------


def session_snapshot(s: VotingSession) -> dict:
    return {
        "list_id": s.list_id,
        "mode": s.mode,
        "state": s.state,
        "opens_at": s.opens_at,
        "closes_at": s.closes_at,
        "members_count": s.members_count,
    }


def _require_manage(user, award_list: AwardList) -> None:
    if not can(user, "council.manage", award_list.unit):
        raise Forbidden("Chỉ hội đồng/ban thi đua của đơn vị được điều hành phiên bỏ phiếu.")


def _check_window(opens_at, closes_at) -> None:
    if opens_at is None or closes_at is None:
        raise ValidationError(
            "Cần thời điểm mở và đóng phiên.",
            {"opens_at": ["Bắt buộc."], "closes_at": ["Bắt buộc."]},
        )
    if closes_at <= opens_at:
        raise ValidationError(
            "Thời điểm đóng phải sau thời điểm mở.",
            {"closes_at": ["Thời điểm đóng phải sau thời điểm mở."]},
        )


def create_session(user, award_list: AwardList, mode: str, opens_at, closes_at) -> VotingSession:
    """A voting session (draft) on a list that is not yet approved, one unpublished at a time,
    once the council has members and the list has nominations to vote on."""
    _require_manage(user, award_list)
    if mode not in ("secret", "paper"):
        raise ValidationError(fields={"mode": ["Hình thức phải là secret hoặc paper."]})
    _check_window(opens_at, closes_at)
    if closes_at <= now():  # it could never be opened, and would hold the list's next session
        past = (
            f"Thời điểm đóng phiên {closes_at:%d/%m/%Y %H:%M} đã qua: chọn thời gian bỏ phiếu "
            "từ bây giờ trở đi."
        )
        raise ValidationError(past, {"closes_at": [past]})
    if award_list.state in LOCKED_LISTS:
        raise ValidationError("Danh sách đã phê duyệt hoặc đã có quyết định: không bỏ phiếu nữa.")
    if _unpublished(award_list) is not None:
        raise Conflict("Danh sách đã có một phiên bỏ phiếu chưa công bố kết quả.")
    # a session that could never be opened would hold the list's approval for good
    if count_members(award_list.year, award_list.unit_id) == 0:
        raise ValidationError(
            f"Hội đồng thi đua, khen thưởng năm {award_list.year} của {award_list.unit.name} "
            "chưa có thành viên: thêm thành viên ở trang «Hội đồng» trước khi tạo phiên."
        )
    if not votable_nominations(award_list):
        raise ValidationError("Danh sách chưa có đề nghị nào để bỏ phiếu.")
    session = VotingSession(
        award_list=award_list, mode=mode, opens_at=opens_at, closes_at=closes_at, version=1
    )
    session.state = "draft"
    db.session.add(session)
    db.session.flush()
    unit_id = award_list.unit_id
    record("create", "voting_session", session.id, after=session_snapshot(session), unit_id=unit_id)
    return session


def delete_session(user, session: VotingSession, version: int | None = None) -> None:
    """Delete a session created by mistake (wrong times or mode): one never opened, or a
    secret one opened before its voting time that nobody has voted in (its frozen ballot goes
    with it); one whose voting has begun stays (409). Audited."""
    award_list = session.award_list
    _require_manage(user, award_list)
    if version is not None and version != session.version:
        raise Conflict(STALE)
    before, session_id, at = session_snapshot(session), session.id, now()
    unvoted = ~select(VoterRecord.id).where(VoterRecord.session_id == session.id).exists()
    early = (VotingSession.state == "open") & (VotingSession.mode == "secret")
    early = early & (VotingSession.opens_at > at) & unvoted
    done = db.session.execute(
        delete(VotingSession)
        .where(VotingSession.id == session.id, (VotingSession.state == "draft") | early)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise Conflict(
            f"Phiên bỏ phiếu đang ở trạng thái «{STATE_LABELS[session.state]}»: chỉ xóa được "
            "phiên chưa mở, hoặc đã mở nhưng chưa đến giờ bỏ phiếu."
        )
    db.session.expunge(session)
    record("delete", "voting_session", session_id, before=before, unit_id=award_list.unit_id)


def _move(session: VotingSession, frm: str, to: str, version: int | None, **values) -> None:
    """The state change, only if the session is still in `frm` (and at `version` when given):
    of two racing changes one finds no row (409)."""
    if session.state == to:  # done already (another window, or a second click)
        raise Conflict(f"Phiên bỏ phiếu đã ở trạng thái «{STATE_LABELS[to]}»: không cần làm lại.")
    if session.state != frm:
        raise Conflict(
            f"Phiên bỏ phiếu đang ở trạng thái «{STATE_LABELS[session.state]}»: không thể chuyển "
            f"sang «{STATE_LABELS[to]}»."
        )
    if version is not None and version != session.version:
        raise Conflict(STALE)
    where = [VotingSession.id == session.id, VotingSession.state == frm]
    if version is not None:
        where.append(VotingSession.version == version)
    done = db.session.execute(
        update(VotingSession)
        .where(*where)
        .values(state=to, version=VotingSession.version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise Conflict(STALE)
    db.session.refresh(session)


def open_session(user, session: VotingSession, version: int | None = None) -> VotingSession:
    """Open the vote: the ballot (the list's votable nominations) and the number of council
    members are frozen from now on."""
    award_list = session.award_list
    _require_manage(user, award_list)
    if award_list.state in LOCKED_LISTS:
        raise ValidationError("Danh sách đã phê duyệt hoặc đã có quyết định: không bỏ phiếu nữa.")
    nominations = votable_nominations(award_list)
    if not nominations:
        raise ValidationError("Danh sách chưa có đề nghị nào để bỏ phiếu.")
    members = count_members(award_list.year, award_list.unit_id)
    if members == 0:
        raise ValidationError(f"Hội đồng năm {award_list.year} của đơn vị chưa có thành viên.")
    if session.mode == "secret" and now() >= session.closes_at:
        raise ValidationError("Thời điểm đóng phiên đã qua: tạo phiên mới với thời gian khác.")
    before = session_snapshot(session)
    _move(session, "draft", "open", version, members_count=members)
    for position, n in enumerate(nominations):
        db.session.add(VotingItem(session_id=session.id, nomination_id=n.id, position=position))
    db.session.flush()
    db.session.refresh(session, ["items"])
    after = session_snapshot(session) | {"nomination_ids": [n.id for n in nominations]}
    record(
        "open", "voting_session", session.id, before=before, after=after, unit_id=award_list.unit_id
    )
    return session


def close_session(user, session: VotingSession, version: int | None = None) -> VotingSession:
    """End the vote (also before its closing time, not before its opening time: a secret
    session closed before anyone could vote would publish every nomination as refused);
    totals become readable."""
    _require_manage(user, session.award_list)
    if session.state == "open" and session.mode == "secret" and now() < session.opens_at:
        raise ValidationError(
            f"Phiên bỏ phiếu kín chưa đến giờ mở ({session.opens_at:%d/%m/%Y %H:%M}): chưa "
            "thành viên nào bỏ phiếu được, nên chưa đóng được phiên; đóng được từ giờ mở."
        )
    _record_close(session, version, at_closing_time=False)
    return session


def _record_close(session: VotingSession, version: int | None, at_closing_time: bool) -> None:
    before = session_snapshot(session)
    # the state first: its row lock waits for a vote in flight (its statement holds the row
    # FOR SHARE) and refuses any later one; then every committed ballot is in the box. A box
    # that does not open or does not match the register raises: the request rolls back
    ended = session.closes_at if at_closing_time else min(now(), session.closes_at)
    _move(session, "open", "closed", version, closed_at=ended)
    sealed = _sealed(session.id)
    _check_box(session, sealed)
    _open_box(session.id, sealed)
    after = session_snapshot(session) | {"voters": voters_count(session)}
    if at_closing_time:
        after["closed_at_closing_time"] = True
    record("close", "voting_session", session.id, before=before, after=after,
           unit_id=session.award_list.unit_id)  # fmt: skip


def _close_if_due(session: VotingSession, version: int | None) -> int | None:
    """Record the close of a session past its closing time (the version it then has)."""
    if not past_closing(session):
        return version
    _record_close(session, version, at_closing_time=True)
    return None if version is None else session.version


def nominee_label(n: Nomination) -> str:
    """«Họ tên (mã)» of a nomination's person or unit, as a clerk tells them apart."""
    if n.subject == "person":
        return f"{n.person.full_name} ({n.person.code})"
    return f"{n.unit.name} ({n.unit.code})"


def paper_row_problem(yes, no, members: int) -> str | None:
    """Why one row of a paper count is not valid (None: it is): whole numbers from 0, yes and
    no together at most the council's members."""
    if not (isinstance(yes, int) and isinstance(no, int)) or yes < 0 or no < 0:
        return "nhập số phiếu đồng ý và không đồng ý (số nguyên từ 0)."
    if yes + no > members:
        return f"đồng ý + không đồng ý ({yes} + {no}) vượt số thành viên hội đồng ({members})."
    return None


def enter_paper_totals(user, session: VotingSession, rows: list[dict]) -> VotingSession:
    """The counting committee's totals of a paper ballot: yes and no per nomination on the
    ballot, each at most the number of council members together."""
    if not may_count(user, session):
        raise Forbidden("Chỉ ban kiểm phiếu (thư ký, chủ tịch hội đồng) được nhập kết quả.")
    if session.mode != "paper":
        raise ValidationError("Phiên bỏ phiếu kín điện tử: kết quả được đếm từ phiếu bầu.")
    _close_if_due(session, None)
    if session.state != "closed":
        raise ValidationError(
            "Chỉ nhập kết quả phiếu giấy sau khi đóng phiên và trước khi công bố."
        )
    items = {i.nomination_id: i for i in session.items}
    errors: dict[str, list[str]] = {}
    seen = set()
    for row in rows:
        nid, yes, no = row["nomination_id"], row["yes"], row["no"]
        if nid not in items:
            errors.setdefault("items", []).append(f"Đề nghị {nid} không có trên phiếu bầu.")
        elif nid in seen:
            errors.setdefault("items", []).append(
                f"{nominee_label(items[nid].nomination)}: được nhập hai lần."
            )
        elif (problem := paper_row_problem(yes, no, session.members_count)) is not None:
            errors.setdefault("items", []).append(
                f"{nominee_label(items[nid].nomination)}: {problem}"
            )
        seen.add(nid)
    if errors:
        raise ValidationError("Kết quả kiểm phiếu không hợp lệ.", errors)
    before = {nid: [i.yes, i.no] for nid, i in items.items()}
    for row in rows:
        item = items[row["nomination_id"]]
        item.yes, item.no = row["yes"], row["no"]
    db.session.flush()
    after = {nid: [i.yes, i.no] for nid, i in items.items()}
    unit_id = session.award_list.unit_id
    record(
        "paper_totals", "voting_session", session.id, before=before, after=after, unit_id=unit_id
    )
    return session


def publish_session(user, session: VotingSession, version: int | None = None) -> VotingSession:
    """Publish the totals and each nomination's outcome: passed when the award type's C10
    threshold is met over all council members (frozen at opening)."""
    _require_manage(user, session.award_list)
    version = _close_if_due(session, version)
    if session.state != "closed":
        raise Conflict(
            f"Phiên bỏ phiếu đang ở trạng thái «{STATE_LABELS[session.state]}»: chỉ công bố "
            "phiên đã đóng."
        )
    found = totals(session)
    missing = [i.nomination_id for i in session.items if i.nomination_id not in found]
    if missing:
        raise ValidationError(
            "Chưa nhập kết quả kiểm phiếu cho mọi đề nghị trên phiếu bầu.",
            {"items": [f"Thiếu kết quả của đề nghị: {', '.join(map(str, missing))}."]},
        )
    catalog = catalog_of(session.award_list.year)
    outcome = {}
    for item in session.items:
        yes, no = found[item.nomination_id]
        item.yes, item.no = yes, no
        award = catalog.get(item.nomination.award)
        passed = award is not None and award.passes(yes, session.members_count)
        item.nomination.passed = passed
        outcome[item.nomination_id] = {"yes": yes, "no": no, "passed": passed}
    db.session.flush()
    before = session_snapshot(session)
    _move(session, "closed", "published", version, published_at=now())
    record(
        "publish",
        "voting_session",
        session.id,
        before=before,
        after=session_snapshot(session) | {"results": outcome},
        unit_id=session.award_list.unit_id,
    )
    return session


# --- the secret ballot -----------------------------------------------------------------------


def _ballot_ids(user, session_id: int) -> tuple[set[int], set[int]]:
    """(every nomination id on the frozen ballot, those `user` votes on): one Core query of the
    ballot's ids, each with whether it is the user's own nomination."""
    own = user.person_id
    mine_flag = (
        (Nomination.subject == "person") & (Nomination.person_id == own)
        if own is not None
        else literal(False)
    )
    rows = db.session.execute(
        select(VotingItem.nomination_id, mine_flag)
        .join(Nomination, Nomination.id == VotingItem.nomination_id)
        .where(VotingItem.session_id == session_id)
    ).all()
    on_ballot = {r[0] for r in rows}
    return on_ballot, {r[0] for r in rows if not r[1]}


def ballot_problems(on_ballot: set[int], mine: set[int], votes: dict[int, bool]) -> list[str]:
    """Why a member's choices are not a valid ballot (none: valid): every nomination of their
    ballot chosen, none of their own, none that is not on the ballot."""
    errors = []
    chosen = votes.keys()
    if any(nid in on_ballot for nid in chosen - mine):
        errors.append("Bạn không bỏ phiếu cho đề nghị khen thưởng của chính mình.")
    unknown = [nid for nid in votes if nid not in on_ballot]
    if unknown:
        errors.append(f"Đề nghị không có trên phiếu bầu: {', '.join(map(str, unknown))}.")
    if not mine <= chosen:
        errors.append("Cần chọn đồng ý hoặc không đồng ý cho mọi đề nghị trên phiếu.")
    return errors


def _register_voter(session_id: int, user) -> bool:
    """The register's row for `user` in `session`; False when there is one already (a second
    vote, also one racing the first: the unique key decides, the transaction goes on)."""
    values = {"session_id": session_id, "user_id": user.id, "voted_at": now()}
    dialect = db.session.get_bind().dialect.name
    if dialect in _UPSERT:
        stmt = (
            _UPSERT[dialect](VoterRecord)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["session_id", "user_id"])
            .returning(VoterRecord.id)
        )
        return db.session.execute(stmt).first() is not None
    try:
        with db.session.begin_nested():
            db.session.execute(insert(VoterRecord).values(**values))
    except IntegrityError:
        return False
    return True


_UPSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _cast(session_id: int, user, chosen: list[tuple[int, bool]]) -> str:
    """The register's row and the sealed ballot, in the caller's transaction: "cast";
    "voted" (nothing written) when the register holds the user already, a second vote, also
    one racing the first (the unique key decides); "closed" (nothing written) when the
    session was closed since the checks. PostgreSQL: one statement, which holds the
    session's row FOR SHARE until commit, so a close waits for it (and the close's lock makes
    a later vote find the session closed); SQLite: writing requests run one at a time."""
    ballot_id = random_id()
    keys = _box_keys(session_id)
    sealed = ballot_box.seal(keys[0], session_id, ballot_id, chosen)
    if db.session.get_bind().dialect.name == "postgresql":
        params = {"sid": session_id, "uid": user.id, "at": now(), "bid": ballot_id}
        params["sealed"] = sealed
        live, registered = db.session.execute(_PG_CAST, params).one()
        return "closed" if not live else "cast" if registered else "voted"
    if not _register_voter(session_id, user):
        return "voted"
    db.session.execute(
        insert(SealedBallot).values(id=ballot_id, session_id=session_id, sealed=sealed)
    )
    return "cast"


_PG_CAST = text(
    "WITH live AS (SELECT id FROM voting_sessions WHERE id = :sid AND state = 'open' "
    "AND opens_at <= :at AND closes_at > :at FOR SHARE), "
    "registered AS (INSERT INTO voting_register (session_id, user_id, voted_at) "
    "SELECT :sid, :uid, :at FROM live ON CONFLICT (session_id, user_id) DO NOTHING "
    "RETURNING id), "
    "sealed AS (INSERT INTO sealed_ballots (id, session_id, sealed) "
    "SELECT :bid, :sid, :sealed WHERE EXISTS (SELECT 1 FROM registered)) "
    "SELECT (SELECT count(*) FROM live), (SELECT count(*) FROM registered)"
)


def _vote_context(user, session_id: int):
    """What a vote checks, in one query: the session (mode, state, window), its list's unit,
    the user's seat on the council and whether they have voted. None: no such session."""
    seat = (
        select(CouncilMember.role)
        .where(
            CouncilMember.year == AwardList.year,
            CouncilMember.unit_id == AwardList.unit_id,
            CouncilMember.user_id == user.id,
        )
        .scalar_subquery()
    )
    voted = (
        select(VoterRecord.id)
        .where(VoterRecord.session_id == VotingSession.id, VoterRecord.user_id == user.id)
        .exists()
    )
    return db.session.execute(
        select(
            VotingSession.mode,
            VotingSession.state,
            VotingSession.opens_at,
            VotingSession.closes_at,
            AwardList.unit_id,
            seat.label("seat"),
            voted.label("voted"),
        )
        .join(AwardList, AwardList.id == VotingSession.list_id)
        .where(VotingSession.id == session_id)
    ).first()


def cast_vote(user, session_id: int, votes: dict[int, bool]) -> int:
    """A council member's one submission: yes or no on every nomination of their ballot
    (their own nominations excluded). The register row and the sealed ballot go in one
    transaction; the register's unique key refuses a second vote, also one racing the first.
    Returns the number of ballots cast (not their content). A session the user may not see
    is 404, as visible_session; the checks read one row (_vote_context), not the ORM's
    session, list, unit and seat: 50 members vote at once (issue 12, bench/bench_vote.py)."""
    ctx = _vote_context(user, session_id)
    if ctx is None:
        raise NotFound("Không tìm thấy phiên bỏ phiếu.")
    if ctx.seat is None:
        visible_session(user, session_id)  # 404 unless the user may see the session
        raise Forbidden("Bạn không phải thành viên hội đồng bỏ phiếu danh sách này.")
    if ctx.mode != "secret":
        raise ValidationError("Phiên này bỏ phiếu bằng phiếu giấy, không bỏ phiếu trực tuyến.")
    at = now()
    if not (ctx.state == "open" and ctx.opens_at <= at < ctx.closes_at):
        raise ValidationError(
            f"Ngoài thời gian bỏ phiếu: phiên mở từ {ctx.opens_at:%d/%m/%Y %H:%M} đến "
            f"{ctx.closes_at:%d/%m/%Y %H:%M} (trạng thái «{STATE_LABELS[ctx.state]}»)."
        )
    if ctx.voted:
        raise Conflict(VOTED_ONCE)
    on_ballot, mine = _ballot_ids(user, session_id)
    errors = ballot_problems(on_ballot, mine, votes)
    if errors:
        raise ValidationError("Phiếu bầu chưa hợp lệ: chưa ghi nhận.", {"votes": errors})
    outcome = _cast(session_id, user, [(nid, bool(votes[nid])) for nid in mine])
    if outcome == "voted":
        raise Conflict(VOTED_ONCE)
    if outcome == "closed":
        raise Conflict("Phiên bỏ phiếu vừa đóng: phiếu bầu của bạn chưa được ghi nhận.")
    record("vote", "voting_session", session_id, after={"voted": True}, unit_id=ctx.unit_id)
    return len(mine)


def warm_up() -> None:
    """A vote's reads compiled before a worker's first vote (service.common.warmup): on a
    session and a user that do not exist, nothing is written."""
    nobody = SimpleNamespace(id=0, person_id=None)
    _vote_context(nobody, 0)
    _ballot_ids(nobody, 0)


VOTED_ONCE = "Bạn đã bỏ phiếu trong phiên này: mỗi thành viên chỉ bỏ phiếu một lần."


# --- what pages and answers show -------------------------------------------------------------


def nomination_view(n: Nomination, catalog: dict | None = None) -> dict:
    """A nomination as a ballot shows it: the nominee, the award and the reason (`catalog`:
    its year's, read once by a caller showing many)."""
    award = (catalog if catalog is not None else catalog_of(n.year)).get(n.award)
    if n.subject == "person":
        code, name = n.person.code, n.person.full_name
    else:
        code, name = n.unit.code, n.unit.name
    steps = [s.get("text", "") for s in (n.why or []) if isinstance(s, dict)]
    reason = n.reason or "; ".join(t for t in steps if t)
    return {
        "nomination_id": n.id,
        "subject": n.subject,
        "code": code,
        "name": name,
        "award": n.award,
        "award_name": award.name if award is not None else n.award,
        "rule": n.rule,
        "reason": reason,
        "manual": n.source == "manual",  # outside the rules (C9): the ballot says so
    }


# a ballot's nominations and nominees: three queries, not two a row
_NOMINEES = selectinload(VotingItem.nomination).options(
    selectinload(Nomination.person), selectinload(Nomination.unit)
)


OUTCOMES = {"passed": "Đạt", "failed": "Không đạt"}  # the session page's filter, once published


def _filtered(stmt, session: VotingSession, q: str | None, outcome: str | None):
    """`stmt` over the session's items narrowed to nominees whose name or code holds `q`, and
    (published only) to those that passed or failed."""
    stmt = stmt.where(VotingItem.session_id == session.id)
    if not q and outcome not in OUTCOMES:
        return stmt
    stmt = stmt.join(Nomination, Nomination.id == VotingItem.nomination_id)
    if q:  # the ballot's nominees only; names with or without accents (search_clause)
        stmt = (
            stmt.outerjoin(Person, Person.id == Nomination.person_id)
            .outerjoin(Unit, Unit.id == Nomination.unit_id)
            .where(
                search_clause(
                    q.strip(), Person.code, Unit.code, folded=[Person.search_name, Unit.search_name]
                )
            )
        )
    if outcome in OUTCOMES and session.state == "published":
        stmt = stmt.where(Nomination.passed.is_(outcome == "passed"))
    return stmt


def _ballot_items(
    session: VotingSession,
    page: int | None,
    per_page: int,
    q: str | None = None,
    outcome: str | None = None,
) -> list[VotingItem]:
    """A session's frozen ballot in ballot order (one page of it when `page`; narrowed by `q`
    and `outcome`), its nominations and nominees loaded in three queries (not two per row)."""
    stmt = _filtered(select(VotingItem), session, q, outcome)
    stmt = stmt.order_by(VotingItem.position, VotingItem.nomination_id).options(_NOMINEES)
    if page is not None:
        stmt = stmt.offset((page - 1) * per_page).limit(per_page)
    return list(db.session.scalars(stmt))


def session_summary(session: VotingSession) -> dict:
    """A session without its ballot: unit, mode, state, window, members and voters (the list
    of a list's sessions)."""
    award_list = session.award_list
    return {
        "id": session.id,
        "list_id": session.list_id,
        "year": award_list.year,
        "unit_code": award_list.unit.code,
        "unit_name": award_list.unit.name,
        "mode": session.mode,
        "mode_label": session.mode_label,
        "state": effective_state(session),
        "state_label": (
            f"Đã đóng (hết giờ lúc {session.closes_at:%d/%m/%Y %H:%M})"
            if past_closing(session)
            else f"Đã mở, bỏ phiếu từ {session.opens_at:%d/%m/%Y %H:%M}"
            if before_opening(session)
            else session.state_label
        ),
        "before_opening": before_opening(session),
        "opens_at": session.opens_at,
        "closes_at": session.closes_at,
        # when it closed (a session past its closing time closed then, recorded or not)
        "closed_at": session.closed_at
        or (
            session.closes_at
            if session.state in ("closed", "published") or past_closing(session)
            else None
        ),
        "members_count": (
            session.members_count
            if session.members_count is not None
            else count_members(award_list.year, award_list.unit_id)
        ),
        "voters_count": voters_count(session),
        "totals_shown": shows_totals(session),
        "version": session.version,
    }


def session_view(
    session: VotingSession,
    page: int | None = None,
    per_page: int | None = None,
    q: str | None = None,
    outcome: str | None = None,
) -> dict:
    """A session with its ballot; totals and outcomes only once closed (None before). With
    `page`, only that page of the ballot (`per_page` rows; `pages` says how many), narrowed to
    nominees matching `q` and, once published, to an `outcome` (OUTCOMES); without, the whole
    ballot (the API, the paper-totals form)."""
    per_page = per_page or BALLOT_PAGE
    if page is None:
        q = outcome = None
    published = session.state == "published"
    items = []
    count = (
        db.session.scalar(
            _filtered(select(func.count(VotingItem.nomination_id)), session, q, outcome)
        )
        if session.state != "draft"
        else 0
    )
    pages = max(1, -(-count // per_page))
    if page is not None:
        page = min(max(1, page), pages)
    source = _ballot_items(session, page, per_page, q, outcome) if session.state != "draft" else []
    if source:
        shown = totals(session) if shows_totals(session) else {}
        catalog = catalog_of(session.award_list.year)
    for item in source:
        row = nomination_view(item.nomination, catalog)
        yes, no = shown.get(item.nomination_id, (None, None))
        row |= {"yes": yes, "no": no, "passed": item.nomination.passed if published else None}
        award = catalog.get(item.nomination.award)
        row["needed"] = award.yes_needed(session.members_count) if award is not None else None
        items.append(row)
    return session_summary(session) | {
        "items": items,
        "items_total": count,
        "page": page or 1,
        "pages": pages if page is not None else 1,
        "first": ((page or 1) - 1) * per_page,
        "q": q or "",
        "outcome": outcome if outcome in OUTCOMES and published else "",
    }


def sits_on_council(user) -> bool:
    """Whether the user is a member of any council (the menu shows them their ballots)."""
    if not (user and user.is_authenticated):
        return False
    found = select(CouncilMember.id).where(CouncilMember.user_id == user.id).limit(1)
    return db.session.scalar(found) is not None
