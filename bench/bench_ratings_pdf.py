"""The printable rating list of the demo ward (not a test; run it): how long the PDF takes.

Builds a fresh database with the demo data (`flask demo-data`: the ward DD, ~1,500 people and
~1,900 ratings of 2025), then, as the demo HR user `noivu`, times
evaluation.documents.pdf_ratings(2025, DD) --runs times (wall and CPU seconds), and apart from it
the rows alone (the queries and explanations, print_rows) so the rest is WeasyPrint. Prints the
pages, the size, peak RSS and the load average (the machine is shared: CPU seconds are the
steadier figure).

    .venv/bin/python bench/bench_ratings_pdf.py --db sqlite      # or --db postgresql
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

NAME = "bench_ratings_pdf"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    ap.add_argument("--unit", default="DD")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="/tmp/bench_ratings_pdf.pdf")
    args = ap.parse_args()

    benchdb.configure_env(args.db, NAME)
    benchdb.reset_database(args.db, NAME)
    app = benchdb.make_app()
    benchdb.upgrade_schema(app)
    res = app.test_cli_runner().invoke(args=["demo-data"])
    assert res.exit_code == 0, res.output
    print(res.output.splitlines()[0])

    import pypdf
    from sqlalchemy import select

    from evaluation import queries as q
    from evaluation.documents import SECTIONS, pdf_ratings, print_rows
    from service.auth.models import User
    from service.extensions import db
    from service.org.models import Unit

    print(f"code {benchdb.code_version()}; db {args.db}; unit {args.unit}")
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "noivu"))
        unit = db.session.scalar(select(Unit).where(Unit.code == args.unit))
        year_row = q.get_year(2025)
        t = time.perf_counter()
        counts = {kind: len(print_rows(year_row, unit, kind)) for kind, _ in SECTIONS}
        print(f"rows {counts} (total {sum(counts.values())}): {time.perf_counter() - t:.2f} s")
        walls, cpus = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            data = pdf_ratings(year_row, unit, user)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            load = benchdb.load_average()
            print(f"  pdf: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU (load {load})")
    Path(args.out).write_bytes(data)
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    print(
        f"PDF {len(data) / 1e6:.2f} MB, {pages} pages -> {args.out}; best {min(walls):.2f} s wall, "
        f"{min(cpus):.2f} s CPU; peak RSS {benchdb.peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
