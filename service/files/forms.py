"""WTForms of the dossier card (Flask-WTF adds CSRF): upload a file, remove one with a reason.
The operation checks the values and answers in Vietnamese; the forms only carry them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField

from service.common.forms import strip


class UploadForm(FlaskForm):
    file = FileField("Tệp")
    doc_type = SelectField("Loại tài liệu", choices=[], validate_choice=False)


class RemoveAttachmentForm(FlaskForm):
    reason = StringField("Lý do gỡ", filters=[strip])
