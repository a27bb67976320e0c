"""WTForms of the unit and person pages (Flask-WTF adds CSRF to each): an administrator adds a
unit under another, renames, re-kinds or moves one, and removes an empty one; a clerk adds a
person to a unit and edits (moves) one."""

from __future__ import annotations

import datetime as dt
import json

from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from service.common.forms import Form, IntegerInput, VnDateField, strip
from service.org.models import CATEGORY_LABELS, GENDER_LABELS, PARTY_STATUS_LABELS
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
        "Đơn vị cấp trên (gõ mã hoặc tên)",
        filters=[strip],
        validators=[Optional(), Length(max=310)],
        render_kw={"list": "parent-choices", "autocomplete": "off"},
    )
    # emptying «Đơn vị cấp trên» takes the unit out of its parent: asked for in so many words
    to_root = BooleanField("Chuyển thành đơn vị gốc (không thuộc đơn vị nào)")
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


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [("", "—"), *((k.value, v) for k, v in labels.items())]


GENDERS = _choices(GENDER_LABELS)
CATEGORIES = _choices(CATEGORY_LABELS)
PARTY_STATUSES = _choices(PARTY_STATUS_LABELS)


class PersonForm(Form):
    """A person's details as the page edits them; `loaded` carries them as the page showed
    them, so a save writes only what this clerk changed (service.common.forms.three_way)."""

    full_name = StringField(
        "Họ và tên", filters=[strip], validators=[DataRequired("Nhập họ và tên."), Length(max=255)]
    )
    birth_date = VnDateField("Ngày sinh (dd/mm/yyyy)")
    gender = SelectField("Giới tính", choices=GENDERS, default="")
    unit_code = StringField(
        "Đơn vị (chuyển đơn vị: chọn đơn vị mới)",
        filters=[strip],
        validators=[DataRequired("Chọn đơn vị."), Length(max=310)],
        render_kw={"list": "unit-choices", "autocomplete": "off"},
    )
    position = StringField("Chức vụ", filters=[strip], validators=[Optional(), Length(max=255)])
    duty_group = StringField(
        "Nhóm nhiệm vụ", filters=[strip], validators=[Optional(), Length(max=100)]
    )
    is_head = BooleanField("Người đứng đầu đơn vị")
    category = SelectField("Đối tượng", choices=CATEGORIES, default="")
    is_party_member = BooleanField("Đảng viên")
    party_unit_code = StringField(
        "Chi bộ (mã)",
        filters=[strip],
        validators=[Optional(), Length(max=310)],
        render_kw={"list": "unit-choices", "autocomplete": "off"},
    )
    admitted_on = VnDateField("Ngày vào Đảng (dd/mm/yyyy)")
    party_gap_days = IntegerInput(
        "Số ngày gián đoạn sinh hoạt Đảng",
        validators=[Optional(), NumberRange(0, 36500)],
        default=0,
    )
    party_status = SelectField("Tình trạng sinh hoạt Đảng", choices=PARTY_STATUSES, default="")
    seriously_ill = BooleanField("Ốm nặng (P4)")
    loaded = HiddenField()

    KEYS = (
        "full_name", "birth_date", "gender", "unit_code", "position", "duty_group", "is_head",
        "category", "is_party_member", "party_unit_code", "admitted_on", "party_gap_days",
        "party_status", "seriously_ill",
    )  # fmt: skip

    def validate_admitted_on(self, field):
        """A page's check (the imports keep the files they were given, the spec's examples
        among them): a party member admitted before being born is a typing slip."""
        born = self.birth_date.data
        if field.data and born and field.data <= born:
            raise ValidationError("Ngày vào Đảng không được trước ngày sinh.")

    def typed(self) -> dict:
        return {k: as_text(getattr(self, k).data) for k in self.KEYS}

    def loaded_values(self) -> dict:
        try:
            values = json.loads(self.loaded.data or "")
        except ValueError:
            return {}  # a form without them: every field is written
        return values if isinstance(values, dict) else {}


class NewPersonForm(PersonForm):
    unit_code = StringField(
        "Đơn vị (để trống: đơn vị đang xem)",
        filters=[strip],
        validators=[Optional(), Length(max=310)],
        render_kw={"list": "unit-choices", "autocomplete": "off"},
    )
    code = StringField(
        "Mã cán bộ",
        filters=[strip],
        validators=[
            DataRequired("Nhập mã cán bộ."),
            Length(max=50),
            Regexp(CODE_RE, message=CODE_MESSAGE),
        ],
    )


def as_text(value) -> str:
    """A value as the form shows it and three_way compares it: dd/mm/yyyy, 1/0, text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)
