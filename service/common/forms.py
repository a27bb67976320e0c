"""The one way a page form runs an operation: validate the form (Flask-WTF: CSRF included),
call the operation, flash its success and redirect; or roll the session back and show the
errors, re-rendered on the page or flashed on the page redirected to. Also the form fields the
domains share (an integer and a dd/mm/yyyy date with Vietnamese messages, the strip filter),
and Form, the base of every form: FlaskForm whose WTForms messages speak Vietnamese."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import flash, redirect
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField
from wtforms.widgets import TextInput

from service.common.errors import DEFAULT_MESSAGES, ServiceError
from service.common.labels import field_lines
from service.common.vietnamese import date_problem
from service.extensions import db

# WTForms' own messages (those its fields and validators pass through gettext), in Vietnamese
# (WTForms ships no Vietnamese catalog); a message not listed stays as WTForms words it.
VI_MESSAGES = {
    "Not a valid choice.": "Giá trị không có trong danh sách để chọn.",
    "Invalid Choice: could not coerce.": "Giá trị không có trong danh sách để chọn.",
    "'%(value)s' is not a valid choice for this field.": "«%(value)s» không có trong danh sách.",
    "'%(value)s' are not valid choices for this field.": "«%(value)s» không có trong danh sách.",
    "This field is required.": "Bắt buộc.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Not a valid integer value.": "Cần một số nguyên.",
    "Not a valid decimal value.": "Cần một số.",
    "Not a valid float value.": "Cần một số.",
    "Not a valid date value.": "Ngày không hợp lệ (dd/mm/yyyy).",
    "Not a valid datetime value.": "Thời điểm không hợp lệ (dd/mm/yyyy HH:MM).",
    "Not a valid time value.": "Giờ không hợp lệ (HH:MM).",
    "Number must be at least %(min)s.": "Số phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Số không được quá %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Số phải từ %(min)s đến %(max)s.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Không được dài quá %(max)d ký tự.",
    "Field must be exactly %(max)d character long.": "Cần đúng %(max)d ký tự.",
    "Field must be exactly %(max)d characters long.": "Cần đúng %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Cần từ %(min)d đến %(max)d ký tự."
    ),
    "Field must be equal to %(other_name)s.": "Phải trùng với %(other_name)s.",
    "Invalid email address.": "Địa chỉ thư điện tử không hợp lệ.",
    "This field cannot be edited.": "Không được sửa trường này.",
    "This field is disabled and cannot have a value.": "Trường này bị khóa, không nhận giá trị.",
}


class VietnameseMessages:
    """The translations object WTForms asks for (Meta.get_translations): gettext, ngettext."""

    def gettext(self, string: str) -> str:
        return VI_MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class Form(FlaskForm):
    """FlaskForm (CSRF included) whose WTForms messages are Vietnamese: the base of every
    page form, so that a refused choice never reads "Not a valid choice"."""

    class Meta:
        def get_translations(self, form):
            return VietnameseMessages()


def form_errors(form) -> list[str]:
    """Each error of the form, after its field's label unless the message names it already."""
    lines = []
    for name, messages in form.errors.items():
        field = form._fields.get(name)
        label = field.label.text if field is not None and field.label else ""
        for m in messages:
            named = not label or label.lower() in str(m).lower() or name == "csrf_token"
            lines.append(str(m) if named else f"{label}: {m}")
    return lines


GENERIC = frozenset({DEFAULT_MESSAGES[400], DEFAULT_MESSAGES[422]})


def error_lines(err: ServiceError) -> list[str]:
    """An operation's error: its message, then each field's messages after the field's label
    (but the hidden version's)."""
    lines = [err.message] if err.message else []
    # the form's hidden version is no field a clerk knows: its message (the list changed)
    # says all of it, the current version number is for API clients
    shown = (
        {k: v for k, v in err.fields.items() if k != "version"}
        if isinstance(err.fields, dict)
        else err.fields
    )
    for line in field_lines(shown):
        if line not in lines and line.split(": ", 1)[-1] != err.message:
            lines.append(line)
    # a generic "Yêu cầu không hợp lệ." above the fields' own messages says nothing more
    if len(lines) > 1 and lines[0] in GENERIC:
        lines = lines[1:]
    return lines


def run_form(
    form,
    operation: Callable[[], object],
    *,
    success: str | Callable[[object], str],
    done: str | Callable[[object], str],
    back: str | None = None,
    render: Callable[[list[str]], object] | None = None,
    messages: Callable[[ServiceError], list[str]] | None = None,
    prefix: str = "",
):
    """Run `operation()` when `form` validates; then flash `success` (or success(result)) and
    redirect to `done` (or done(result)). When the form does not validate or the operation
    raises a ServiceError, roll back and return render(errors) if given, else flash each error
    and redirect to `back` (default `done`). `messages(err)` turns an error into its lines
    (default: its message and its fields' messages, by label); `prefix` goes before each line."""
    if form.validate_on_submit():
        try:
            result = operation()
        except ServiceError as err:
            db.session.rollback()
            errors = messages(err) if messages else error_lines(err)
        else:
            flash(success(result) if callable(success) else success, "info")
            return redirect(done(result) if callable(done) else done)
    else:
        errors = form_errors(form)
    errors = [prefix + m for m in errors]
    if render is not None:
        page = render(errors)
        # a refused form shown again answers 400 (a page render that sets its own status keeps it)
        return (page, 400) if isinstance(page, str) else page
    for message in errors:
        flash(message, "error")
    if back is None:
        back = done(None) if callable(done) else done
    return redirect(back)


def three_way(loaded: dict, typed: dict, stored: dict) -> tuple[dict, list[str]]:
    """What a form's save writes when the form carries the values it was loaded with, so that
    two people saving the same record keep each other's changes: (changes, conflicts).
    `changes` are the fields this user changed (typed differs from loaded, or the form did not
    carry the field's loaded value); `conflicts` the changed fields that someone else changed
    meanwhile to another value (stored differs from loaded and from typed). Values compare as
    the form shows them (text)."""
    changes = {k: v for k, v in typed.items() if k not in loaded or v != loaded[k]}
    conflicts = [
        k for k, v in changes.items() if k in loaded and stored.get(k) not in (loaded[k], v)
    ]
    return changes, conflicts


def next_baseline(loaded: dict, stored: dict, seen=()) -> dict:
    """The loaded values a refused form is shown again with (three_way's `loaded` at its next
    save): those it was loaded with, not the record's values now (its fields still show the
    older ones, which would then overwrite another's change), but for the fields in `seen`,
    told as another's: the next save may overwrite those. A form without them: `stored`."""
    return {**(loaded or stored), **{k: stored[k] for k in seen if k in stored}}


class IntegerInput(IntegerField):
    """An integer field whose parse error is Vietnamese."""

    def __init__(self, label=None, validators=None, invalid="Phải là số nguyên.", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as err:
            raise ValueError(self.invalid) from err


class VnDateField(Field):
    """A date written dd/mm/yyyy (ISO accepted); empty is None."""

    widget = TextInput()

    def _value(self):
        if self.raw_data and not self.data:
            return self.raw_data[0]  # a date refused as typed stays in the box, to correct
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                self.data = dt.datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        raise ValueError(date_problem(text))


def strip(value):
    """A field filter: text without surrounding spaces."""
    return value.strip() if isinstance(value, str) else value
