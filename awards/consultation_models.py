"""The tables of the public consultation before state-level commendations (issue 13 item 3):
the public holidays of each calendar year (the working-day calendar) and, per award list, its
publication for consultation and the comments received."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db


class HolidayCalendar(db.Model):
    """A calendar year whose holidays were edited: its days are then the rows of
    public_holidays; a year without a row reads as the shipped defaults
    (awards.rules.workdays.default_holidays), so nothing is written on a read. `version` grows
    on every change (a form opened before answers 409)."""

    __tablename__ = "holiday_calendars"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    days = relationship("PublicHoliday", order_by="PublicHoliday.day", cascade="all, delete-orphan")


class PublicHoliday(db.Model):
    """One day off of an edited calendar year (a weekday off makes it a non-working day)."""

    __tablename__ = "public_holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("holiday_calendars.year", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("year", "day"),)


class Consultation(db.Model):
    """The publication of an award list for public consultation ("Công bố lấy ý kiến"): the
    list cannot be submitted before the end of `ends_on`, the last of `window_days` working
    days after the publication day (kept in step with the calendar when holidays change)."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        ForeignKey("award_lists.id", ondelete="CASCADE"), unique=True
    )
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
    published_on: Mapped[dt.date] = mapped_column(Date)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    window_days: Mapped[int] = mapped_column(Integer)
    ends_on: Mapped[dt.date] = mapped_column(Date)

    published_by = relationship("User")
    comments = relationship(
        "ConsultationComment",
        order_by="(ConsultationComment.received_on, ConsultationComment.id)",
        cascade="all, delete-orphan",
    )


class ConsultationComment(db.Model):
    """A comment received during the consultation, entered by a staff member."""

    __tablename__ = "consultation_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    author_name: Mapped[str] = mapped_column(String(200))
    author_address: Mapped[str] = mapped_column(String(300), default="")
    content: Mapped[str] = mapped_column(String(4000))
    received_on: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    created_by = relationship("User")

    __table_args__ = (Index("ix_consultation_comments_consultation_id", "consultation_id"),)
