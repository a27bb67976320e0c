"""What the export endpoints answer besides the file: the job of a large export, a user's jobs."""

from __future__ import annotations

from service.common.schemas import OutSchema, fields
from service.jobs.schemas import JobOutSchema


class ExportJobSchema(OutSchema):
    """A large export, written by a job (its `download_url` once done)."""

    job = fields.Nested(JobOutSchema)


class ExportJobsSchema(OutSchema):
    items = fields.List(fields.Nested(JobOutSchema))
