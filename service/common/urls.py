"""Where a page may send the browser next: only a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(value: str | None) -> str | None:
    """`value` when it is a path of this site, else None. Browsers drop tabs and newlines from
    URLs and read a backslash as a slash, so "/\\t/evil.example" and "/\\\\evil.example" both
    mean "//evil.example", another site: any control character, backslash or a second leading
    slash refuses it, as do a scheme or a host."""
    if not value or not value.startswith("/") or len(value) > 2000:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in value):
        return None
    if value.startswith("//"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value
