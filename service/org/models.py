"""The organization: units in a tree (materialized path) and the people who belong to them."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    event,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.common.vietnamese import fold, vi_sort_key
from service.extensions import db

# Paths compare byte by byte so that a prefix is a contiguous index range on every database.
PathString = String(400).with_variant(String(400, collation="C"), "postgresql")
# Sort keys (vi_sort_key) are ASCII built to compare code point by code point: "C" again, since a
# locale collation would skip the separators.
SortKeyString = String(600).with_variant(String(600, collation="C"), "postgresql")


class Category(enum.StrEnum):
    """Đối tượng: which civil-service law rates the person (RULES.md A, `official`)."""

    CADRE = "can_bo"
    CIVIL_SERVANT = "cong_chuc"
    PUBLIC_EMPLOYEE = "vien_chuc"
    EMPLOYEE = "nguoi_lao_dong"


CATEGORY_LABELS = {
    Category.CADRE: "cán bộ",
    Category.CIVIL_SERVANT: "công chức",
    Category.PUBLIC_EMPLOYEE: "viên chức",
    Category.EMPLOYEE: "người lao động",
}


class PartyStatus(enum.StrEnum):
    ACTIVE = "active"
    EXEMPT = "exempt"
    SUSPENDED = "suspended"


PARTY_STATUS_LABELS = {
    PartyStatus.ACTIVE: "đang sinh hoạt",
    PartyStatus.EXEMPT: "miễn sinh hoạt",
    PartyStatus.SUSPENDED: "đình chỉ",
}


class Gender(enum.StrEnum):
    MALE = "nam"
    FEMALE = "nu"


GENDER_LABELS = {Gender.MALE: "Nam", Gender.FEMALE: "Nữ"}


def _enum(cls, name):
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
    )


def _search_default(column: str):
    """The insert default of a search_name column: fold() of the row's `column`."""

    def default(context) -> str:
        return fold(context.get_current_parameters().get(column))

    return default


class Unit(db.Model):
    """Đơn vị. `path` is "/id/…/id/" from the root: a subtree is one index range (see subtree())."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    # fold(name): what a search typed without accents matches (searches compare it with LIKE,
    # not a fold per row). The ORM sets it with the name (event below); Core inserts get it
    # from the default, Core updates of the name must pass it (unit_name_values).
    search_name: Mapped[str] = mapped_column(
        String(255), default=_search_default("name"), deferred=True
    )
    kind: Mapped[str] = mapped_column(String(100), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    quota_root: Mapped[bool] = mapped_column(Boolean, default=False)
    path: Mapped[str] = mapped_column(PathString, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")

    __table_args__ = (
        Index("ix_units_path", "path"),
        Index("ix_units_parent_id", "parent_id"),
        # a code is one unit whatever its case (pw-vp is PW-VP): the lookups by upper(code)
        Index("ix_units_code_upper", func.upper(code)),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    @staticmethod
    def subtree_clause(path: str, column=None):
        """SQL condition "unit path lies under `path`" as a range, so a b-tree index answers it.

        Ids are digits and the separator is "/" (0x2F) which sorts just below "0" (0x30), hence
        every path starting with "/1/5/" lies in ["/1/5/", "/1/50")."""
        col = column if column is not None else Unit.path
        return and_(col >= path, col < path[:-1] + "0")

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


def _sort_name_default(context) -> str:
    return vi_sort_key(context.get_current_parameters().get("full_name") or "")


class Person(db.Model):
    """Cán bộ: every field of the "Cán bộ" import template."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    # vi_sort_key(full_name): the Vietnamese name order. Set by the "set" event below for the ORM;
    # Core inserts get it from the default, Core updates must pass it (see sort_name_values).
    sort_name: Mapped[str] = mapped_column(SortKeyString, default=_sort_name_default)
    # fold(full_name), kept the same way: «nguyen van an» finds «Nguyễn Văn An». Deferred, as
    # the unit's: only searches read it, and a list's rows (sorted for a page) stay as narrow
    search_name: Mapped[str] = mapped_column(
        String(255), default=_search_default("full_name"), deferred=True
    )
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    gender: Mapped[Gender | None] = mapped_column(_enum(Gender, "gender"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    position: Mapped[str] = mapped_column(String(255), default="")
    duty_group: Mapped[str] = mapped_column(String(100), default="")
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[Category | None] = mapped_column(_enum(Category, "category"))
    is_party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    party_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    admitted_on: Mapped[dt.date | None] = mapped_column(Date)
    party_gap_days: Mapped[int] = mapped_column(Integer, default=0)
    party_status: Mapped[PartyStatus | None] = mapped_column(_enum(PartyStatus, "party_status"))
    seriously_ill: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    party_unit: Mapped[Unit | None] = relationship(foreign_keys=[party_unit_id])

    __table_args__ = (
        # covers the people list of a subtree in its page order (sort_name, code) per unit
        Index("ix_people_unit_id_sort_name", "unit_id", "sort_name", "code"),
        Index("ix_people_party_unit_id", "party_unit_id"),
        Index("ix_people_full_name", "full_name"),
        Index("ix_people_code_upper", func.upper(code)),  # pw001 is PW001: its lookups
        CheckConstraint("party_gap_days >= 0", name="gap_days_non_negative"),
    )

    def __repr__(self) -> str:
        return f"<Person {self.code}>"


@event.listens_for(Person.full_name, "set")
def _full_name_set(target: Person, value, _old, _initiator) -> None:
    target.sort_name = vi_sort_key(value or "")
    target.search_name = fold(value)


@event.listens_for(Unit.name, "set")
def _unit_name_set(target: Unit, value, _old, _initiator) -> None:
    target.search_name = fold(value)


def sort_name_values(values: dict) -> dict:
    """`values` for a Core insert or update of people, with the columns kept from full_name
    (sort_name, search_name) when full_name is there."""
    if "full_name" in values:
        name = values["full_name"] or ""
        return {**values, "sort_name": vi_sort_key(name), "search_name": fold(name)}
    return values


def unit_name_values(values: dict) -> dict:
    """`values` for a Core update of units, with search_name when the name is there."""
    if "name" in values:
        return {**values, "search_name": fold(values["name"])}
    return values
