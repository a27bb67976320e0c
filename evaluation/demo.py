"""The evaluation's demo data: the year 2025 open with the default pack and catalog, a year of
inputs for the demo ward (one office left empty for entering by hand), computed."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select

from evaluation.compute import recompute
from evaluation.models import (
    DEFAULT_SOURCE,
    EvalYear,
    PersonEval,
    UnitEval,
    Violation,
    ViolationTypeRow,
)
from evaluation.rules import DEFAULT_CATALOG, RulePack
from service.demo import UNITS
from service.extensions import db
from service.org.models import Person

EMPTY_UNIT = "DD-UB-VP"  # left without inputs so its grid can be filled in


def load(context: dict) -> str:
    """The demo-data command's hook (service.domains.add_demo)."""
    rated = demo_year(context["rng"], context["unit_ids"], skip_unit=EMPTY_UNIT)
    return (
        f"năm đánh giá {DEMO_YEAR} với {rated} kết quả xếp loại "
        f"(đơn vị {EMPTY_UNIT} để trống cho nhập tay)"
    )


DEMO_YEAR = 2025


def demo_year(rng: random.Random, ids: dict[str, int], skip_unit: str) -> int:
    """Open DEMO_YEAR with the default pack and catalog, give everyone but `skip_unit` (left for
    entering by hand) a year of inputs, a few violations and the units' inputs, and compute."""
    year = EvalYear(year=DEMO_YEAR, pack=RulePack().to_dict(), pack_source=DEFAULT_SOURCE)
    db.session.add(year)
    db.session.flush()
    db.session.execute(
        insert(ViolationTypeRow),
        [
            {
                "year_id": year.id,
                "code": v.code,
                "group": v.group,
                "title": v.title,
                "applies_to": str(v.applies_to),
                "severity": str(v.severity),
            }
            for v in DEFAULT_CATALOG.values()
        ],
    )
    people = db.session.execute(
        select(Person.id, Person.unit_id)
        .where(Person.unit_id != ids[skip_unit])
        .order_by(Person.id)
    ).all()
    evals, violations = [], []
    individual = [v.code for v in DEFAULT_CATALOG.values() if str(v.applies_to) != "collective"]
    for pid, _unit_id in people:
        base = rng.choice([68, 75, 80, 84, 88, 92, 95])
        total = rng.randint(6, 20)
        late = 1 if rng.random() < 0.06 else 0
        row = {
            "year_id": year.id,
            "person_id": pid,
            "ct": rng.choice([4, 4.5, 5, 5]),
            "dd": rng.choice([4, 4.5, 5, 5]),
            "tp": rng.choice([3.5, 4, 4.5, 5]),
            "kl": rng.choice([4, 4.5, 5, 5]),
            "task_points": None,
            "tasks_total": total,
            "tasks_late": late,
            "tasks_exceeded": rng.randint(0, total // 2),
            "months_worked": 12 if rng.random() > 0.02 else 7,
            "maternity": False,
            "party_discipline": False,
            "counted_before": False,
            "self_remedied": False,
            "under_review": False,
            "initiatives_base": 1 if rng.random() < 0.08 else 0,
            "initiatives_city": 0,
        }
        for m in range(1, 13):
            row[f"m{m}"] = max(0, min(100, base + rng.randint(-6, 6)))
        evals.append(row)
        if rng.random() < 0.04:
            violations.append(
                {
                    "year_id": year.id,
                    "person_id": pid,
                    "code": rng.choice(individual),
                    "found_on": dt.date(DEMO_YEAR, rng.randint(1, 12), rng.randint(1, 28)),
                    "how_found": rng.choice(["self_check", "inspection", "complaint"]),
                    "evidence": "Biên bản tự kiểm tra của đơn vị",
                }
            )
    db.session.execute(insert(PersonEval), evals)
    if violations:
        db.session.execute(insert(Violation), violations)
    units = []
    for code, _name, _kind, _q, parent, _size in UNITS:
        if not parent or code == skip_unit:
            continue
        total = rng.randint(5, 12)
        units.append(
            {
                "year_id": year.id,
                "unit_id": ids[code],
                "ct": 5,
                "dd": rng.choice([4.5, 5]),
                "tp": rng.choice([4, 4.5, 5]),
                "kl": 5,
                "k1": True,
                "k2": rng.random() < 0.8,
                "k3": rng.random() < 0.8,
                "k4": True,
                "task_points": rng.choice([56, 60, 63, 66, 68]),
                "targets_total": total,
                "targets_done": total,
                "targets_late": 0,
                "targets_exceeded": rng.randint(0, total // 2),
                "subunits_total": 0,
                "subunits_disciplined": 0,
                "leadership_disciplined": False,
                "corruption_case": False,
                "under_review": False,
            }
        )
    db.session.execute(insert(UnitEval), units)
    db.session.flush()
    counts = recompute(year)
    return counts["official"] + counts["party"]
