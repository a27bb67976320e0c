"""Printable certificates (issue 13 item 5): Bằng khen, Giấy khen and Giấy chứng nhận of the
awarded recipients of a decision as one PDF (a page each, in the order of the decision's page),
either the full design on plain paper or only the fields at the stored positions of the award
code's pre-printed blank; the layouts' reading, their one edit operation, and the test print
with a millimetre grid. A nomination refused by the council's vote, or on a list not decided,
gets no certificate."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from awards import decisions
from awards.catalog_year import catalog_of
from awards.certificate_models import CertificateLayout
from awards.models import AwardList, Decision, Nomination
from awards.rules.certificates import (
    CERTIFICATE_KINDS,
    FIELDS,
    PARTY_CODES,
    PT_MM,
    Layout,
    check_layout,
    default_layout,
    grid_lines,
    layout_from,
)
from awards.rules.dates import dmy_or_none as _dmy
from service.audit.operations import record
from service.auth.access import can, is_admin
from service.common.documents import place_and_date, render_pdf
from service.common.errors import Conflict, Forbidden, NotFound, ValidationError
from service.extensions import db
from service.org.models import Unit

MODES = {"full": "mẫu đầy đủ", "blank": "in trên phôi"}
# One render in the request: 300 pages take about 4.5 s CPU and 125 MB above the process's
# baseline, 1,000 pages 18 s and 340 MB (bench/bench_certificates.py); past this, print per list.
MAX_PAGES = 500
STALE = (
    "Vị trí in của mẫu này đã được người khác (hoặc ở cửa sổ khác) sửa sau khi bạn mở: thay "
    "đổi của bạn chưa được lưu. Tải lại để xem vị trí hiện tại."
)
NOT_DECIDED = (
    "Danh sách chưa có quyết định khen thưởng: chưa in được bằng khen, giấy khen. In sau khi "
    "danh sách đã được quyết định."
)
REFUSED = "{name} không đạt biểu quyết của hội đồng đối với {award}: không có bằng khen, giấy khen."
NO_CERTIFICATE = "{award} không có bằng khen, giấy khen hay giấy chứng nhận để in."


# --- layouts ---------------------------------------------------------------------------------


def certificate_codes(year: int | None = None) -> dict[str, str]:
    """code -> name of the award codes that get a certificate (catalog order)."""
    catalog = catalog_of(year or dt.date.today().year)
    return {c: t.name for c, t in catalog.items() if c in CERTIFICATE_KINDS}


def _row(code: str) -> CertificateLayout | None:
    return db.session.scalar(select(CertificateLayout).where(CertificateLayout.code == code))


def layout_of(code: str) -> tuple[Layout, int, bool]:
    """(layout, version, stored) of an award code: the stored one, else the defaults (version 1)."""
    row = _row(code)
    if row is None:
        return default_layout(code), 1, False
    stored = {"page_size": row.page_size, "orientation": row.orientation, "fields": row.fields}
    return layout_from(stored), row.version, True


def layouts_of(codes) -> dict[str, Layout]:
    rows = db.session.scalars(select(CertificateLayout).where(CertificateLayout.code.in_(codes)))
    found = {
        r.code: layout_from(
            {"page_size": r.page_size, "orientation": r.orientation, "fields": r.fields}
        )
        for r in rows
    }
    return {c: found.get(c) or default_layout(c) for c in codes}


SHARED_LAYOUTS = (
    "Vị trí in trên phôi dùng chung cho mọi đơn vị: chỉ hội đồng/ban thi đua của đơn vị cấp "
    "cao nhất hoặc quản trị hệ thống sửa được; bạn xem và in thử được."
)


def can_read_layouts(user) -> bool:
    """The layouts' pages and test prints: committee members and administrators."""
    return can(user, "certificate.layout")


