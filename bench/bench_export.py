"""The "Đánh giá cá nhân" export (person_evals) of 500,000 rows against raw xlsxwriter writing
the same cells: wall time and peak memory (not a test; run it). `--kind ratings`: the rating
list ("Kết quả xếp loại": official, party and unit sheets) of the same city, its ratings
computed first (a whole-year recompute), against raw xlsxwriter writing the same three sheets.

Builds the city of bench_recompute.py (its build(): units, 500,000 people, the year and a
PersonEval for 99 % of them, violations) in a database of its own, then, each in a fresh
subprocess (so ru_maxrss is that step's peak):

- read:    the export's rows only (evaluation.exports_inputs.input_rows, batched reads), no file
- raw:     the same rows written by plain xlsxwriter (constant_memory, write_row, no formats)
- service: evaluation.exports_inputs.write_person_evals (the spreadsheet layer, validations,
           formats, widths), the file the API answers

The ratio is service / raw; both read the same rows from the database the same way.

    .venv/bin/python bench/bench_export.py --db sqlite [--people 500000] [--reuse]
    .venv/bin/python bench/bench_export.py --db postgresql
    .venv/bin/python bench/bench_export.py --db postgresql --kind ratings [--reuse] [--runs 3]

Targets: service ≤ 1.3 × raw, peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchdb  # noqa: E402

NAME = "bench_export"
TARGET_RATIO = 1.3
TARGET_RSS_MB = 300.0
OUT = Path(os.environ.get("BENCH_TMP", "/tmp"))
YES_NO = {True: "Có", False: "Không"}


def build(args) -> dict:
    import bench_recompute

    bench_recompute.NAME = NAME  # its build() resets the database by this name
    ns = argparse.Namespace(
        db=args.db, people=args.people, districts=16, wards=10, offices=12, cells=12, seed=2026
    )
    info = bench_recompute.build(ns)
    if args.kind == "ratings":  # the rating list needs the year's ratings
        from evaluation.compute import recompute
        from evaluation.queries import get_year
        from service.extensions import db

        app = benchdb.make_app()
        with app.app_context():
            t = time.perf_counter()
            info["ratings"] = recompute(get_year(bench_recompute.YEAR), None)
            db.session.commit()
            info["recompute_seconds"] = time.perf_counter() - t
    return info


def _rating_sheets(year_row, root):
    """(sheet name, labels, rows) of the rating list, as write_ratings reads them."""
    from evaluation import exports as ex

    for kind, name, _title in ex.SHEETS:
        if kind == "unit":
            yield name, [c.label for c in ex.UNIT_COLUMNS], ex.unit_rows(year_row, root)
        else:
            rows = ex.person_rows(year_row, root, kind)
            yield name, [c.label for c in ex.PERSON_COLUMNS], rows


def _subject():
    import bench_recompute
    from sqlalchemy import func, select

    from evaluation.exports import load_year
    from service.auth.models import User
    from service.extensions import db
    from service.org.models import Unit

    year_row = load_year(bench_recompute.YEAR)
    root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    user = db.session.scalar(select(User).where(User.username == bench_recompute.ADMIN))
    assert db.session.scalar(select(func.count(Unit.id)).where(Unit.parent_id.is_(None))) == 1
    return year_row, root, user


def step(args) -> dict:
    from evaluation import exports_inputs as ei

    app = benchdb.make_app()
    with app.test_request_context():
        year_row, root, user = _subject()
        base = benchdb.peak_rss_mb()
        t = time.perf_counter()
        if args.kind == "ratings":
            rows, path = _ratings_step(args.step, year_row, root, user)
        elif args.step == "read":
            rows = sum(1 for _ in ei.input_rows(ei.PERSON, year_row, root))
            path = None
        elif args.step == "raw":
            import xlsxwriter

            path = OUT / "bench_export_raw.xlsx"
            wb = xlsxwriter.Workbook(
                str(path), {"constant_memory": True, "strings_to_formulas": False}
            )
            ws = wb.add_worksheet(ei.PERSON.sheet)
            ws.write_row(0, 0, [c.label for c in ei.PERSON.columns])
            rows = 0
            for rows, row in enumerate(ei.input_rows(ei.PERSON, year_row, root), start=1):
                # xlsxwriter writes Decimal, date and None itself; a bool as the import reads it
                ws.write_row(rows, 0, [YES_NO[v] if v.__class__ is bool else v for v in row])
            wb.close()
        else:
            path = OUT / "bench_export_service.xlsx"
            rows = ei.write_person_evals(year_row, root, user, str(path))
        seconds = time.perf_counter() - t
    return {
        "step": args.step,
        "rows": rows,
        "seconds": seconds,
        "peak_rss_mb": benchdb.peak_rss_mb(),
        "baseline_rss_mb": base,
        "file_mb": path.stat().st_size / 1024 / 1024 if path else None,
    }


def _ratings_step(name: str, year_row, root, user):
    """(rows, file) of one step of `--kind ratings`."""
    from evaluation import exports as ex

    if name == "read":
        return sum(sum(1 for _ in rows) for _n, _l, rows in _rating_sheets(year_row, root)), None
    if name == "raw":
        import xlsxwriter

        path = OUT / "bench_export_ratings_raw.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
        n = 0
        for sheet, labels, rows in _rating_sheets(year_row, root):
            ws = wb.add_worksheet(sheet)
            ws.write_row(0, 0, labels)
            for i, row in enumerate(rows, start=1):
                ws.write_row(i, 0, [YES_NO[v] if v.__class__ is bool else v for v in row])
                n += 1
        wb.close()
        return n, path
    path = OUT / "bench_export_ratings_service.xlsx"
    return ex.write_ratings(year_row, root, user, str(path)), path


def run_child(args, name: str) -> dict:
    cmd = [sys.executable, __file__, "--db", args.db, "--people", str(args.people), "--step", name,
           "--kind", args.kind]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    line = [x for x in out.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT ") :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--kind", choices=["person_evals", "ratings"], default="person_evals")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        benchdb.configure_env(args.db, NAME)
        result = build(args) if args.step == "build" else step(args)
        print("RESULT " + json.dumps(result, default=str))
        return
    print(
        f"bench_export --db {args.db} --people {args.people} --kind {args.kind}  "
        f"({benchdb.code_version()}; load average {benchdb.load_average()})"
    )
    if not args.reuse:
        info = run_child(args, "build")
        print(f"build: {info['build_seconds']:.1f} s, person_evals {info['person_evals']}")
        if "ratings" in info:
            print(f"ratings computed in {info['recompute_seconds']:.1f} s: {info['ratings']}")
    results: dict[str, list[dict]] = {"read": [], "raw": [], "service": []}
    for _ in range(args.runs):
        for name in results:
            r = run_child(args, name)
            results[name].append(r)
            file_mb = f", file {r['file_mb']:.1f} MB" if r["file_mb"] else ""
            print(
                f"{name:8} {r['rows']} rows  {r['seconds']:.2f} s  peak RSS "
                f"{r['peak_rss_mb']:.0f} MB (before the step {r['baseline_rss_mb']:.0f} MB)"
                f"{file_mb}"
            )
    best = {k: min(r["seconds"] for r in v) for k, v in results.items()}
    ratio = best["service"] / best["raw"]
    peak = max(r["peak_rss_mb"] for r in results["service"])
    print(
        f"service / raw = {ratio:.2f} (target ≤ {TARGET_RATIO}: "
        f"{'ok' if ratio <= TARGET_RATIO else 'MISSED'}); service peak RSS {peak:.0f} MB "
        f"(target < {TARGET_RSS_MB:.0f}: {'ok' if peak < TARGET_RSS_MB else 'MISSED'}); "
        f"reading the rows alone {best['read']:.2f} s"
    )


if __name__ == "__main__":
    main()
