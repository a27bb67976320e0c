"""The printable rating list (issue 14 item 4): "Danh sách kết quả xếp loại" of a unit and its
subunits as a PDF, A4 landscape, in the Vietnamese administrative layout (the unit on the left,
the national heading on the right, the date line and the signature blocks at the end). The rows
are the spreadsheet's (evaluation.exports); templates/evaluation/ratings_pdf.html lays them out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from evaluation.compute import explain
from evaluation.exports import count_ratings, person_rows, unit_rows
from evaluation.models import EvalYear
from evaluation.rules.levels import Level
from service.common.documents import decimal_comma, place_and_date, render_pdf
from service.common.errors import ValidationError
from service.org.models import Unit

SECTIONS = (
    ("official", "Công chức, viên chức"),
    ("party", "Đảng viên"),
    ("unit", "Tập thể"),
)
WHY_CHARS = 300  # the explanation as printed: cut after a word within this many characters
# RULES.md A2, B1: how the score adds up. The list prints the score in its own column, so the
# short explanation keeps the steps that placed and shaped the level.
SCORE_STEPS = frozenset({"A2", "B1"})


@dataclass(frozen=True)
class PrintRow:
    code: str
    name: str
    unit: str  # a person's unit; a unit's parent
    group: str
    score: str
    level: str  # the computed level's code (the legend under the table gives its words)
    final: str  # the final level in full words
    why: str


def _words(code: str | None) -> str:
    return Level(code).label if code else ""


def short_why(steps, limit: int = WHY_CHARS) -> str:
    """The explanation without the score's sum (SCORE_STEPS), decimals with a comma, cut after
    the last whole word within `limit` characters, with "…"."""
    text = " ".join(
        s["message_vi"]
        for s in explain(steps, decimal_comma=True)
        if s["rule_id"] not in SCORE_STEPS
    )
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + " …"


def _notes(provisional: bool, missing: bool, approved: bool = True) -> str:
    notes = (["Tạm tính."] if provisional else []) + (["Thiếu dữ liệu."] if missing else [])
    notes += [] if approved else ["Chưa phê duyệt."]
    return " ".join(notes)


def _row(code, name, where, group, score, level, final, reason, why, notes) -> PrintRow:
    changed = f"Lý do điều chỉnh — {reason}." if reason else ""
    text = " ".join(x for x in (notes, changed, why) if x)
    return PrintRow(
        code, name, where or "", group or "", decimal_comma(score), level or "",
        _words(final), text,
    )  # fmt: skip


def print_rows(year_row: EvalYear, unit: Unit, kind: str) -> list[PrintRow]:
    if kind == "unit":
        return [
            _row(c, n, p, "", score, level, final, reason, why, _notes(prov, False, ok))
            for c, n, p, score, level, _proposed, final, reason, why, prov, ok in unit_rows(
                year_row, unit, short_why
            )
        ]
    return [
        _row(c, n, u, g, score, level, final, reason, why, _notes(prov, missing, ok))
        for c, n, u, g, score, level, _proposed, final, reason, why, prov, ok, missing in (
            person_rows(year_row, unit, kind, short_why)
        )
    ]


def pdf_ratings(year_row: EvalYear, unit: Unit, user, today: dt.date | None = None) -> bytes:
    """Danh sách kết quả xếp loại: one section per rating kind that has rows. A list longer
    than PDF_MAX_ROWS is refused (rendered in the request, it would hold it for minutes)."""
    limit = current_app.config.get("PDF_MAX_ROWS", 3000)
    count = count_ratings(year_row, unit)
    if count > limit:
        raise ValidationError(
            f"Danh sách quá dài để in ({count} kết quả, tối đa {limit}): hãy chọn một đơn vị "
            "nhỏ hơn, hoặc tải bảng tính (.xlsx).",
            {"unit": ["Quá nhiều kết quả để in."]},
        )
    sections = [(label, kind, print_rows(year_row, unit, kind)) for kind, label in SECTIONS]
    return render_pdf(
        "evaluation/ratings_pdf.html",
        year=year_row.year,
        unit=unit,
        parent=unit.parent,
        sections=[s for s in sections if s[2]],
        date_line=place_and_date(
            current_app.config.get("DOCUMENT_PLACE", "Hà Nội"), today or dt.date.today()
        ),
        preparer=user.full_name or user.username,
        legend=[(lv.value, lv.label) for lv in Level],
    )
