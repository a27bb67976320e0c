"""The job as the API answers it."""

from __future__ import annotations

from marshmallow import fields

from service.common.schemas import BaseSchema


class JobSchema(BaseSchema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    params = fields.Dict(required=True)
    status = fields.String(
        required=True, metadata={"enum": ["queued", "running", "done", "failed"]}
    )
    status_label = fields.String(required=True)
    unit_code = fields.String(allow_none=True)
    done = fields.Integer(required=True)
    total = fields.Integer(required=True)
    percent = fields.Integer(required=True)
    message = fields.String(required=True)
    result = fields.Raw(allow_none=True)
    created_at = fields.String(allow_none=True, metadata={"description": "dd/mm/yyyy hh:mm:ss"})
    run_after = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
