"""Pages of the Word documents (routes added to awards.views.bp): downloads from a list's page
(tờ trình, quyết định, báo cáo thành tích of a nomination) and a voting session's page (biên
bản, with the form of its place and attendance), and the administrators' page of the
replaceable templates (download, upload, reset)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, NumberRange, Optional

from awards import council, lists
from awards import documents as docs
from awards.docfields import KINDS
from awards.models import Nomination
from awards.views import bp
from awards.year_views import require_award_read
from service.auth.access import is_admin
from service.common.errors import Forbidden, NotFound
from service.common.forms import Form, IntegerInput, run_form, strip
from service.common.word import send_docx
from service.domains import add_menu_entry
from service.extensions import db


class MinutesForm(Form):
    place = StringField(
        "Địa điểm họp", filters=[strip], validators=[Length(max=300, message="Tối đa 300 ký tự.")]
    )
    present_count = IntegerInput(
        "Số thành viên có mặt",
        validators=[Optional(), NumberRange(min=0, message="Không được âm.")],
    )


class TemplateUploadForm(Form):
    file = FileField("Tệp mẫu (.docx)", validators=[FileRequired("Chọn tệp .docx.")])


class PlainForm(Form):
    """A button's POST: CSRF only."""


@bp.record_once
def _menu(state) -> None:
    add_menu_entry(state.app, "Mẫu văn bản", "awards.doc_templates", is_admin, 45)


# --- downloads -------------------------------------------------------------------------------


@bp.route("/lists/<int:list_id>/documents/<any('to-trinh', 'quyet-dinh'):kind>")
@login_required
def list_document(list_id, kind):
    require_award_read()
    lst = lists.visible_list(current_user, list_id)
    content, name = docs.list_document(lst, docs.kind_by_slug(kind))
    return send_docx(content, name)


@bp.route("/lists/<int:list_id>/documents/bao-cao-thanh-tich")
@login_required
def nomination_document(list_id):
    """The achievement report of the nomination chosen in the list's card (?nomination=id)."""
    require_award_read()
    lst = lists.visible_list(current_user, list_id)
    nom_id = request.args.get("nomination", type=int)
    nom = db.session.get(Nomination, nom_id) if nom_id else None
    if nom is None or nom.list_id != lst.id:
        raise NotFound("Không tìm thấy đề nghị khen thưởng.")
    content, name = docs.nomination_document(nom)
    return send_docx(content, name)


@bp.route("/voting-sessions/<int:session_id>/documents/bien-ban")
@login_required
def session_document(session_id):
    session = council.visible_session(current_user, session_id)
    content, name = docs.session_document(session)
    return send_docx(content, name)


@bp.route("/voting-sessions/<int:session_id>/minutes", methods=["POST"])
@login_required
def set_minutes(session_id):
    session = council.visible_session(current_user, session_id)
    form = MinutesForm()
    return run_form(
        form,
        lambda: docs.set_minutes(
            current_user,
            session,
            {"place": form.place.data, "present_count": form.present_count.data},
        ),
        success="Đã lưu thông tin biên bản.",
        done=url_for("awards.voting_session", session_id=session.id),
    )


@bp.app_template_global()
def minutes_form(session):
    """The minutes' form of a session page, filled with what is stored."""
    return MinutesForm(
        formdata=None, place=session.place or "", present_count=session.present_count
    )


@bp.app_template_global()
def may_write_minutes(session) -> bool:
    """The form is shown to who may write the minutes, until the list is decided."""
    return session.award_list.state != "decided" and council.may_count(current_user, session)


# --- the templates (administrators) ----------------------------------------------------------


def _require_admin() -> None:
    if not is_admin(current_user):
        raise Forbidden(docs.ADMIN_ONLY)


@bp.route("/doc-templates")
@login_required
def doc_templates(errors=()):
    _require_admin()
    return render_template(
        "awards/doc_templates.html",
        kinds=[docs.template_status(k) for k in KINDS.values()],
        upload_form=TemplateUploadForm(formdata=None),
        plain=PlainForm(formdata=None),
        errors=list(errors),
    )


@bp.route("/doc-templates/<kind>/download")
@login_required
def download_template(kind):
    _require_admin()
    found = docs.kind_by_slug(kind)
    return send_docx(docs.template_bytes(found), f"mau_{found.key}.docx")


@bp.route("/doc-templates/<kind>/upload", methods=["POST"])
@login_required
def upload_template(kind):
    _require_admin()
    found = docs.kind_by_slug(kind)
    form = TemplateUploadForm()

    def upload():
        data = form.file.data
        return docs.upload_template(current_user, found, data.read(), data.filename or "")

    return run_form(
        form,
        upload,
        success=f"Đã thay mẫu «{found.title}».",
        done=url_for("awards.doc_templates"),
        render=lambda errors: (doc_templates(errors), 400),
    )


@bp.route("/doc-templates/<kind>/reset", methods=["POST"])
@login_required
def reset_template(kind):
    _require_admin()
    found = docs.kind_by_slug(kind)
    return run_form(
        PlainForm(),
        lambda: docs.reset_template(current_user, found),
        success=f"Đã trở lại mẫu gốc «{found.title}».",
        done=url_for("awards.doc_templates"),
    )
