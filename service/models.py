"""The core's models, imported once so the metadata (and Alembic autogenerate) sees them; each
domain's init_app imports its own."""

from service.audit.models import AuditEntry
from service.auth.models import ApiToken, RoleAssignment, User
from service.imports.models import ImportRun
from service.jobs.models import Job
from service.org.models import Person, Unit

__all__ = ["ApiToken", "AuditEntry", "ImportRun", "Job", "Person", "RoleAssignment", "Unit", "User"]
