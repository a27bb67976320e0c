"""Throughput of the pure rating rules (evaluation.rules) on a synthetic city-sized year.

Generates, deterministically, ~25,000 units (a city root, quota-root agencies/wards, their
offices and cells) and 500,000 people with 12 monthly scores each, then times compute_year
(B1–B5, A1–A10 for every official and party rating). Not a test; run it:

    .venv/bin/python bench/bench_rules.py [--people 500000] [--units 25000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluation.rules import (  # noqa: E402
    DEFAULT_CATALOG,
    PartyStatus,
    PersonInput,
    RulePack,
    UnitInput,
    UnitNode,
    compute_year,
)

YEAR = 2026
SCORES = [Decimal(v) for v in range(70, 101)]
HALVES = [Decimal("4"), Decimal("4.5"), Decimal("5"), Decimal("5"), Decimal("5")]
TASKS = [Decimal(v) for v in range(50, 71)]
CODES = list(DEFAULT_CATALOG)
GROUPS = ["chuyên môn", "chuyên môn", "chuyên môn", "lãnh đạo", "hỗ trợ"]


def build_tree(n_units: int) -> tuple[list[UnitNode], list[str]]:
    """City root → quota-root agencies/wards (1 per 100 units) → offices and cells."""
    n_roots = max(1, n_units // 100)
    nodes = [UnitNode("HN", None, True)]
    leaves = []
    for r in range(n_roots):
        root = f"W{r:04d}"
        nodes.append(UnitNode(root, "HN", True))
    per_root = (n_units - 1 - n_roots) // n_roots
    for r in range(n_roots):
        root = f"W{r:04d}"
        for i in range(per_root):
            code = f"{root}U{i:03d}"
            nodes.append(UnitNode(code, root, False))
            leaves.append(code)
    return nodes, leaves


def build_unit_inputs(rnd: random.Random, nodes: list[UnitNode]) -> list[UnitInput]:
    out = []
    for node in nodes:
        if node.parent_code is None:
            continue
        total = rnd.randint(6, 12)
        late = 0 if rnd.random() < 0.8 else rnd.randint(1, 3)
        out.append(
            UnitInput(
                code=node.code,
                parent_code=node.parent_code,
                quota_root=node.quota_root,
                ct=rnd.choice(HALVES),
                dd=rnd.choice(HALVES),
                tp=rnd.choice(HALVES),
                kl=rnd.choice(HALVES),
                k1=True,
                k2=rnd.random() < 0.9,
                k3=rnd.random() < 0.9,
                k4=True,
                violations=(rnd.choice(CODES),) if rnd.random() < 0.05 else (),
                task_points=rnd.choice(TASKS),
                targets_total=total,
                targets_done=total - rnd.randint(0, 2),
                targets_late=late,
                targets_exceeded=rnd.randint(0, total),
                subunits_total=rnd.randint(0, 5),
                subunits_disciplined=0,
                leadership_disciplined=rnd.random() < 0.01,
            )
        )
    return out


def build_people(rnd: random.Random, leaves: list[str], n_people: int) -> list[PersonInput]:
    people = []
    heads: set[str] = set()
    months = list(range(1, 13))
    for i in range(n_people):
        unit = leaves[i % len(leaves)]
        is_head = unit not in heads
        if is_head:
            heads.add(unit)
        party = rnd.random() < 0.7
        disciplined = rnd.random() < 0.01
        total = rnd.randint(0, 12)
        roll = rnd.random()
        people.append(
            PersonInput(
                code=f"P{i:07d}",
                unit_code=unit,
                party_unit_code=unit if party else None,
                duty_group="lãnh đạo" if is_head else rnd.choice(GROUPS),
                is_head=is_head,
                category=None if roll < 0.05 else "công chức",
                is_party_member=party or roll < 0.05,
                party_status=PartyStatus.EXEMPT if rnd.random() < 0.01 else PartyStatus.ACTIVE,
                admitted_on=date(rnd.randint(1970, 2026), rnd.randint(1, 12), 1),
                ct=rnd.choice(HALVES),
                dd=rnd.choice(HALVES),
                tp=rnd.choice(HALVES),
                kl=rnd.choice(HALVES),
                violations=tuple(rnd.sample(CODES, rnd.randint(1, 3)))
                if rnd.random() < 0.08
                else (),
                monthly_scores={m: rnd.choice(SCORES) for m in months},
                tasks_total=total,
                tasks_late=0 if rnd.random() < 0.85 else min(total, rnd.randint(1, 3)),
                tasks_exceeded=rnd.randint(0, total),
                months_worked=12 if rnd.random() < 0.97 else rnd.randint(3, 11),
                maternity=rnd.random() < 0.01,
                discipline_form="khiển trách" if disciplined else None,
                discipline_year=YEAR if disciplined else None,
                self_remedied=disciplined and rnd.random() < 0.3,
            )
        )
    return people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--units", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)

    args = parser.parse_args()

    rnd = random.Random(args.seed)
    t0 = time.perf_counter()
    nodes, leaves = build_tree(args.units)
    unit_inputs = build_unit_inputs(rnd, nodes)
    people = build_people(rnd, leaves, args.people)
    t1 = time.perf_counter()
    print(
        f"generated {len(nodes):,} units ({len(unit_inputs):,} with inputs), "
        f"{len(people):,} people in {t1 - t0:.1f} s"
    )

    pack = RulePack()
    best = None
    result = None
    for run in range(1, args.repeat + 1):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = compute_year(YEAR, pack, DEFAULT_CATALOG, nodes, unit_inputs, people)
        elapsed = time.perf_counter() - start
        n_person = len(result.official) + len(result.party)
        n_all = n_person + len(result.units)
        print(
            f"run {run}: {elapsed:.2f} s; {n_all:,} ratings ({len(result.units):,} units, "
            f"{len(result.official):,} official, {len(result.party):,} party); "
            f"{n_all / elapsed:,.0f} ratings/s; {n_person / elapsed:,.0f} person ratings/s; "
            f"{len(people) / elapsed:,.0f} people/s"
        )
        best = elapsed if best is None else min(best, elapsed)

    assert result is not None and best is not None
    n_person = len(result.official) + len(result.party)
    print(
        f"best: {best:.2f} s = {(n_person + len(result.units)) / best:,.0f} ratings/s "
        f"({n_person / best:,.0f} person ratings/s, target 100,000)"
    )
    for kind in ("units", "official", "party"):
        counts = Counter(str(r.level) for r in getattr(result, kind).values())
        shown = ", ".join(f"{lv} {counts.get(lv, 0):,}" for lv in ("XS", "T", "HT", "KHT", "NR"))
        print(f"  {kind}: {shown}")
    provisional = sum(r.provisional for r in result.official.values())
    print(f"  provisional official heads: {provisional:,}")


if __name__ == "__main__":
    main()
