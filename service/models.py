"""Every model, imported once so the metadata (and Alembic autogenerate) sees them all."""

from service.audit.models import AuditEntry
from service.auth.models import ApiToken, RoleAssignment, User
from service.org.models import Person, Unit

__all__ = ["ApiToken", "AuditEntry", "Person", "RoleAssignment", "Unit", "User"]

from service.imports.models import ImportRun  # noqa: E402

__all__ += ["ImportRun"]

from evaluation.models import (  # noqa: E402
    EvalYear,
    History,
    Job,
    PersonEval,
    QuotaOverride,
    Rating,
    RatingDecision,
    Review,
    UnitEval,
    Violation,
    ViolationTypeRow,
)

__all__ += [
    "EvalYear",
    "History",
    "Job",
    "PersonEval",
    "QuotaOverride",
    "Rating",
    "RatingDecision",
    "Review",
    "UnitEval",
    "Violation",
    "ViolationTypeRow",
]
