"""WTForms of the unit pages (Flask-WTF adds CSRF to each): an administrator adds a unit under
another, renames, re-kinds or moves one, and removes an empty one."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from service.common.forms import Form, strip
from service.org.schemas import CODE_RE

CODE_MESSAGE = "Mã chỉ gồm chữ không dấu, số và . _ - /"


class _UnitFields(Form):
    name = StringField(
        "Tên đơn vị",
        filters=[strip],
        validators=[DataRequired("Nhập tên đơn vị."), Length(max=255)],
    )
    kind = StringField("Loại đơn vị", filters=[strip], validators=[Optional(), Length(max=100)])
    quota_root = BooleanField("Đơn vị tính tỷ lệ (A10)")


class UnitChildForm(_UnitFields):
    code = StringField(
        "Mã đơn vị",
        filters=[strip],
        validators=[
            DataRequired("Nhập mã đơn vị."),
            Length(max=50),
            Regexp(CODE_RE, message=CODE_MESSAGE),
        ],
    )


class UnitEditForm(_UnitFields):
    parent_code = StringField(
        "Đơn vị cấp trên (mã; để trống: đơn vị gốc)",
        filters=[strip],
        validators=[Optional(), Length(max=310)],
        render_kw={"list": "parent-choices", "autocomplete": "off"},
    )
    # the values the page was loaded with: a save writes only what this administrator changed
    # (service.common.forms.three_way), another's change in the meantime is kept or told
    was_name = HiddenField()
    was_kind = HiddenField()
    was_quota_root = HiddenField()
    was_parent_code = HiddenField()

    KEYS = ("name", "kind", "quota_root", "parent_code")

    def loaded(self) -> dict:
        if self.was_quota_root.data not in ("0", "1"):
            return {}  # a form without them: every field is written
        return {k: getattr(self, f"was_{k}").data or "" for k in self.KEYS}

    def typed(self) -> dict:
        return {
            "name": self.name.data or "",
            "kind": self.kind.data or "",
            "quota_root": "1" if self.quota_root.data else "0",
            "parent_code": self.parent_code.data or "",
        }

    def remember(self, stored: dict) -> None:
        for k in self.KEYS:
            getattr(self, f"was_{k}").data = stored[k]
