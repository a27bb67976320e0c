"""Word documents from docxtpl templates: check that uploaded bytes are a .docx, list the
top-level fields a template uses, render a template with a context, send the result. Jinja
runs sandboxed and autoescaped (a replaced template is an administrator's upload, and the
values land in XML)."""

from __future__ import annotations

import io
import zipfile

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class TemplateError(ValueError):
    """The bytes are not a usable Word template (the message is Vietnamese)."""


def _environment():
    from jinja2 import ChainableUndefined
    from jinja2.sandbox import SandboxedEnvironment

    # a missing field or attribute prints nothing (a.b.c included) rather than failing
    return SandboxedEnvironment(autoescape=True, undefined=ChainableUndefined)


def is_docx(data: bytes) -> bool:
    """A zip holding word/document.xml (what every .docx is)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def template_fields(data: bytes) -> set[str]:
    """The top-level names the template uses (docxtpl's undeclared variables): loop variables
    and names set inside the template are not among them."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError as JinjaError

    if not is_docx(data):
        raise TemplateError("Tệp không phải văn bản Word .docx.")
    try:
        tpl = DocxTemplate(io.BytesIO(data))
        return set(tpl.get_undeclared_template_variables(jinja_env=_environment()))
    except JinjaError as err:
        raise TemplateError(f"Mẫu văn bản có thẻ trường không hợp lệ: {err}.") from None
    except (KeyError, ValueError, zipfile.BadZipFile) as err:
        raise TemplateError(f"Không đọc được tệp Word: {err}.") from None


def render_docx(data: bytes, context: dict) -> bytes:
    """The template filled with `context`, as .docx bytes."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(data))
    try:
        tpl.render(context, jinja_env=_environment(), autoescape=True)
    except Exception as err:  # noqa: BLE001 - whatever the template's own expressions raise
        raise TemplateError(f"Mẫu văn bản lỗi khi điền dữ liệu: {err}.") from None
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def send_docx(content: bytes, filename: str):
    """A download (filename ASCII, as Content-Disposition carries it everywhere)."""
    from flask import send_file

    return send_file(io.BytesIO(content), mimetype=DOCX, as_attachment=True, download_name=filename)
