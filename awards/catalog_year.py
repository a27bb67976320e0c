"""The award catalog of a year (issue 12 item 1): the shipped catalog (awards.rules.DEFAULT_AWARDS)
with the year's edited codes (table award_catalog) laid over it, and the one operation that edits a
code, until the year's first decision. year_has_decision is the one place that says whether a year
is locked; catalog_of is the one reader proposals, votes and pages call."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from awards.models import AwardCatalogEntry, AwardList
from awards.rules import DEFAULT_AWARDS, AwardType
from service.audit.operations import record
from service.auth.access import is_admin
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.extensions import db

KIND_NAMES = {"person": "cá nhân", "unit": "tập thể", "model": "mô hình"}
EDITABLE = ("name", "authority", "cap_pct", "vote_pct", "vote_strict", "state_level")
LOCKED = "Đã khóa: năm đã có quyết định khen thưởng"
STALE = (
    "Danh hiệu này đã được người khác (hoặc ở cửa sổ khác) sửa sau khi bạn mở: thay đổi của bạn "
    "chưa được lưu. Tải lại để xem giá trị hiện tại."
)


def year_has_decision(year: int) -> bool:
    """True once a list of `year` is decided (C11): the catalog of the year is then locked."""
    found = db.session.scalar(
        select(AwardList.id).where(AwardList.year == year, AwardList.state == "decided").limit(1)
    )
    return found is not None


def _stored(year: int) -> dict[str, AwardCatalogEntry]:
    rows = db.session.scalars(select(AwardCatalogEntry).where(AwardCatalogEntry.year == year))
    return {r.code: r for r in rows}


def _merged(default: AwardType, row: AwardCatalogEntry | None) -> AwardType:
    if row is None:
        return default
    return default.edited(**{f: getattr(row, f) for f in EDITABLE})


def catalog_of(year: int) -> dict[str, AwardType]:
    """The award types of `year` by code (names, caps, C10 thresholds): what proposals, votes
    and pages read. A code the year never edited reads as the shipped default."""
    stored = _stored(year)
    return {code: _merged(t, stored.get(code)) for code, t in DEFAULT_AWARDS.items()}


def catalog_versions(year: int) -> dict[str, int]:
    """The version of each code of `year` (1 while it is the shipped default)."""
    stored = _stored(year)
    return {code: stored[code].version if code in stored else 1 for code in DEFAULT_AWARDS}


def entry_out(t: AwardType, version: int) -> dict:
    return {
        "code": t.code,
        "kinds": list(t.kinds),
        "name": t.name,
        "authority": t.authority,
        "rule": t.rule,
        "cap_pct": t.cap_pct,
        "vote_pct": t.vote_pct,
        "vote_strict": t.vote_strict,
        "state_level": t.state_level,
        "version": version,
    }


def catalog_items(year: int) -> list[dict]:
    """The catalog of `year` as the API answers it (code order of RULES.md C then P)."""
    versions = catalog_versions(year)
    return [entry_out(t, versions[code]) for code, t in catalog_of(year).items()]


def catalog_rows(year: int) -> list[dict]:
    """The catalog of `year` as the page shows it (code order of RULES.md C then P)."""
    return [
        {
            **item,
            "kinds": ", ".join(KIND_NAMES[k] for k in item["kinds"]),
            "cap": f"{item['cap_pct']} %" if item["cap_pct"] is not None else "—",
            "vote": f"{'>' if item['vote_strict'] else '≥'} {item['vote_pct']} % "
            "số thành viên hội đồng",
        }
        for item in catalog_items(year)
    ]


def can_edit_catalog(user, year: int) -> bool:
    """Administrators, as the evaluation's rule pack (EvalYear.can_edit_pack), until the year's
    first decided award list."""
    return is_admin(user) and not year_has_decision(year)


def field_errors(data: dict) -> dict[str, list[str]]:
    """What the schema cannot say alone: a name and an authority are not blank."""
    errors: dict[str, list[str]] = {}
    for f, label in (("name", "Tên"), ("authority", "Cấp quyết định")):
        if f in data and not (data[f] or "").strip():
            errors[f] = [f"{label} không được để trống."]
    return errors


def update_catalog_entry(user, year: int, code: str, data: dict) -> dict:
    """Change the editable fields of `code` in `year`'s catalog (name, authority, C2 cap, C10
    threshold, state level), the form loaded at `data["version"]`; not the code, its kinds or its
    rule. Refused once the year has a decision (C11); a stale version answers 409."""
    if code not in DEFAULT_AWARDS:
        raise NotFound(f"Không có danh hiệu, hình thức khen thưởng với mã {code}.")
    if not is_admin(user):
        raise Forbidden("Chỉ quản trị viên được sửa danh mục danh hiệu, khen thưởng.")
    if year_has_decision(year):
        raise Conflict(f"{LOCKED} ({year}): không sửa được danh mục.")
    errors = field_errors(data)
    if errors:
        raise ValidationError("Dữ liệu không hợp lệ.", errors)
    row = db.session.scalar(
        select(AwardCatalogEntry).where(
            AwardCatalogEntry.year == year, AwardCatalogEntry.code == code
        )
    )
    current = row.version if row is not None else 1
    expected = data["version"]
    if expected != current:
        raise _stale(current)
    before_type = _merged(DEFAULT_AWARDS[code], row)
    changes = {
        f: (data[f].strip() if isinstance(data[f], str) else data[f]) for f in EDITABLE if f in data
    }
    after_type = before_type.edited(**changes)
    before = {f: getattr(before_type, f) for f in EDITABLE}
    after = {f: getattr(after_type, f) for f in EDITABLE}
    if after == before:
        return entry_out(before_type, current)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    AwardCatalogEntry(year=year, code=code, version=2, updated_at=now, **after)
                )
        except IntegrityError:  # another first edit of the same code went in meanwhile
            raise _stale(2) from None
    else:
        done = db.session.execute(
            update(AwardCatalogEntry)
            .where(AwardCatalogEntry.id == row.id, AwardCatalogEntry.version == expected)
            .values(version=AwardCatalogEntry.version + 1, updated_at=now, **after)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            db.session.refresh(row, ["version"])
            raise _stale(row.version)
        db.session.refresh(row)
    changed = [f for f in EDITABLE if before[f] != after[f]]
    record(
        "update",
        "award_catalog",
        f"{year}/{code}",
        before={f: before[f] for f in changed},
        after={f: after[f] for f in changed},
        user=user,
    )
    db.session.flush()
    return entry_out(after_type, current + 1)


def _stale(version: int) -> Conflict:
    return Conflict(
        STALE, {"version": [f"Phiên bản đã mở đã cũ; phiên bản hiện tại là {version}."]}
    )
