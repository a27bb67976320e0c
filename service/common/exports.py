"""The registry of exports: each domain registers the spreadsheets it produces (a kind, its
Vietnamese label, the permission it needs and a writer); the core lists them and never imports
a domain. A writer is `write(year, unit, user, target) -> rows written` over
service.common.spreadsheets.write_export. A kind that may grow large also hands `count(year,
unit) -> rows` (above EXPORT_JOB_MIN_ROWS it is written by a job, service.exports) and
`year(number) -> its year row` (what the job writes it for); and a printable version,
`pdf(year, unit, user) -> bytes` over service.common.documents.render_pdf. A kind that takes
more than a year and a unit (a period: the statistical forms of the awards) hands
`options(args) -> dict`: the request's query arguments validated (ValidationError) into plain
JSON values, kept on the job and passed to `write` and `count` as keyword arguments; its
`form` names the template of its inputs on the exports page (rendered with `kind`, `unit`
and `year`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app


@dataclass(frozen=True)
class ExportKind:
    kind: str
    label: str
    filename: str  # "ket_qua_xep_loai" -> ket_qua_xep_loai_2025_CODE.xlsx
    permission: str
    write: Callable
    count: Callable | None = None  # None: always small, written at once
    year: Callable | None = None  # the year row of a year number (a job loads it again)
    pdf: Callable | None = None
    options: Callable | None = None  # query arguments -> keyword arguments of write and count
    form: str = ""  # the template of the options' inputs on the exports page
    # the options -> the file name's part in place of the year ("2024", a period's days)
    name_part: Callable | None = None


def register_export(
    app: Flask,
    kind: str,
    label: str,
    filename: str,
    permission: str,
    write: Callable,
    count: Callable | None = None,
    year: Callable | None = None,
    pdf: Callable | None = None,
    options: Callable | None = None,
    form: str = "",
    name_part: Callable | None = None,
) -> None:
    app.extensions.setdefault("exports", {})[kind] = ExportKind(
        kind, label, filename, permission, write, count, year, pdf, options, form, name_part
    )


def export_kinds() -> dict[str, ExportKind]:
    return current_app.extensions.get("exports", {})


def download_name(
    kind: ExportKind, year: int, unit_code: str, ext: str = "xlsx", options: dict | None = None
) -> str:
    """<filename>_<year>_<unit>.<ext>; a kind with options may name its part for the year
    (a statistical form of 2024's period asked from 2025's page is named 2024)."""
    part = kind.name_part(year, **(options or {})) if kind.name_part else str(year)
    return f"{kind.filename}_{part}_{unit_code}.{ext}"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def kind_options(kind: ExportKind, args) -> dict:
    """The kind's keyword arguments read from the query arguments `args` (none: {})."""
    return kind.options(args if args is not None else {}) if kind.options else {}


def export_response(kind: ExportKind, year_row, unit, user, options: dict | None = None):
    """The export as a download, written at once (small exports: up to the job threshold)."""
    import io

    from flask import send_file

    buf = io.BytesIO()
    kind.write(year_row, unit, user, buf, **(options or {}))
    buf.seek(0)
    return send_file(
        buf,
        mimetype=XLSX,
        as_attachment=True,
        download_name=download_name(kind, year_row.year, unit.code, options=options),
    )


def pdf_response(kind: ExportKind, year_row, unit, user):
    """The printable version as a download (rendered at once)."""
    import io

    from flask import send_file

    from service.common.documents import PDF

    return send_file(
        io.BytesIO(kind.pdf(year_row, unit, user)),
        mimetype=PDF,
        as_attachment=True,
        download_name=download_name(kind, year_row.year, unit.code, "pdf"),
    )
