"""WTForms of the evaluation pages' POSTs (Flask-WTF adds CSRF to each); the JSON API keeps
its marshmallow schemas. Messages are in Vietnamese and name what is wrong."""

from __future__ import annotations

import json

from flask import request
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from evaluation.rules import RulePack
from evaluation.schemas import HOW_FOUND, LEVELS
from service.common.forms import Form
from service.common.forms import IntegerInput as _Integer
from service.common.forms import VnDateField as _VnDate
from service.common.forms import strip as _strip

APPLIES_TO = {"individual": "cá nhân", "collective": "tập thể", "both": "cả hai"}
SEVERITIES = {"minor": "nhẹ", "serious": "nặng"}


def _one_of(choices: dict | tuple, what: str = "") -> AnyOf:
    shown = ", ".join(choices.values() if isinstance(choices, dict) else choices)
    return AnyOf(list(choices), message=f"{what}Phải là một trong: {shown}.")


class OpenYearForm(Form):
    year = _Integer(
        "Năm",
        validators=[
            InputRequired("Năm không hợp lệ."),
            NumberRange(2000, 2100, "Năm phải trong khoảng 2000–2100."),
        ],
        invalid="Năm không hợp lệ.",
    )


class PackForm(Form):
    """Any subset of the pack's parameters, as typed (RulePack.validate checks the pack)."""

    def typed(self) -> dict:
        """The parameters as typed (the page's text: a decimal comma)."""
        return {
            name: (field.data or "").strip()
            for name, field in self._fields.items()
            if name in RulePack().to_dict() and field.raw_data
        }

    def params(self, typed: dict | None = None) -> dict:
        # a decimal comma (0,5) reads as a point: RulePack takes Decimal text
        typed = self.typed() if typed is None else typed
        return {name: text.replace(",", ".") for name, text in typed.items()}

    def loaded(self) -> dict:
        """The parameters as the page showed them when it was loaded (the hidden `was`): a
        save writes only what this user changed (three_way); {} without them."""
        try:
            was = json.loads(request.form.get("was") or "{}")
        except ValueError:
            return {}
        return {k: v for k, v in was.items() if isinstance(v, str)} if isinstance(was, dict) else {}


for _name in RulePack().to_dict():
    setattr(PackForm, _name, StringField(RulePack.label(_name), validators=[Optional()]))


class CatalogItemForm(Form):
    title = StringField(
        "Biểu hiện",
        filters=[_strip],
        validators=[DataRequired("Nhập nội dung biểu hiện."), Length(max=2000)],
    )
    applies_to = StringField("Áp dụng", validators=[_one_of(APPLIES_TO, "Áp dụng: ")])
    severity = StringField("Mức độ", validators=[_one_of(SEVERITIES, "Mức độ: ")])


class ReviewActionForm(Form):
    reason = StringField("Lý do", filters=[_strip], validators=[Length(max=2000)])
    version = _Integer("Phiên bản", validators=[Optional()])


class LevelForm(Form):
    """A11: a proposed or final level, with its reason."""

    level = StringField("Mức", validators=[AnyOf(list(LEVELS), message="Mức không hợp lệ.")])
    reason = StringField("Lý do", filters=[_strip], validators=[Length(max=2000)])
    # what the page showed, "level|reason" (shown_decision): a save over another's is refused
    was = StringField("Mức đã xem", validators=[Length(max=2100)])


class ViolationForm(Form):
    code = StringField(
        "Biểu hiện", filters=[_strip], validators=[DataRequired("Chọn biểu hiện vi phạm.")]
    )
    found_on = _VnDate("Ngày phát hiện", validators=[InputRequired("Nhập ngày phát hiện.")])
    how_found = StringField(
        "Cách phát hiện",
        validators=[InputRequired("Chọn cách phát hiện."), _one_of(HOW_FOUND, "Cách phát hiện: ")],
    )
    evidence = StringField(
        "Chứng cứ",
        filters=[_strip],
        validators=[
            DataRequired("Nhập chứng cứ."),
            Length(max=5000, message="Tối đa 5000 ký tự."),
        ],
    )


class RemoveViolationForm(Form):
    reason = StringField(
        "Lý do gỡ", filters=[_strip], validators=[DataRequired("Gỡ vi phạm cần có lý do.")]
    )


class ComputeForm(Form):
    unit = HiddenField()
    back = HiddenField()
