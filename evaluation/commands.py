"""CLI of the evaluation: flask --app wsgi recompute YEAR [--unit CODE]."""

from __future__ import annotations

import click
from flask import g
from sqlalchemy import select

from evaluation.compute import recompute
from evaluation.queries import get_year
from service.extensions import db
from service.org.models import Unit


def init_app(app):
    @app.cli.command("recompute")
    @click.argument("year", type=int)
    @click.option("--unit", "unit_code", default=None, help="Chỉ phạm vi tỷ lệ chứa đơn vị này.")
    def recompute_cmd(year, unit_code):
        """Tính lại kết quả xếp loại của một năm (in tiến độ)."""
        g.db_writes = True  # SQLite: take the write lock first (service.will_write)
        unit = None
        if unit_code:
            unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
            if unit is None:
                raise click.BadParameter(f"Không có đơn vị {unit_code}.")

        def progress(done, total, message):
            click.echo(f"\r{message}: {done}/{total}", nl=False)

        counts = recompute(get_year(year), unit, progress)
        db.session.commit()
        click.echo(f"\nĐã tính: {counts}")
