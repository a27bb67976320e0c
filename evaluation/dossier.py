"""The evidence files of the violation records (issue 13 item 2), kept by the core's file store
(service.files): read by whoever may read the subject's evaluation, added and removed by staff
who enter for it (violation.attach). Shown on the core's dossier page of the record, linked
from the person's page."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from evaluation.models import EvalYear, Violation
from service.auth.access import can
from service.extensions import db
from service.files.registry import OwnerKind, register_owner_kind
from service.org.models import Person

DOC_TYPES = {"bang_chung": "Bằng chứng", "khac": "Khác"}


def _violation(violation_id: int) -> Violation | None:
    return db.session.scalar(
        select(Violation)
        .where(Violation.id == violation_id)
        .options(joinedload(Violation.person).joinedload(Person.unit), joinedload(Violation.unit))
    )


def _unit(v: Violation):
    return v.person.unit if v.person else v.unit


def _year(v: Violation) -> int:
    return db.session.scalar(select(EvalYear.year).where(EvalYear.id == v.year_id))


def _title(v: Violation) -> str:
    who = v.person.full_name if v.person else v.unit.name
    return f"Vi phạm {v.code} năm {_year(v)} — {who}"


def _back(v: Violation):
    if v.person is None:
        return (
            "Kết quả đơn vị",
            url_for("evaluation.unit_ratings", year=_year(v), code=v.unit.code),
        )
    return (
        v.person.full_name,
        url_for("evaluation.person_result", year=_year(v), code=v.person.code),
    )


register_owner_kind(
    OwnerKind(
        kind="violation",
        label="Vi phạm Chỉ thị 24",
        doc_types=DOC_TYPES,
        find=_violation,
        may_read=lambda user, v: can(user, "evaluation.read", _unit(v)),
        may_write=lambda user, v: can(user, "violation.attach", _unit(v)),
        title=_title,
        page=lambda v: url_for("files.dossier", kind="violation", owner_id=v.id),
        back=_back,
        unit_id=lambda v: _unit(v).id,
    )
)
