"""WTForms of the dossier card (Flask-WTF adds CSRF): upload a file, remove one with a reason.
The operation checks the values and answers in Vietnamese; the forms only carry them."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import SelectField, StringField

from service.common.forms import Form, strip


class UploadForm(Form):
    file = FileField("Tệp")
    doc_type = SelectField("Loại tài liệu", choices=[], validate_choice=False)


class RemoveAttachmentForm(Form):
    reason = StringField("Lý do gỡ", filters=[strip])
