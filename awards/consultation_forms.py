"""WTForms of the public consultation pages (Flask-WTF adds CSRF to each): publishing a list
for consultation, a comment received, and a day added to or removed from a year's holidays."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from service.common.forms import Form, IntegerInput, VnDateField, strip


class PublishForm(Form):
    pass


class CommentForm(Form):
    author_name = StringField(
        "Người góp ý",
        filters=[strip],
        validators=[DataRequired("Nhập người góp ý."), Length(max=200)],
    )
    author_address = StringField("Đơn vị / địa chỉ", filters=[strip], validators=[Length(max=300)])
    content = TextAreaField(
        "Nội dung", filters=[strip], validators=[DataRequired("Nhập nội dung."), Length(max=4000)]
    )
    received_on = VnDateField(
        "Ngày nhận (dd/mm/yyyy)", validators=[InputRequired("Nhập ngày nhận (dd/mm/yyyy).")]
    )

    def comment_data(self) -> dict:
        return {f: getattr(self, f).data for f in (
            "author_name", "author_address", "content", "received_on"
        )}  # fmt: skip


def _version():
    return IntegerInput(
        "Phiên bản", validators=[InputRequired("Thiếu phiên bản.")], widget=HiddenInput()
    )


class HolidayForm(Form):
    day = VnDateField("Ngày (dd/mm/yyyy)", validators=[InputRequired("Nhập ngày (dd/mm/yyyy).")])
    name = StringField(
        "Tên ngày nghỉ",
        filters=[strip],
        validators=[DataRequired("Nhập tên ngày nghỉ."), Length(max=200)],
    )
    version = _version()


class RemoveHolidayForm(Form):
    day = VnDateField("Ngày", validators=[InputRequired("Thiếu ngày.")], widget=HiddenInput())
    version = _version()
