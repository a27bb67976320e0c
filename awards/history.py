"""Titles history (issue 12 item 8): the titles and commendations of every past year of a
person or a unit, read from the evaluation's history ("Lịch sử") through its public queries
(evaluation.queries.history_of, final_ratings), with each award's Vietnamese name; and the
years of evaluation rated but not in the history yet (no decision has conferred their awards),
with their final levels."""

from __future__ import annotations

from awards.proposals import award_name
from evaluation import queries as eq
from service.org.models import Unit


def titles_history(*, person_id=None, unit_id=None) -> list[dict]:
    """Newest year first: {year, official_level, party_level, awards: [{code, name}],
    pending, provisional}; `pending` for a year rated but not in the history (its awards not
    decided yet), `provisional` when that rating is not approved yet."""
    out = []
    for h in eq.history_of(person_id=person_id, unit_id=unit_id):
        out.append(
            {
                "year": h.year,
                "official_level": h.official_level,
                "party_level": h.party_level,
                "awards": [{"code": c, "name": award_name(c)} for c in (h.awards or [])],
                "pending": False,
                "provisional": False,
            }
        )
    held = {r["year"] for r in out}
    for year_row in eq.list_years():
        if year_row.year in held:
            continue
        if person_id is not None:
            rows = eq.final_ratings(year_row, subjects=("person",), person_ids=[person_id])
        else:
            rows = eq.final_ratings(year_row, subjects=("unit",), within=Unit.id == unit_id)
        if not rows:
            continue
        levels = {r.kind: r for r in rows}
        official = levels.get("official") or levels.get("unit")
        party = levels.get("party")
        out.append(
            {
                "year": year_row.year,
                "official_level": official.level if official is not None else None,
                "party_level": party.level if party is not None else None,
                "awards": [],
                "pending": True,
                "provisional": not all(r.approved for r in rows),
            }
        )
    out.sort(key=lambda r: r["year"], reverse=True)
    return out