def can_edit_layouts(user) -> bool:
    """A layout is one per award code for every unit's prints: changed by administrators and
    by committees whose reach holds every top unit, not by one ward's committee."""
    if is_admin(user):
        return True
    if not can(user, "certificate.layout"):
        return False
    roots = db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))).all()
    return bool(roots) and all(can(user, "certificate.layout", r) for r in roots)


def update_layout(user, code: str, data: dict) -> dict:
    """Store the blank's layout of `code` (page size, orientation, each field's x, y, width,
    font size and alignment), the form loaded at `data["version"]`: every field inside the
    page (awards.rules.certificates.check_layout); a stale version answers 409; audited with
    the fields changed."""
    if code not in CERTIFICATE_KINDS:
        raise NotFound(f"Mã {code} không có bằng khen, giấy khen để in.")
    if not can_edit_layouts(user):
        raise Forbidden(
            SHARED_LAYOUTS if can_read_layouts(user) else "Bạn không có quyền sửa vị trí in."
        )
    layout, errors = check_layout(data)
    if errors:
        raise ValidationError("Vị trí in không hợp lệ.", errors)
    row = _row(code)
    current = row.version if row is not None else 1
    if data.get("version") != current:
        raise _stale(current)
    before_layout, _v, _s = layout_of(code)
    before, after = before_layout.as_dict(), layout.as_dict()
    if before == after:
        return layout_out(code, layout, current, row is not None)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    values = {
        "page_size": after["page_size"],
        "orientation": after["orientation"],
        "fields": after["fields"],
        "updated_at": now,
        "updated_by_id": getattr(user, "id", None),
    }
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(CertificateLayout(code=code, version=2, **values))
        except IntegrityError:  # another first edit of the same code went in meanwhile
            raise _stale(2) from None
    else:
        done = db.session.execute(
            update(CertificateLayout)
            .where(CertificateLayout.id == row.id, CertificateLayout.version == current)
            .values(version=CertificateLayout.version + 1, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            db.session.refresh(row, ["version"])
            raise _stale(row.version)
        db.session.refresh(row)
    changed_before, changed_after = _changes(before, after)
    record(
        "update", "certificate_layout", code, before=changed_before, after=changed_after, user=user
    )
    db.session.flush()
    return layout_out(code, layout, current + 1, True)


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    b, a = {}, {}
    for key in ("page_size", "orientation"):
        if before[key] != after[key]:
            b[key], a[key] = before[key], after[key]
    for name in FIELDS:
        if before["fields"][name] != after["fields"][name]:
            b[name], a[name] = before["fields"][name], after["fields"][name]
    return b, a


def _stale(version: int) -> Conflict:
    return Conflict(
        STALE, {"version": [f"Phiên bản đã mở đã cũ; phiên bản hiện tại là {version}."]}
    )


def layout_out(code: str, layout: Layout, version: int, stored: bool) -> dict:
    return {"code": code, "version": version, "stored": stored, **layout.as_dict()}


# --- who gets a certificate ------------------------------------------------------------------


def _subject(nom: Nomination) -> str:
    if nom.subject == "person" and nom.person is not None:
        return nom.person.full_name
    return nom.unit.name if nom.unit is not None else "Người được đề nghị"


def decision_of_list(user, list_id: int) -> Decision:
    """The decision of a list the user may read; a list not decided is refused (nothing
    printed)."""
    lst = db.session.get(AwardList, list_id)
    if lst is None or not can(user, "award.read", lst.unit):
        raise NotFound("Không tìm thấy danh sách khen thưởng.")
    if lst.state != "decided" or lst.decision is None:
        raise ValidationError(NOT_DECIDED, {"list": ["Danh sách chưa được quyết định."]})
    return lst.decision


def certificate_rows(
    user, d: Decision, nomination_id: int | None = None, list_id: int | None = None
) -> list[dict]:
    """The recipients that get a certificate: the decision's awarded nominees (order of the
    decision's page) whose award has one; `list_id` keeps one of its lists; `nomination_id`
    one recipient, refused when the council voted it down or its list is not decided, 404
    when it is not on the decision."""
    if nomination_id is not None:
        nom = db.session.get(Nomination, nomination_id)
        if nom is None:
            raise NotFound("Không tìm thấy người được đề nghị khen thưởng.")
        lst = nom.award_list
        if not can(user, "award.read", lst.unit):
            raise NotFound("Không tìm thấy người được đề nghị khen thưởng.")
        if lst.state != "decided" or lst.decision_id is None:
            raise ValidationError(NOT_DECIDED, {"nomination": ["Chưa có quyết định."]})
        if lst.decision_id != d.id:
            raise NotFound("Người được đề nghị không có trong quyết định này.")
        catalog = catalog_of(d.year)
        label = catalog[nom.award].name if nom.award in catalog else nom.award
        if nom.passed is False:
            raise ValidationError(
                REFUSED.format(name=_subject(nom), award=label),
                {"nomination": ["Không đạt biểu quyết."]},
            )
        if nom.award not in CERTIFICATE_KINDS:
            raise ValidationError(
                NO_CERTIFICATE.format(award=label), {"nomination": ["Không có mẫu để in."]}
            )
    rows = [
        r
        for r in decisions.recipients(user, d, awarded_only=True)
        if r["award"] in CERTIFICATE_KINDS
        and (nomination_id is None or r["nomination_id"] == nomination_id)
        and (list_id is None or r["list_id"] == list_id)
    ]
    if nomination_id is not None and not rows:
        raise NotFound("Người được đề nghị không có trong quyết định này.")
    return rows


# --- the PDF ---------------------------------------------------------------------------------


_HONORIFIC = {"nam": "Ông ", "nu": "Bà "}  # by the person's stored gender; none: «Ông/Bà»


def _texts(
    d: Decision, r: dict, names: dict[str, str], place: str, parents: dict[str, str]
) -> dict[str, str]:
    """Each field's text on one certificate."""
    name = names.get(r["award"], r["award"])
    person = r["subject"] == "person"
    if CERTIFICATE_KINDS[r["award"]] == "GIẤY CHỨNG NHẬN":
        award = f"Đạt danh hiệu {name} năm {d.year}"
    else:
        award = f"{name}: đã có thành tích xuất sắc trong phong trào thi đua năm {d.year}"
    return {
        "issuer": d.issuer,
        "name": (
            (_HONORIFIC.get(r.get("gender"), "Ông/Bà ") if person else "") + (r["name"] or "")
        ).strip(),
        "unit": f"Đơn vị: {r['unit_name'] or ''}" if person else parents.get(r["code"], ""),
        "award": award,
        "decision": f"Quyết định số {d.number} ngày {_dmy(d.decided_on)}",
        "date": place_and_date(place, d.decided_on),
        "signer": d.signer,
    }


def _parent_names(codes: list[str]) -> dict[str, str]:
    """unit code -> "Thuộc: <its parent's name>" for the collectives of a print (one query)."""
    if not codes:
        return {}
    parent = aliased(Unit)
    rows = db.session.execute(
        select(Unit.code, parent.name)
        .join(parent, parent.id == Unit.parent_id)
        .where(Unit.code.in_(sorted(set(codes))))
    )
    return {code: f"Thuộc: {name}" for code, name in rows}


def _pages(d: Decision, rows: list[dict]) -> list[dict]:
    place = current_app.config.get("DOCUMENT_PLACE", "Hà Nội")
    names = {c: t.name for c, t in catalog_of(d.year).items()}
    layouts = layouts_of(sorted({r["award"] for r in rows}))
    parents = _parent_names([r["code"] for r in rows if r["subject"] != "person"])
    return [
        {
            "code": r["award"],
            "kind": CERTIFICATE_KINDS[r["award"]],
            "party": r["award"] in PARTY_CODES,
            "texts": _texts(d, r, names, place, parents),
            "layout": layouts[r["award"]],
        }
        for r in rows
    ]


def _page_context(pages: list[dict]) -> dict:
    """The distinct page sizes (one @page rule each) for the template."""
    sizes = {}
    for p in pages:
        w, h = p["layout"].size_mm
        p["page_name"] = f"p{int(w)}x{int(h)}"
        sizes[p["page_name"]] = (w, h)
    return {"sizes": sizes, "pt_mm": PT_MM}


def max_pages() -> int:
    """The most certificates one print holds (CERTIFICATE_MAX_PAGES): one WeasyPrint render in
    the request."""
    return current_app.config.get("CERTIFICATE_MAX_PAGES", MAX_PAGES)


def parts_of(count: int) -> list[tuple[int, int, int]]:
    """(part, first, last), numbered from 1, of a decision's `count` certificates in prints
    of at most max_pages(); none when one print holds them all."""
    limit = max_pages()
    if count <= limit:
        return []
    return [(i // limit + 1, i + 1, min(i + limit, count)) for i in range(0, count, limit)]


def part_rows(rows: list[dict], part: int | None) -> list[dict]:
    """The certificates of print `part` (parts_of), in the decision's order; all for None."""
    if part is None:
        return rows
    limit = max_pages()
    found = rows[(part - 1) * limit : part * limit] if part >= 1 else []
    if not found:
        raise ValidationError(f"Không có phần in {part}.", {"part": ["Không có phần này."]})
    return found


def decision_pdf(d: Decision, mode: str, rows: list[dict]) -> bytes:
    """One PDF of the recipients' certificates, a page each: `mode` "full" (the whole design
    on plain A4 landscape) or "blank" (only the fields, at the layout of each award code)."""
    if mode not in MODES:
        raise ValidationError("Kiểu in phải là full hoặc blank.", {"mode": ["Không hợp lệ."]})
    if not rows:
        raise ValidationError(
            "Quyết định không có ai được khen thưởng có bằng khen, giấy khen để in.",
            {"decision": ["Không có gì để in."]},
        )
    limit = max_pages()
    if len(rows) > limit:
        raise ValidationError(
            f"Quá nhiều bằng khen, giấy khen để in một lần ({len(rows)}, tối đa {limit}): "
            f"hãy in từng phần (mỗi phần tối đa {limit} trang) ở trang của quyết định "
            "(API: part=1, 2, …).",
            {"decision": ["Quá nhiều trang."]},
        )
    pages = _pages(d, rows)
    template = (
        "awards/certificates_full_pdf.html"
        if mode == "full"
        else "awards/certificates_blank_pdf.html"
    )
    return render_pdf(template, pages=pages, **_page_context(pages))


SAMPLE = {
    "issuer": "ỦY BAN NHÂN DÂN THÀNH PHỐ",
    "name": "Ông/Bà Nguyễn Văn Mẫu",
    "unit": "Đơn vị: Phòng Tổ chức - Hành chính",
    "award": "Đã có thành tích xuất sắc trong phong trào thi đua năm 2025",
    "decision": "Quyết định số 123/QĐ-UBND ngày 20/12/2025",
    "date": "Hà Nội, ngày 20 tháng 12 năm 2025",
    "signer": "Nguyễn Văn Ký",
}


def sample_print_pdf(code: str) -> bytes:
    """In thử: one page of sample values at the code's stored positions, over a light grid
    with a ruler in mm (labelled every 10 mm) and each field's box, to lay on the blank."""
    if code not in CERTIFICATE_KINDS:
        raise NotFound(f"Mã {code} không có bằng khen, giấy khen để in.")
    layout, version, _stored = layout_of(code)
    page = {
        "code": code,
        "kind": CERTIFICATE_KINDS[code],
        "texts": SAMPLE,
        "layout": layout,
    }
    w, h = layout.size_mm
    return render_pdf(
        "awards/certificates_blank_pdf.html",
        pages=[page],
        grid=grid_lines(w, h),
        test_print=True,
        labels=FIELDS,
        version=version,
        **_page_context([page]),
    )
