"""The awards' tables. The registry of initiatives (sáng kiến), research projects (đề tài) and
good models (mô hình, cách làm hay): the one store RULES.md C counts (TEMPLATES.md "Sáng kiến,
mô hình")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from awards.rules.facts import BASE, CITY, LEVEL_LABELS, NATIONAL
from service.extensions import db

INITIATIVE, RESEARCH, MODEL = "sang_kien", "de_tai", "mo_hinh"
KIND_LABELS = {INITIATIVE: "sáng kiến", RESEARCH: "đề tài", MODEL: "mô hình"}
LEVELS = (BASE, CITY, NATIONAL)
REGISTRY, PERSON_EVAL, HISTORY = "registry", "person_eval", "history"
SOURCE_LABELS = {REGISTRY: "sổ sáng kiến", PERSON_EVAL: "Đánh giá cá nhân", HISTORY: "Lịch sử"}
COUNT_COLUMNS = {BASE: "Sáng kiến cấp cơ sở", CITY: "Sáng kiến cấp thành phố"}
__all__ = [
    "KIND_LABELS",
    "LEVEL_LABELS",
    "AwardCatalogEntry",
    "AwardList",
    "Decision",
    "Initiative",
    "InitiativeAuthor",
    "Nomination",
]


class Initiative(db.Model):
    """One recognized sáng kiến, đề tài or mô hình. A mô hình is owned by a unit, a sáng kiến
    or đề tài by its authors; `owner_key` names the owner ("u<unit id>" or "p<person ids>",
    sorted) so that (year, kind, title, owner) is the row's natural key, as the import matches
    rows. `version` grows on every change (a form opened before answers 409).

    `source` "registry": entered by hand or imported ("Sáng kiến, mô hình"), named. The count
    columns of "Đánh giá cá nhân" (`person_eval`) and "Lịch sử" (`history`) write unnamed
    entries (awards.unnamed): title "", `quantity` the count, one per (subject, year, source,
    level), its author the person (a unit's history row: a mô hình of the unit); they follow
    the count column and are not edited by hand. The rules count sum(quantity)."""

    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(500))
    level: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    owner_key: Mapped[str] = mapped_column(String(400))
    decision_no: Mapped[str] = mapped_column(String(100), default="")
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    source: Mapped[str] = mapped_column(String(12), default=REGISTRY, server_default=REGISTRY)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    unit = relationship("Unit")
    authors = relationship(
        "InitiativeAuthor",
        order_by="InitiativeAuthor.position",
        cascade="all, delete-orphan",
        back_populates="initiative",
    )

    __table_args__ = (
        UniqueConstraint("year", "kind", "title", "owner_key"),
        Index("ix_initiatives_unit_id", "unit_id"),
        CheckConstraint("kind IN ('sang_kien','de_tai','mo_hinh')", name="kind"),
        CheckConstraint("level IN ('co_so','thanh_pho','toan_quoc')", name="level"),
        CheckConstraint("(kind = 'mo_hinh') = (unit_id IS NOT NULL)", name="model_has_unit"),
        CheckConstraint("source IN ('registry','person_eval','history')", name="source"),
        CheckConstraint(
            "quantity >= 1 AND (source <> 'registry' OR quantity = 1)", name="quantity"
        ),
    )

    @property
    def unnamed(self) -> bool:
        """Written from a count column (awards.unnamed): not edited by hand."""
        return self.source != REGISTRY

    @property
    def display_title(self) -> str:
        if not self.unnamed:
            return self.title
        return (
            f"(không tên — từ cột «{COUNT_COLUMNS[self.level]}» của "
            f"{SOURCE_LABELS[self.source]} {self.year})"
        )

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


class InitiativeAuthor(db.Model):
    """An author of a sáng kiến or đề tài (co-authored entries count for each author)."""

    __tablename__ = "initiative_authors"

    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    initiative = relationship("Initiative", back_populates="authors")
    person = relationship("Person")

    __table_args__ = (Index("ix_initiative_authors_person_id", "person_id"),)


def owner_key(kind: str, unit_id: int | None, person_ids) -> str:
    """The owner part of the natural key: the unit of a mô hình, the sorted authors otherwise."""
    if kind == MODEL:
        return f"u{unit_id}"
    return "p" + ",".join(str(i) for i in sorted(set(person_ids)))


# --- the decision registry (issue 13 item 4) ------------------------------------------------

DECISION_LEVELS = {
    "co_so": "Cấp cơ sở (xã, phường, cơ quan, đơn vị)",
    "huyen": "Cấp huyện (quận, huyện, thị xã, sở, ngành)",
    "thanh_pho": "Cấp thành phố",
    "nha_nuoc": "Cấp Nhà nước",
}


class Decision(db.Model):
    """A commendation decision (quyết định khen thưởng): number, date, level, signer and the
    issuing body, and the award lists it decides (AwardList.decision_id). One decision may
    decide several lists of the same issuing unit and year; per nominee the result is the
    nomination's (awarded, or refused by the council's vote). The registry is where a
    person's award is traced to its decision."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(10), default="co_so")
    signer: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(300), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    unit = relationship("Unit")
    lists = relationship("AwardList", back_populates="decision", order_by="AwardList.id")

    __table_args__ = (
        UniqueConstraint("unit_id", "year", "number"),
        Index("ix_decisions_decided_on", "decided_on"),
        CheckConstraint("level IN ('co_so','huyen','thanh_pho','nha_nuoc')", name="level"),
    )

    @property
    def level_label(self) -> str:
        return DECISION_LEVELS[self.level]


