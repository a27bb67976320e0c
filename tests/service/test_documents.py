"""Printed documents (service.common.documents): the vendored font is read by file://, and the
renderer fetches nothing else (no network, no file outside the static folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.common.documents import _fetcher, font_url


def test_vendored_font_and_its_licence_are_there(app):
    with app.app_context():
        url = font_url("DejaVuSerifCondensed.ttf")
        fonts = Path(app.static_folder) / "fonts"
    assert url.startswith("file:///") and url.endswith("/fonts/DejaVuSerifCondensed.ttf")
    assert (fonts / "LICENSE-DejaVu.txt").is_file()
    for name in ("", "-Bold", "-Italic"):
        assert (fonts / f"DejaVuSerifCondensed{name}.ttf").stat().st_size > 100_000


def test_fetcher_reads_the_static_folder_only(app, tmp_path):
    with app.app_context():
        fetch = _fetcher(Path(app.static_folder))
        response = fetch(font_url("DejaVuSerifCondensed.ttf"))
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    response.close()
    outside = tmp_path / "x.css"
    outside.write_text("p {}")
    for url in (
        "https://fonts.googleapis.com/css?family=Roboto",
        outside.as_uri(),
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetch(url)
