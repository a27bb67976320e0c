"""The table of certificate layouts (issue 13 item 5): where each field goes on the pre-printed
blank (phôi) of an award code. One layout per award code for every year (a stock of blanks
outlives a year); a code without a row prints at the defaults of awards.rules.certificates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db


class CertificateLayout(db.Model):
    """The stored layout of one award code's blank: page size and orientation, and per field
    (issuer, name, unit, award, decision, date, signer) {x_mm, y_mm, width_mm, font_pt, align}
    in `fields`. `version` grows on every change (a form opened before answers 409)."""

    __tablename__ = "certificate_layouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    page_size: Mapped[str] = mapped_column(String(4), default="A4")
    orientation: Mapped[str] = mapped_column(String(10), default="landscape")
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("page_size IN ('A3','A4','A5')", name="page_size"),
        CheckConstraint("orientation IN ('landscape','portrait')", name="orientation"),
    )
