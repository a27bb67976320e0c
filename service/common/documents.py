"""Printable documents: an HTML Jinja template rendered to PDF with WeasyPrint. Fonts come from
templates/static/fonts (vendored) by file:// URLs, and the URL fetcher refuses anything outside
the static folder, so rendering never reaches the network."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from flask import current_app, render_template

PDF = "application/pdf"


def font_url(name: str) -> str:
    """The file:// URL of a vendored font (templates/static/fonts/<name>)."""
    return (Path(current_app.static_folder) / "fonts" / name).resolve().as_uri()


def decimal_comma(value, places: int = 2) -> str:
    """87.5 -> "87,50" (Vietnamese: comma for decimals, dot for thousands); None -> ""."""
    if value is None:
        return ""
    text = f"{Decimal(value):,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def place_and_date(place: str, day: dt.date) -> str:
    """ "Hà Nội, ngày 04 tháng 12 năm 2026" (the date line of an administrative document)."""
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day.year}"


def _fetcher(static: Path):
    """A URL fetcher that reads files under the static folder and nothing else."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    root = static.resolve()

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = Path(unquote(urlparse(url).path)).resolve()
            if not url.startswith("file://") or not path.is_relative_to(root):
                raise ValueError(f"Không tải tài nguyên ngoài thư mục tĩnh: {url}")
            return super().fetch(url, headers)

    return StaticOnly(allowed_protocols={"file"}, fail_on_errors=True)


def render_pdf(template: str, **context) -> bytes:
    """The template rendered to HTML, then to PDF bytes (fonts and images from the static folder
    only)."""
    from weasyprint import HTML

    static = Path(current_app.static_folder)
    html = render_template(template, font_url=font_url, **context)
    return HTML(
        string=html, base_url=static.resolve().as_uri() + "/", url_fetcher=_fetcher(static)
    ).write_pdf()