# --- award lists and their nominations (RULES.md C9, C11) -----------------------------------

LIST_STATES = ("draft", "submitted", "approved", "returned", "decided")
NOMINATION_STATUSES = ("proposed", "over_cap", "blocked", "manual", "removed")


class AwardList(db.Model):
    """The award list of a unit's subtree for a year (C11): draft → submitted → approved |
    returned (with a reason; edited and submitted again) → decided (decision number, date,
    signer), then locked. `provisional`: some proposal rests on a rating not yet approved (such
    a list cannot be submitted). `version` grows on every change (a page opened before a
    change answers 409)."""

    __tablename__ = "award_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    return_reason: Mapped[str] = mapped_column(String(1000), default="")
    decision_no: Mapped[str] = mapped_column(String(100), default="")
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    decision_signer: Mapped[str] = mapped_column(String(200), default="")
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    unit = relationship("Unit")
    decision = relationship("Decision", back_populates="lists")

    __table_args__ = (
        UniqueConstraint("year", "unit_id"),
        Index("ix_award_lists_unit_id", "unit_id"),
        Index("ix_award_lists_decision_id", "decision_id"),
        CheckConstraint(
            "state IN ('draft','submitted','approved','returned','decided')", name="state"
        ),
    )


def _unique_per_subject(subject: str) -> Index:
    """(<subject>_id, year, award) unique where <subject>_id is set (a partial index)."""
    where = text(f"{subject}_id IS NOT NULL")
    return Index(
        f"uq_nominations_{subject}_year_award", f"{subject}_id", "year", "award", unique=True,
        postgresql_where=where, sqlite_where=where,
    )  # fmt: skip


class Nomination(db.Model):
    """One (subject, award) of a list: proposed by a rule (`source` "rule", with the rule id and
    its reason steps in `why`), over the cap (C2) or blocked (C0, award ""), or nominated by
    staff with a reason (C9, "manual"); removed by staff with a reason ("removed": kept, not
    deleted). `subject_key` ("p<person id>" or "u<unit id>") names the subject in one value;
    (year, subject, award) is unique over every list of the year (__table_args__). `passed`:
    the council's outcome (C10), None before a vote."""

    __tablename__ = "nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("award_lists.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(6))
    subject_key: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    award: Mapped[str] = mapped_column(String(20), default="")
    source: Mapped[str] = mapped_column(String(6), default="rule")
    status: Mapped[str] = mapped_column(String(10))
    rule: Mapped[str] = mapped_column(String(10), default="")
    why: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    occasion: Mapped[dt.date | None] = mapped_column(Date)
    removed_reason: Mapped[str] = mapped_column(String(1000), default="")
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # who made a manual nomination; None on the rules' rows (the proposer is in the audit)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    award_list = relationship("AwardList")
    person = relationship("Person")
    unit = relationship("Unit")

    # (year, subject, award) unique over every list of the year: one partial index per kind
    # of subject, on its integer id (they also serve a person's or unit's cascade and the
    # lookups by subject). One index fewer, and no text key, than subject_key's unique
    # constraint beside an index per id: the database stores a city's 711,336 rows in about
    # 2 s less (bench/README.md)
    __table_args__ = (
        Index("ix_nominations_list_id", "list_id"),
        _unique_per_subject("person"),
        _unique_per_subject("unit"),
        CheckConstraint("subject IN ('person','unit')", name="subject"),
        CheckConstraint("source IN ('rule','manual')", name="source"),
        CheckConstraint(
            "status IN ('proposed','over_cap','blocked','manual','removed')", name="status"
        ),
        CheckConstraint("(person_id IS NULL) <> (unit_id IS NULL)", name="person_or_unit"),
    )


class AwardCatalogEntry(db.Model):
    """A year's edited copy of one award type (RULES.md C, P; issue 12 item 1): the fields an
    administrator may change. A code without a row reads as the shipped default
    (awards.rules.DEFAULT_AWARDS), so nothing is written on a read. `version` grows on every
    change (a form opened before answers 409)."""

    __tablename__ = "award_catalog"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    authority: Mapped[str] = mapped_column(String(300))
    cap_pct: Mapped[int | None] = mapped_column(Integer)
    vote_pct: Mapped[int] = mapped_column(Integer)
    vote_strict: Mapped[bool] = mapped_column(Boolean)
    state_level: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("year", "code"),
        CheckConstraint("cap_pct IS NULL OR (cap_pct BETWEEN 0 AND 100)", name="cap_pct"),
        CheckConstraint("vote_pct BETWEEN 1 AND 100", name="vote_pct"),
    )
