"""The pure checks of an uploaded file (service.files.content): names, extensions, content."""

from __future__ import annotations

import pytest

from service.files.content import clean_filename, content_matches, extension_of, size_text

DOCX_NAMES = {"[Content_Types].xml", "word/document.xml", "_rels/.rels"}
XLSX_NAMES = {"[Content_Types].xml", "xl/workbook.xml"}


@pytest.mark.parametrize(
    ("ext", "head", "names", "ok"),
    [
        ("pdf", b"%PDF-1.7\n...", None, True),
        ("pdf", b"<html>", None, False),
        ("png", b"\x89PNG\r\n\x1a\n....", None, True),
        ("png", b"\xff\xd8\xff\xe0", None, False),
        ("jpg", b"\xff\xd8\xff\xe0", None, True),
        ("jpeg", b"GIF89a", None, False),
        ("doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None, True),
        ("xls", b"PK\x03\x04", XLSX_NAMES, False),
        ("docx", b"PK\x03\x04", DOCX_NAMES, True),
        ("docx", b"PK\x03\x04", XLSX_NAMES, False),  # an xlsx renamed .docx
        ("xlsx", b"PK\x03\x04", XLSX_NAMES, True),
        ("xlsx", b"PK\x03\x04", None, False),  # not a readable zip
        ("docx", b"%PDF-1.4", None, False),
        ("txt", b"hello", None, True),  # a configured extension without a known format
    ],
)
def test_content_must_be_the_format_of_the_extension(ext, head, names, ok):
    assert content_matches(ext, head, names) is ok


def test_names_keep_vietnamese_and_lose_paths_and_control_characters():
    assert clean_filename("C:\\Users\\a\\Tờ trình số 1.pdf") == "Tờ trình số 1.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("bao\x00cao\n.pdf") == "baocao.pdf"
    long = clean_filename("a" * 300 + ".docx")
    assert len(long) == 255 and long.endswith(".docx")
    assert extension_of("Báo cáo.PDF") == "pdf"
    assert extension_of("pdf") == "" and extension_of(".pdf") == ""


def test_sizes_read_in_vietnamese():
    assert size_text(812) == "812 B"
    assert size_text(1536) == "1,5 KB"
    assert size_text(10 * 1024 * 1024) == "10 MB"
