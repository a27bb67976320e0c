"""Titles history (issue 12 item 8): the titles and commendations of every past year of a
person or a unit, read from the evaluation's history ("Lịch sử") through its public query
(evaluation.queries.history_of), with each award's Vietnamese name."""

from __future__ import annotations

from awards.proposals import award_name
from evaluation import queries as eq


def titles_history(*, person_id=None, unit_id=None) -> list[dict]:
    """Newest year first: {year, official_level, party_level, awards: [{code, name}]}."""
    out = []
    for h in eq.history_of(person_id=person_id, unit_id=unit_id):
        out.append(
            {
                "year": h.year,
                "official_level": h.official_level,
                "party_level": h.party_level,
                "awards": [{"code": c, "name": award_name(c)} for c in (h.awards or [])],
            }
        )
    return out
