"""Yearly evaluation data: years with their rule pack and violation catalog, the inputs (monthly
scores, yearly individual and unit inputs, violation records, history), the computed ratings with
their explanation, the decisions on them and the per-unit workflow (background jobs: service.jobs).

Ratings are replaced wholesale by a recompute; what people decide (proposal, final level) lives
in RatingDecision so a recompute never loses it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.auth.access import can, is_admin
from service.extensions import db

MONTHS = tuple(range(1, 13))
Points = Numeric(5, 2)
MONTH_KEYS = tuple(f"m{m}" for m in MONTHS)
# the input columns of PersonEval and UnitEval (audit snapshots, JSON shapes, imports)
PERSON_EVAL_FIELDS = (
    "ct",
    "dd",
    "tp",
    "kl",
    *MONTH_KEYS,
    "task_points",
    "tasks_total",
    "tasks_late",
    "tasks_exceeded",
    "months_worked",
    "maternity",
    "discipline_form",
    "discipline_year",
    "discipline_date",
    "party_discipline",
    "counted_before",
    "self_remedied",
    "under_review",
    "initiatives_base",
    "initiatives_city",
)
UNIT_EVAL_FIELDS = (
    "ct",
    "dd",
    "tp",
    "kl",
    "k1",
    "k2",
    "k3",
    "k4",
    "task_points",
    "targets_total",
    "targets_done",
    "targets_late",
    "targets_exceeded",
    "subunits_total",
    "subunits_disciplined",
    "leadership_disciplined",
    "corruption_case",
    "under_review",
)


# where a year's rule pack came from when no earlier year had one (EvalYear.pack_source)
DEFAULT_SOURCE = "mặc định theo quy định"


class EvalYear(db.Model):
    """Năm đánh giá: its rule pack (RULES.md parameters) as JSON; catalog in ViolationTypeRow."""

    __tablename__ = "eval_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    pack: Mapped[dict] = mapped_column(JSON)
    pack_source: Mapped[str] = mapped_column(String(50), default="")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    computed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),)

    @staticmethod
    def can_open(user) -> bool:
        return is_admin(user)

    @property
    def has_approved(self) -> bool:
        """Some list of the year is approved: its pack and catalog are then fixed."""
        return bool(
            db.session.scalar(
                db.select(db.exists().where(Review.year_id == self.id, Review.state == "approved"))
            )
        )

    @property
    def pack_locked(self) -> bool:
        return self.locked or self.has_approved

    def can_edit_pack(self, user) -> bool:
        """The pack and the catalog: administrators, until the year is locked or a list of it
        is approved."""
        return is_admin(user) and not self.pack_locked

    def can_override_quota(self, user) -> bool:
        return is_admin(user)

    def can_compute(self, user, unit=None) -> bool:
        """Recompute the quota scope of `unit` (its staff or committee), or the whole year
        (administrators)."""
        if unit is None:
            return is_admin(user)
        return can(user, "evaluation.enter", unit) or can(user, "evaluation.approve", unit)


class ViolationTypeRow(db.Model):
    """One item of the year's Directive 24 catalog (RULES.md D)."""

    __tablename__ = "violation_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("eval_years.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    group: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    applies_to: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))

    __table_args__ = (
        UniqueConstraint("year_id", "code"),
        CheckConstraint("applies_to IN ('individual','collective','both')", name="applies_to"),
        CheckConstraint("severity IN ('minor','serious')", name="severity"),
    )


class PersonEval(db.Model):
    """Yearly individual inputs of one person (RULES.md A; template "Đánh giá cá nhân")."""

    __tablename__ = "person_evals"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("eval_years.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    ct: Mapped[Decimal | None] = mapped_column(Points)
    dd: Mapped[Decimal | None] = mapped_column(Points)
    tp: Mapped[Decimal | None] = mapped_column(Points)
    kl: Mapped[Decimal | None] = mapped_column(Points)
    m1: Mapped[Decimal | None] = mapped_column(Points)
    m2: Mapped[Decimal | None] = mapped_column(Points)
    m3: Mapped[Decimal | None] = mapped_column(Points)
    m4: Mapped[Decimal | None] = mapped_column(Points)
    m5: Mapped[Decimal | None] = mapped_column(Points)
    m6: Mapped[Decimal | None] = mapped_column(Points)
    m7: Mapped[Decimal | None] = mapped_column(Points)
    m8: Mapped[Decimal | None] = mapped_column(Points)
    m9: Mapped[Decimal | None] = mapped_column(Points)
    m10: Mapped[Decimal | None] = mapped_column(Points)
    m11: Mapped[Decimal | None] = mapped_column(Points)
    m12: Mapped[Decimal | None] = mapped_column(Points)
    task_points: Mapped[Decimal | None] = mapped_column(Points)
    tasks_total: Mapped[int] = mapped_column(Integer, default=0)
    tasks_late: Mapped[int] = mapped_column(Integer, default=0)
    tasks_exceeded: Mapped[int] = mapped_column(Integer, default=0)
    months_worked: Mapped[int] = mapped_column(Integer, default=12)
    maternity: Mapped[bool] = mapped_column(Boolean, default=False)
    discipline_form: Mapped[str | None] = mapped_column(String(30))
    discipline_year: Mapped[int | None] = mapped_column(Integer)
    discipline_date: Mapped[dt.date | None] = mapped_column(Date)
    party_discipline: Mapped[bool] = mapped_column(Boolean, default=False)
    counted_before: Mapped[bool] = mapped_column(Boolean, default=False)
    self_remedied: Mapped[bool] = mapped_column(Boolean, default=False)
    under_review: Mapped[bool] = mapped_column(Boolean, default=False)
    initiatives_base: Mapped[int] = mapped_column(Integer, default=0)
    initiatives_city: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )
    # optimistic version: 1 when created, +1 at each change (violation records included)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    person = relationship("Person")

    __table_args__ = (
        UniqueConstraint("year_id", "person_id"),
        Index("ix_person_evals_person_id", "person_id"),
        CheckConstraint("tasks_late <= tasks_total AND tasks_exceeded <= tasks_total", "tasks"),
        CheckConstraint("months_worked BETWEEN 0 AND 12", name="months_worked"),
    )


