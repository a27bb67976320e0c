"""The certificates pages (routes added to awards.views.bp): a decision's Bằng khen, Giấy khen
as one PDF (buttons on the decision's page), the blanks' layouts per award code with their edit
form and the test print ("In thử")."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectField, StringField
from wtforms.widgets import HiddenInput

from awards import certificates as certs
from awards import decisions
from awards.certificate_api import file_name, send_pdf
from awards.rules.certificates import ALIGNS, ATTRS, FIELDS, ORIENTATIONS, PAGE_SIZES
from awards.views import bp
from awards.year_views import require_award_read
from service.common.errors import Forbidden, NotFound, ServiceError
from service.common.forms import Form, IntegerInput, run_form
from service.extensions import db

NUMBERS = ("x_mm", "y_mm", "width_mm", "font_pt")


@bp.route("/decisions/<int:decision_id>/certificates.pdf")
@login_required
def decision_certificates_pdf(decision_id):
    """The decision's certificates (or one recipient's, `nomination`) as a PDF download; a
    refusal (refused by the vote, nothing to print) is flashed on the decision's page."""
    require_award_read()
    d = decisions.visible_decision(current_user, decision_id)
    mode = request.args.get("mode", "full")
    mode = mode if mode in certs.MODES else "full"
    nomination = request.args.get("nomination", type=int)
    part = request.args.get("part", type=int)  # a decision too big for one print: a part
    try:
        rows = certs.part_rows(certs.certificate_rows(current_user, d, nomination), part)
        data = certs.decision_pdf(d, mode, rows)
    except NotFound:
        raise
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("awards.decision_page", decision_id=d.id))
    return send_pdf(data, file_name(d, mode, nomination))


def _require_layouts() -> None:
    if not certs.can_read_layouts(current_user):
        raise Forbidden("Bạn không có quyền xem, sửa vị trí in bằng khen, giấy khen.")


@bp.route("/certificates/layouts")
@login_required
def certificate_layouts():
    _require_layouts()
    rows = []
    for code, name in certs.certificate_codes().items():
        layout, version, stored = certs.layout_of(code)
        rows.append(
            {
                "code": code,
                "name": name,
                "kind": certs.CERTIFICATE_KINDS[code],
                "page": f"{layout.page_size} {ORIENTATIONS[layout.orientation]}",
                "stored": stored,
                "version": version,
            }
        )
    return render_template("awards/certificate_layouts.html", rows=rows)


class LayoutForm(Form):
    """The blank's layout of one code: page, then per field x, y, width, font size, alignment
    (numbers are checked against the page by the operation)."""

    version = IntegerInput("Phiên bản", widget=HiddenInput())
    page_size = SelectField("Khổ giấy", choices=[(k, k) for k in PAGE_SIZES])
    orientation = SelectField("Chiều giấy", choices=list(ORIENTATIONS.items()))

    def layout_data(self) -> dict:
        return {
            "version": self.version.data,
            "page_size": self.page_size.data,
            "orientation": self.orientation.data,
            "fields": {
                name: {
                    **{a: self[f"{name}__{a}"].data for a in NUMBERS},
                    "align": self[f"{name}__align"].data,
                }
                for name in FIELDS
            },
        }


for _name, _label in FIELDS.items():
    for _attr in NUMBERS:
        setattr(LayoutForm, f"{_name}__{_attr}", StringField(f"{_label}: {ATTRS[_attr]}"))
    setattr(
        LayoutForm,
        f"{_name}__align",
        SelectField(f"{_label}: căn lề", choices=list(ALIGNS.items())),
    )


def _form_data(layout, version: int) -> dict:
    data = {"version": version, "page_size": layout.page_size, "orientation": layout.orientation}
    for name, f in layout.fields.items():
        for a in NUMBERS:
            data[f"{name}__{a}"] = f"{getattr(f, a):g}"
        data[f"{name}__align"] = f.align
    return data


def _messages(err: ServiceError) -> list[str]:
    lines = [err.message] if err.message else []
    for msgs in (err.fields or {}).values():
        lines.extend(m for m in (msgs if isinstance(msgs, list) else [msgs]) if isinstance(m, str))
    return lines


@bp.route("/certificates/layouts/<code>", methods=["GET", "POST"])
@login_required
def edit_certificate_layout(code):
    """Edit where each field prints on the code's blank (administrators and the top unit's
    committee; other committees read it and print tests)."""
    _require_layouts()
    if code not in certs.CERTIFICATE_KINDS:
        raise NotFound(f"Mã {code} không có bằng khen, giấy khen để in.")
    name = certs.certificate_codes().get(code, code)
    layout, version, stored = certs.layout_of(code)

    def page(form, errors=()):
        return render_template(
            "awards/certificate_layout.html",
            code=code,
            name=name,
            kind=certs.CERTIFICATE_KINDS[code],
            form=form,
            fields=FIELDS,
            numbers=NUMBERS,
            stored=stored,
            size=layout.size_mm,
            errors=list(errors),
            may_edit=certs.can_edit_layouts(current_user),
            shared=certs.SHARED_LAYOUTS,
        )

    if request.method == "GET":
        return page(LayoutForm(formdata=None, data=_form_data(layout, version)))
    form = LayoutForm()
    return run_form(
        form,
        lambda: certs.update_layout(current_user, code, form.layout_data()),
        success=f"Đã lưu vị trí in trên phôi của {code}. Bấm «In thử» để kiểm tra trên phôi.",
        done=url_for("awards.edit_certificate_layout", code=code),
        render=lambda errors: page(form, errors),
        messages=_messages,
    )


@bp.route("/certificates/layouts/<code>/test.pdf")
@login_required
def certificate_test_print(code):
    _require_layouts()
    return send_pdf(certs.sample_print_pdf(code), f"in_thu_{code}.pdf")


@bp.context_processor
def _certificate_context():
    """For the decision page's certificate part (templates/awards/_decision_certificates.html):
    which award codes print, and whether the user may edit the blanks' layouts (asked lazily)."""
    return {
        "certificate_kinds": certs.CERTIFICATE_KINDS,
        "certificate_layouts_allowed": lambda: certs.can_read_layouts(current_user),
        "certificate_layouts_editable": lambda: certs.can_edit_layouts(current_user),
    }
