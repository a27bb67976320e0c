"""The job as the API answers it."""

from __future__ import annotations

from service.common.schemas import OutSchema, fields

_TEXT = {"allow_none": True}


class JobOutSchema(OutSchema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String(metadata={"description": "Tên công việc (tiếng Việt)."})
    params = fields.Dict()
    status = fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    status_label = fields.String()
    unit_code = fields.String(**_TEXT)
    done = fields.Integer()
    total = fields.Integer()
    percent = fields.Integer()
    message = fields.String(**_TEXT)
    result = fields.Dict(**_TEXT)
    download_url = fields.String(
        **_TEXT, metadata={"description": "Tải tệp của công việc (chỉ người yêu cầu), khi có."}
    )
    result_url = fields.String(
        **_TEXT, metadata={"description": "Trang xem kết quả của công việc đã xong, khi có."}
    )
    result_label = fields.String(**_TEXT)
    created_at = fields.String(**_TEXT, metadata={"description": "dd/mm/yyyy HH:MM:SS"})
    run_after = fields.String(**_TEXT)
    finished_at = fields.String(**_TEXT)
