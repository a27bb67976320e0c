"""The award catalog of a year (issue 12 item 1, first part): read-only for now, the shipped
catalog (awards.rules.DEFAULT_AWARDS); a stored per-year copy editable until the year's first
decision comes next. year_has_decision is the one place that says whether a year is locked."""

from __future__ import annotations

from sqlalchemy import inspect, text

from awards.rules import DEFAULT_AWARDS, AwardType
from service.extensions import db

KIND_NAMES = {"person": "cá nhân", "unit": "tập thể", "model": "mô hình"}


def year_has_decision(year: int) -> bool:
    """True once a list of `year` is decided: a table award_lists with a row in state
    'decided' (the award lists are not built yet: False until they exist)."""
    if not inspect(db.session.connection()).has_table("award_lists"):
        return False
    found = db.session.execute(
        text("SELECT 1 FROM award_lists WHERE year = :y AND state = 'decided' LIMIT 1"),
        {"y": year},
    ).first()
    return found is not None


def catalog_of(year: int) -> dict[str, AwardType]:
    """The award types of `year` by code (names, caps, C10 thresholds): what proposals, votes
    and pages read. For now the shipped catalog; a stored per-year copy comes next."""
    return dict(DEFAULT_AWARDS)


def catalog_rows(year: int) -> list[dict]:
    """The catalog of `year` as the page shows it (code order of RULES.md C then P)."""
    return [
        {
            "code": t.code,
            "kinds": ", ".join(KIND_NAMES[k] for k in t.kinds),
            "name": t.name,
            "authority": t.authority,
            "rule": t.rule,
            "cap": f"{t.cap_pct} %" if t.cap_pct is not None else "—",
            "vote": f"{'>' if t.vote_strict else '≥'} {t.vote_pct} % số thành viên hội đồng",
            "state_level": t.state_level,
        }
        for t in catalog_of(year).values()
    ]
