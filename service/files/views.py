"""The dossier pages: the card any page includes (dossier_card, a template global), the generic
dossier page of an owner, and the card's forms: upload a file, remove one with a reason."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user, login_required

from service.common.forms import run_form
from service.files import operations as ops
from service.files.api import limit_upload
from service.files.forms import RemoveAttachmentForm, UploadForm
from service.files.registry import OWNER_KINDS

bp = Blueprint("files", __name__, url_prefix="/attachments")
bp.url_value_preprocessor(limit_upload)


def dossier_card(kind: str, owner_id: int) -> dict | None:
    """What templates/attachments/_card.html shows of an owner's dossier for the current user;
    None when the kind is not registered or the user may not read it."""
    reg = OWNER_KINDS.get(kind)
    owner = reg.find(owner_id) if reg else None
    if owner is None or not current_user.is_authenticated or not reg.may_read(current_user, owner):
        return None
    rows = ops.attachments_of(kind, owner.id, None)

    def item(att):
        return {
            **ops.attachment_out(att, reg),
            "url": url_for("files_api.download", attachment_id=att.id),
        }

    items = [item(a) for a in rows]
    open_types = reg.open_types(owner)
    upload_form = UploadForm(formdata=None)
    upload_form.doc_type.choices = list(open_types.items())
    may_write = reg.may_write(current_user, owner)
    return {
        "kind": kind,
        "owner_id": owner.id,
        "title": reg.title(owner),
        "back": reg.back(owner),
        "items": [
            {**i, "may_remove": may_write and i["doc_type"] in open_types}
            for i in items
            if not i["removed"]
        ],
        "removed": [i for i in items if i["removed"]],
        "may_write": may_write,
        "may_add": may_write and bool(open_types),
        "closed": (reg.closed(owner) or (None,))[0],
        "upload_form": upload_form,
        "remove_form": RemoveAttachmentForm(formdata=None),
        "accept": ",".join("." + e for e in ops.allowed_types()),
        "types_text": ", ".join(ops.allowed_types()),
        "max_text": ops.content.size_text(_max_bytes()),
    }


def dossier_readable(kind: str, owner_id: int) -> bool:
    """Whether the current user may open the owner's dossier (for a link to it)."""
    reg = OWNER_KINDS.get(kind)
    owner = reg.find(owner_id) if reg else None
    return bool(owner and current_user.is_authenticated and reg.may_read(current_user, owner))


def _max_bytes() -> int:
    return current_app.config["ATTACHMENT_MAX_BYTES"]


@bp.route("/<kind>/<int:owner_id>")
@login_required
def dossier(kind, owner_id):
    """An owner's dossier on a page of its own (a kind whose domain has no page for it)."""
    reg, owner = ops.visible_owner(current_user, kind, owner_id)
    return render_template("attachments/dossier.html", dossier=dossier_card(kind, owner.id))


@bp.route("/<kind>/<int:owner_id>/upload", methods=["POST"])
@login_required
def upload(kind, owner_id):
    reg, owner = ops.visible_owner(current_user, kind, owner_id, write=True)
    form = UploadForm()
    form.doc_type.choices = list(reg.doc_types.items())  # a closed type: add_attachment says why
    return run_form(
        form,
        lambda: ops.add_attachment(
            current_user, reg, owner, form.doc_type.data, form.file.data or None
        ),
        success=lambda att: f"Đã thêm tệp «{att.filename}» vào hồ sơ.",
        done=reg.page(owner),
    )


@bp.route("/<int:attachment_id>/remove", methods=["POST"])
@login_required
def remove(attachment_id):
    att, reg, owner = ops.visible_attachment(current_user, attachment_id, write=True)
    form = RemoveAttachmentForm()
    return run_form(
        form,
        lambda: ops.remove_attachment(current_user, att, reg, owner, form.reason.data),
        success=f"Đã gỡ tệp «{att.filename}» khỏi hồ sơ (xem ở mục «Đã gỡ»).",
        done=reg.page(owner),
    )