class UnitEval(db.Model):
    """Yearly unit inputs (RULES.md B; template "Đánh giá tập thể")."""

    __tablename__ = "unit_evals"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("eval_years.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    ct: Mapped[Decimal | None] = mapped_column(Points)
    dd: Mapped[Decimal | None] = mapped_column(Points)
    tp: Mapped[Decimal | None] = mapped_column(Points)
    kl: Mapped[Decimal | None] = mapped_column(Points)
    k1: Mapped[bool] = mapped_column(Boolean, default=False)
    k2: Mapped[bool] = mapped_column(Boolean, default=False)
    k3: Mapped[bool] = mapped_column(Boolean, default=False)
    k4: Mapped[bool] = mapped_column(Boolean, default=False)
    task_points: Mapped[Decimal | None] = mapped_column(Points)
    targets_total: Mapped[int] = mapped_column(Integer, default=0)
    targets_done: Mapped[int] = mapped_column(Integer, default=0)
    targets_late: Mapped[int] = mapped_column(Integer, default=0)
    targets_exceeded: Mapped[int] = mapped_column(Integer, default=0)
    subunits_total: Mapped[int] = mapped_column(Integer, default=0)
    subunits_disciplined: Mapped[int] = mapped_column(Integer, default=0)
    leadership_disciplined: Mapped[bool] = mapped_column(Boolean, default=False)
    corruption_case: Mapped[bool] = mapped_column(Boolean, default=False)
    under_review: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )
    # optimistic version: 1 when created, +1 at each change (violation records included)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    unit = relationship("Unit")

    __table_args__ = (
        UniqueConstraint("year_id", "unit_id"),
        CheckConstraint(
            "targets_late <= targets_total AND targets_exceeded <= targets_total "
            "AND targets_done <= targets_total AND subunits_disciplined <= subunits_total",
            name="targets",
        ),
    )


class Violation(db.Model):
    """A recorded Directive 24 violation of a person or a unit (RULES.md D). Never deleted:
    removal keeps the record with who, when and why."""

    __tablename__ = "violations"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("eval_years.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    found_on: Mapped[dt.date | None] = mapped_column(Date)
    how_found: Mapped[str] = mapped_column(String(20), default="other")
    evidence: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_reason: Mapped[str | None] = mapped_column(Text)

    person = relationship("Person")
    unit = relationship("Unit")

    __table_args__ = (
        Index("ix_violations_year_person", "year_id", "person_id"),
        Index("ix_violations_year_unit", "year_id", "unit_id"),
        CheckConstraint("(person_id IS NULL) <> (unit_id IS NULL)", name="person_or_unit"),
        CheckConstraint(
            "how_found IN ('self_check','inspection','complaint','other')", name="how_found"
        ),
    )


class History(db.Model):
    """A past year's outcome of a person or unit (template "Lịch sử"); never recomputed."""

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    official_level: Mapped[str | None] = mapped_column(String(3))
    party_level: Mapped[str | None] = mapped_column(String(3))
    awards: Mapped[list] = mapped_column(JSON, default=list)
    initiatives_base: Mapped[int] = mapped_column(Integer, default=0)
    initiatives_city: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("year", "person_id"),
        UniqueConstraint("year", "unit_id"),
        Index("ix_history_person_id", "person_id"),
        Index("ix_history_unit_id", "unit_id"),
        CheckConstraint("(person_id IS NULL) <> (unit_id IS NULL)", name="person_or_unit"),
    )


