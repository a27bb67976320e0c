"""The certificates of a big decision (not a test; run it): one WeasyPrint render of N
recipients (default 300), both modes, wall and CPU seconds, pages, size and peak RSS.

Builds a fresh database with a city R, 10 offices, N people (Vietnamese names) each with one
awarded nomination on the offices' decided lists (a third Giấy khen, the rest LĐTT, every tenth
office a collective Giấy khen), all under one decision of R; then times
awards.certificates.decision_pdf(d, mode, rows) --runs times per mode, and the rows alone.

    .venv/bin/python bench/bench_certificates.py --db sqlite --n 300   # or --db postgresql
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

NAME = "bench_certificates"
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Đức", "Ngọc", "Minh", "Thu")
GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hương", "Khánh", "Linh", "Mạnh", "Phượng")


def build(n: int):
    from awards.models import AwardList, Decision, Nomination
    from service.extensions import db
    from service.org.models import Category, Person, Unit
    from service.org.operations import set_path

    root = Unit(code="R", name="Ủy ban nhân dân quận Thử nghiệm", kind="cơ quan")
    db.session.add(root)
    db.session.flush()
    set_path(root)
    offices = []
    for i in range(10):
        u = Unit(code=f"O{i}", name=f"Phòng chuyên môn số {i + 1}", kind="cơ quan", parent=root)
        db.session.add(u)
        db.session.flush()
        set_path(u)
        offices.append(u)
    d = Decision(
        year=2025, number="250/QĐ-UBND", decided_on=dt.date(2025, 12, 20), level="huyen",
        signer="Nguyễn Văn Ký", issuer=root.name, unit_id=root.id,
    )  # fmt: skip
    db.session.add(d)
    db.session.flush()
    lists = []
    for u in offices:
        lst = AwardList(year=2025, unit_id=u.id, state="decided", decision_id=d.id)
        db.session.add(lst)
        lists.append(lst)
    db.session.flush()
    for i in range(n):
        u, lst = offices[i % 10], lists[i % 10]
        name = f"{FAMILY[i % 10]} {MIDDLE[i % 6]} {GIVEN[(i // 10) % 10]}"
        p = Person(code=f"P{i:05d}", full_name=name, unit=u, category=Category.CIVIL_SERVANT)
        db.session.add(p)
        db.session.flush()
        award = "GK" if i % 3 == 0 else "LDTT"
        db.session.add(
            Nomination(
                list_id=lst.id, year=2025, subject="person", subject_key=f"p{p.id}",
                person_id=p.id, award=award, source="manual" if award == "GK" else "rule",
                status="manual" if award == "GK" else "proposed", passed=True,
            )
        )  # fmt: skip
    db.session.commit()
    return d


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--out", default="/tmp/bench_certificates")
    args = ap.parse_args()

    benchdb.configure_env(args.db, NAME)
    benchdb.reset_database(args.db, NAME)
    app = benchdb.make_app()
    benchdb.upgrade_schema(app)

    import pypdf

    from awards import certificates as certs

    print(f"code {benchdb.code_version()}; db {args.db}; {args.n} recipients")
    with app.test_request_context():
        d = build(args.n)
        t = time.perf_counter()
        rows = certs.certificate_rows(None, d)
        spent = time.perf_counter() - t
        print(f"rows {len(rows)}: {spent:.2f} s; RSS {benchdb.current_rss_mb():.0f} MB")
        for mode in ("full", "blank"):
            walls, cpus = [], []
            for _ in range(args.runs):
                t, c = time.perf_counter(), time.process_time()
                data = certs.decision_pdf(d, mode, rows)
                walls.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
                print(
                    f"  {mode}: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU "
                    f"(load {benchdb.load_average()}); peak RSS {benchdb.peak_rss_mb():.0f} MB"
                )
            out = Path(f"{args.out}_{mode}.pdf")
            out.write_bytes(data)
            pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
            print(
                f"{mode}: PDF {len(data) / 1e6:.2f} MB, {pages} pages -> {out}; best "
                f"{min(walls):.2f} s wall, {min(cpus):.2f} s CPU"
            )
    print(f"peak RSS {benchdb.peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
