"""Pure checks of an uploaded file: its extension, and whether its content is what the
extension says (magic bytes, the parts of an Office Open XML zip). No Flask, no I/O."""

from __future__ import annotations

import unicodedata

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .doc and .xls
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
# an Office Open XML package: a zip holding [Content_Types].xml and its main part
OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
FORMAT_NAMES = {
    "pdf": "PDF",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "doc": "Word 97-2003 (.doc)",
    "xls": "Excel 97-2003 (.xls)",
    "jpg": "ảnh JPEG",
    "jpeg": "ảnh JPEG",
    "png": "ảnh PNG",
}
# the extensions whose content is checked; any other configured one is taken by its name
CHECKED = set(FORMAT_NAMES)


def clean_filename(name: str) -> str:
    """The name as shown and sent back: the last path part (some browsers send a full path),
    without control characters, at most 255 characters (the extension kept)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    )
    base = base.strip().strip(".") or ""
    if len(base) > 255:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 254 - len(ext)] + "." + ext) if dot and len(ext) < 20 else base[:255]
    return base


def extension_of(name: str) -> str:
    """The lower-case extension without the dot ("" when none)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def content_matches(ext: str, head: bytes, zip_names: set[str] | None) -> bool:
    """Whether a file whose first bytes are `head` (and, when it is a zip, whose member names
    are `zip_names`) is of the format its extension `ext` names."""
    if ext == "pdf":
        return b"%PDF-" in head[:1024]
    if ext in ("doc", "xls"):
        return head.startswith(OLE)
    if ext in ("jpg", "jpeg"):
        return head.startswith(JPEG)
    if ext == "png":
        return head.startswith(PNG)
    if ext in OOXML_PARTS:
        names = zip_names or set()
        return "[Content_Types].xml" in names and OOXML_PARTS[ext] in names
    return ext not in CHECKED


def size_text(size: int) -> str:
    """A size for people: "812 B", "34,5 KB", "2,1 MB" (Vietnamese decimal comma)."""
    if size < 1024:
        return f"{size} B"
    for unit, scale in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        if size < scale * 1024 or unit == "GB":
            value = size / scale
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 100 else f"{value:.0f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{size} B"