class Rating(db.Model):
    """A computed rating with its explanation (rule steps). `list_unit_id` is the unit whose
    workflow list holds it: a person's unit for people, the parent unit for a unit (its own
    unit when it has no parent). `scope` is the quota scope key as a JSON list. `steps` is
    the explanation: [rule_id, template key (RatingTemplate), figures] per step, figures 0
    where they are the step before's; compute.explain renders it (rows written before
    2026-12-03 hold rendered {rule_id, message_vi, figures} dicts).

    `digest` is a 64-bit hash of everything stored but `computed_at` (compute.row_digest): a
    recompute rewrites only the rows whose digest changed, so `computed_at` is when this
    result last changed. The unique keys lead with the subject, so they also serve the
    lookups (and the cascading deletes) by person and by unit."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("eval_years.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    list_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(3))
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    task_points: Mapped[Decimal | None] = mapped_column(Points)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    scope: Mapped[str] = mapped_column(String(300), default="")
    steps: Mapped[list] = mapped_column(JSON, default=list)
    digest: Mapped[int | None] = mapped_column(BigInteger)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)

    person = relationship("Person")
    unit = relationship("Unit", foreign_keys=[unit_id])

    __table_args__ = (
        UniqueConstraint("person_id", "year_id", "kind"),
        UniqueConstraint("unit_id", "year_id", "kind"),
        Index("ix_ratings_list", "year_id", "list_unit_id"),
        Index("ix_ratings_scope", "year_id", "scope"),
        CheckConstraint("kind IN ('official','party','unit')", name="kind"),
        CheckConstraint("level IN ('XS','T','HT','KHT','NR')", name="level"),
    )


class RatingTemplate(db.Model):
    """The message template of an explanation step, by its key (16 hex digits of its BLAKE2b
    hash). A stored rating's steps name their template by key and keep only the figures, so a
    row holds a fraction of the text and its messages read the same years later even after the
    code's wording changes (a changed template is a new key). Written by the recompute that first
    stores a step with it; never changed."""

    __tablename__ = "rating_templates"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    template: Mapped[str] = mapped_column(Text)


class RatingDecision(db.Model):
    """What people decided on a rating (A11): the head's proposal and the committee's final
    level. Kept apart from Rating so recomputing never loses it."""

    __tablename__ = "rating_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("eval_years.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    proposed_level: Mapped[str | None] = mapped_column(String(3))
    proposal_reason: Mapped[str | None] = mapped_column(Text)
    final_level: Mapped[str | None] = mapped_column(String(3))
    final_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        UniqueConstraint("year_id", "kind", "person_id"),
        UniqueConstraint("year_id", "kind", "unit_id"),
    )


class Review(db.Model):
    """The rating list of one unit in one year and where it stands in the workflow."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("eval_years.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default="open")
    version: Mapped[int] = mapped_column(Integer, default=0)
    last_action: Mapped[str | None] = mapped_column(String(20))
    last_reason: Mapped[str | None] = mapped_column(Text)
    last_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )

    unit = relationship("Unit")
    year = relationship("EvalYear")

    __table_args__ = (
        UniqueConstraint("year_id", "unit_id"),
        CheckConstraint("state IN ('open','submitted','approved')", name="state"),
    )

    @property
    def accepts_inputs(self) -> bool:
        """The inputs of the list's people and units may change: open, in an unlocked year."""
        return self.state == "open" and not self.year.locked

    def can_enter(self, user) -> bool:
        return self.accepts_inputs and can(user, "evaluation.enter", self.unit)

    def allowed_actions(self, user) -> list:
        """The workflow transitions `user` may take from the list's state (none once the year
        is locked)."""
        from evaluation.workflow import TRANSITIONS, may

        if self.year.locked:
            return []
        return [t for t in TRANSITIONS if t.state == self.state and may(user, t.role, self.unit)]

    def can_act(self, user, action: str) -> bool:
        return any(t.action == action for t in self.allowed_actions(user))

    def can_submit(self, user) -> bool:
        return self.can_act(user, "submit")

    def can_return(self, user) -> bool:
        return self.can_act(user, "return")

    def can_approve(self, user) -> bool:
        return self.can_act(user, "approve")

    def can_reopen(self, user) -> bool:
        return self.can_act(user, "reopen")

    def can_propose(self, user) -> bool:
        """A11: the head's proposal (through staff), while the list is open."""
        return self.can_enter(user)

    def can_decide(self, user) -> bool:
        """A11: the committee's final level, while the list is submitted."""
        return (
            self.state == "submitted"
            and not self.year.locked
            and can(user, "evaluation.approve", self.unit)
        )


class QuotaOverride(db.Model):
    """A council's other p for one quota scope and year (A10 exception), with its reason."""

    __tablename__ = "quota_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("eval_years.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(300))
    p: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("year_id", "scope"),
        CheckConstraint("p BETWEEN 0 AND 100", name="p_range"),
    )
