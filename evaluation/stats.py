"""The year's dashboard: per unit (the chosen one and its direct children, each with its whole
subtree), people entered (rules.entry), list state, and counts per level of the official and
the party ratings; for the charts, the collective ratings and the violations by group and by
month."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from evaluation.models import (
    EvalYear,
    PersonEval,
    Rating,
    RatingDecision,
    Review,
    Violation,
    ViolationTypeRow,
)
from evaluation.rules import GROUP_TITLES, RulePack
from evaluation.workflow import STATE_LABELS
from service.extensions import db
from service.org.models import Person, Unit

LEVELS = ("XS", "T", "HT", "KHT", "NR")
KINDS = ("official", "party")


def entered_clause(min_months: int):
    """SQL for rules.entry.is_entered over person_evals (a test checks they agree): the four
    criteria and a monthly score or the yearly task points, or under `min_months` months
    without maternity leave."""
    months = [getattr(PersonEval, f"m{i}") for i in range(1, 13)]
    criteria = and_(*(getattr(PersonEval, c).is_not(None) for c in ("ct", "dd", "tp", "kl")))
    tasks = or_(PersonEval.task_points.is_not(None), *(m.is_not(None) for m in months))
    absent = and_(PersonEval.months_worked < min_months, PersonEval.maternity.is_(False))
    return or_(absent, and_(criteria, tasks))


FINAL = func.coalesce(RatingDecision.final_level, RatingDecision.proposed_level, Rating.level)


def _decision_join(subject: str):
    """The ON clause joining a rating to its decision (A11) by `subject`: person_id or unit_id."""
    return and_(
        RatingDecision.year_id == Rating.year_id,
        RatingDecision.kind == Rating.kind,
        getattr(RatingDecision, subject) == getattr(Rating, subject),
    )


def _subtree_counts(year_row: EvalYear, unit: Unit, min_months: int) -> dict:
    in_tree = Unit.subtree_clause(unit.path)
    people = db.session.scalar(
        select(func.count())
        .select_from(Person)
        .join(Unit, Person.unit_id == Unit.id)
        .where(in_tree)
    )
    evaluated = db.session.scalar(
        select(func.count())
        .select_from(PersonEval)
        .join(Person, PersonEval.person_id == Person.id)
        .join(Unit, Person.unit_id == Unit.id)
        .where(PersonEval.year_id == year_row.id, in_tree, entered_clause(min_months))
    )
    levels = {kind: dict.fromkeys(LEVELS, 0) for kind in KINDS}
    for kind, level, n in db.session.execute(
        select(Rating.kind, FINAL, func.count())
        .select_from(Rating)
        .join(Unit, Rating.list_unit_id == Unit.id)
        .outerjoin(RatingDecision, _decision_join("person_id"))
        .where(Rating.year_id == year_row.id, Rating.kind.in_(KINDS), in_tree)
        .group_by(Rating.kind, FINAL)
    ):
        levels[kind][level] = n
    states = dict(
        db.session.execute(
            select(Review.state, func.count())
            .join(Unit, Review.unit_id == Unit.id)
            .where(Review.year_id == year_row.id, in_tree)
            .group_by(Review.state)
        ).all()
    )
    return {"people": people, "evaluated": evaluated, "levels": levels, "states": states}


def dashboard_rows(year_row: EvalYear, unit: Unit | None) -> list[dict]:
    if unit is None:
        shown = list(
            db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.code))
        )
    else:
        shown = [unit] + list(
            db.session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code))
        )
    reviews = dict(
        db.session.execute(
            select(Review.unit_id, Review.state).where(
                Review.year_id == year_row.id, Review.unit_id.in_([u.id for u in shown] or [0])
            )
        ).all()
    )
    own_people = dict(
        db.session.execute(
            select(Person.unit_id, func.count())
            .where(Person.unit_id.in_([u.id for u in shown] or [0]))
            .group_by(Person.unit_id)
        ).all()
    )
    min_months = RulePack.from_dict(year_row.pack).a1_min_months
    rows = []
    for u in shown:
        counts = _subtree_counts(year_row, u, min_months)
        state = reviews.get(u.id, "open")
        rows.append(
            {
                "unit_code": u.code,
                "name": u.name,
                "depth": u.depth,
                "is_selected": unit is not None and u.id == unit.id,
                "own_people": own_people.get(u.id, 0),
                "people": counts["people"],
                "evaluated": counts["evaluated"],
                "complete": counts["people"] > 0 and counts["evaluated"] == counts["people"],
                "state": state,
                "state_label": STATE_LABELS[state],
                "states_below": counts["states"],
                "levels": counts["levels"]["official"],
                "party_levels": counts["levels"]["party"],
            }
        )
    return rows


# --- the dashboard's charts --------------------------------------------------------------------


def unit_level_counts(year_row: EvalYear, unit: Unit | None) -> dict[str, int]:
    """The collective ratings of the units in the subtree (the unit itself included), per final
    level."""
    query = (
        select(FINAL, func.count())
        .select_from(Rating)
        .join(Unit, Rating.unit_id == Unit.id)
        .outerjoin(RatingDecision, _decision_join("unit_id"))
        .where(Rating.year_id == year_row.id, Rating.kind == "unit")
        .group_by(FINAL)
    )
    if unit is not None:
        query = query.where(Unit.subtree_clause(unit.path))
    counts = dict.fromkeys(LEVELS, 0)
    for level, n in db.session.execute(query):
        counts[level] = n
    return counts


def violation_counts(year_row: EvalYear, unit: Unit | None) -> dict:
    """The year's recorded violations (removed ones left out) of the people and the units of the
    subtree: per catalog group, per month found (1-12), and how many have no date."""
    owner_unit = func.coalesce(Violation.unit_id, Person.unit_id)
    query = (
        select(ViolationTypeRow.group, Violation.found_on)
        .select_from(Violation)
        .outerjoin(Person, Violation.person_id == Person.id)
        .join(Unit, Unit.id == owner_unit)
        .outerjoin(
            ViolationTypeRow,
            and_(
                ViolationTypeRow.year_id == Violation.year_id,
                ViolationTypeRow.code == Violation.code,
            ),
        )
        .where(Violation.year_id == year_row.id, Violation.removed_at.is_(None))
    )
    if unit is not None:
        query = query.where(Unit.subtree_clause(unit.path))
    by_group = dict.fromkeys(GROUP_TITLES, 0)
    by_month = dict.fromkeys(range(1, 13), 0)
    undated = 0
    for group, found_on in db.session.execute(query):
        if group in by_group:
            by_group[group] += 1
        if found_on is None:
            undated += 1
        else:
            by_month[found_on.month] += 1
    return {"by_group": by_group, "by_month": by_month, "undated": undated}
