"""Certificates (issue 13 item 5), the pure part: which award codes get a printed certificate
and of which kind (BẰNG KHEN, GIẤY KHEN, GIẤY CHỨNG NHẬN), the page sizes, the fields printed on a
pre-printed blank with their default positions, and the check of a layout (every field inside
the page). No Flask, no database."""

from __future__ import annotations

from dataclasses import asdict, dataclass

BANG_KHEN, GIAY_KHEN, CHUNG_NHAN = "BẰNG KHEN", "GIẤY KHEN", "GIẤY CHỨNG NHẬN"

# Award code -> the certificate's heading. Commendations (Bằng khen, Giấy khen) print as such;
# emulation titles (LĐTT, CSTĐ, tập thể LĐTT/LĐXS) get a Giấy chứng nhận, as in practice. The
# Cờ thi đua (a flag) and the Huy hiệu Đảng (a badge with its certificate printed centrally)
# get nothing here.
CERTIFICATE_KINDS = {
    "BK_TP": BANG_KHEN,
    "BK_TTG": BANG_KHEN,
    "TCD_5NAM": BANG_KHEN,
    "GK": GIAY_KHEN,
    "GK_DANG": GIAY_KHEN,
    "GK_TCD": GIAY_KHEN,
    "DANG_5NAM": GIAY_KHEN,
    "LDTT": CHUNG_NHAN,
    "CSTDCS": CHUNG_NHAN,
    "CSTD_TP": CHUNG_NHAN,
    "TTLDTT": CHUNG_NHAN,
    "TTLDXS": CHUNG_NHAN,
}
PARTY_CODES = frozenset({"GK_DANG", "GK_TCD", "DANG_5NAM", "TCD_5NAM"})

# name -> (width, height) in mm, portrait
PAGE_SIZES = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "A5": (148.0, 210.0)}
ORIENTATIONS = {"landscape": "ngang", "portrait": "dọc"}
ALIGNS = {"left": "trái", "center": "giữa", "right": "phải"}
FIELDS = {
    "issuer": "Cơ quan tặng",
    "name": "Họ tên / tập thể",
    "unit": "Đơn vị",
    "award": "Danh hiệu, thành tích",
    "decision": "Số, ngày quyết định",
    "date": "Địa danh, ngày tháng",
    "signer": "Người ký",
}
ATTRS = {
    "x_mm": "Cách lề trái (mm)",
    "y_mm": "Cách mép trên (mm)",
    "width_mm": "Rộng (mm)",
    "font_pt": "Cỡ chữ (pt)",
    "align": "Căn lề",
}
FONT_MIN, FONT_MAX, WIDTH_MIN = 6.0, 72.0, 10.0
PT_MM = 25.4 / 72  # one typographic point in mm


@dataclass(frozen=True)
class FieldPos:
    x_mm: float
    y_mm: float
    width_mm: float
    font_pt: float
    align: str = "center"


@dataclass(frozen=True)
class Layout:
    page_size: str
    orientation: str
    fields: dict[str, FieldPos]

    @property
    def size_mm(self) -> tuple[float, float]:
        return page_mm(self.page_size, self.orientation)

    def as_dict(self) -> dict:
        return {
            "page_size": self.page_size,
            "orientation": self.orientation,
            "fields": {k: asdict(v) for k, v in self.fields.items()},
        }


def page_mm(size: str, orientation: str) -> tuple[float, float]:
    """(width, height) of the page in mm."""
    w, h = PAGE_SIZES[size]
    return (h, w) if orientation == "landscape" else (w, h)


# Defaults for an A4 landscape blank (297 x 210 mm): the heading, emblem and title are
# pre-printed in the upper third; the fields below them, the signature block bottom right.
_DEFAULT_A4_LANDSCAPE = {
    "issuer": FieldPos(40, 62, 217, 15),
    "name": FieldPos(30, 92, 237, 22),
    "unit": FieldPos(30, 108, 237, 14),
    "award": FieldPos(40, 120, 217, 14),
    "decision": FieldPos(25, 158, 120, 11, "left"),
    "date": FieldPos(160, 150, 120, 12),
    "signer": FieldPos(160, 186, 120, 14),
}


def default_layout(code: str = "") -> Layout:
    """The layout of a code nothing was stored for: A4 landscape, fields as above."""
    return Layout("A4", "landscape", dict(_DEFAULT_A4_LANDSCAPE))


def layout_from(data: dict) -> Layout:
    """A Layout from its stored dict (fields missing from it take their defaults)."""
    defaults = default_layout().fields
    fields = {}
    for name in FIELDS:
        given = (data.get("fields") or {}).get(name)
        fields[name] = FieldPos(**given) if given else defaults[name]
    return Layout(data.get("page_size", "A4"), data.get("orientation", "landscape"), fields)


def _number(value, label: str, errors: list[str]) -> float | None:
    try:
        number = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        errors.append(f"{label} phải là một số.")
        return None
    if number != number or number in (float("inf"), float("-inf")):
        errors.append(f"{label} phải là một số.")
        return None
    return round(number, 1)


def check_layout(data: dict) -> tuple[Layout | None, dict[str, list[str]]]:
    """(layout, {}) for a valid layout given as plain values (numbers as text or numbers,
    a decimal comma accepted), else (None, errors by "field.attr"): page size and orientation
    known; each field's font 6–72 pt, width at least 10 mm, and its box (x to x + width, y to
    y + one line of the font) inside the page."""
    errors: dict[str, list[str]] = {}
    size, orientation = data.get("page_size"), data.get("orientation")
    if size not in PAGE_SIZES:
        errors["page_size"] = ["Khổ giấy phải là " + ", ".join(PAGE_SIZES) + "."]
    if orientation not in ORIENTATIONS:
        errors["orientation"] = ["Chiều giấy phải là ngang hoặc dọc."]
    if errors:
        return None, errors
    page_w, page_h = page_mm(size, orientation)
    given = data.get("fields") or {}
    fields = {}
    for name, label in FIELDS.items():
        raw = given.get(name) or {}
        msgs: list[str] = []
        nums = {
            a: _number(raw.get(a), f"{label}: {ATTRS[a].lower()}", msgs)
            for a in ("x_mm", "y_mm", "width_mm", "font_pt")
        }
        align = raw.get("align") or "center"
        if align not in ALIGNS:
            msgs.append(f"{label}: căn lề phải là trái, giữa hoặc phải.")
        if not msgs:
            x, y, w, pt = nums["x_mm"], nums["y_mm"], nums["width_mm"], nums["font_pt"]
            if not FONT_MIN <= pt <= FONT_MAX:
                msgs.append(f"{label}: cỡ chữ phải từ {FONT_MIN:g} đến {FONT_MAX:g} pt.")
            if w < WIDTH_MIN:
                msgs.append(f"{label}: chiều rộng phải từ {WIDTH_MIN:g} mm trở lên.")
            if x < 0 or y < 0:
                msgs.append(f"{label}: vị trí không được âm.")
            if x + w > page_w:
                msgs.append(
                    f"{label}: lề trái + chiều rộng ({x + w:g} mm) vượt chiều ngang trang "
                    f"({page_w:g} mm)."
                )
            if y + pt * PT_MM > page_h:
                msgs.append(f"{label}: dòng chữ vượt mép dưới trang ({page_h:g} mm).")
        if msgs:
            errors[name] = msgs
        else:
            fields[name] = FieldPos(x, y, w, pt, align)
    if errors:
        return None, errors
    return Layout(size, orientation, fields), {}


def grid_lines(page_w: float, page_h: float, step: float = 5.0) -> list[tuple[str, float, bool]]:
    """The test print's ruler: ("x" | "y", position in mm, major) every `step` mm, a major line
    (labelled) every 10 mm."""
    out = []
    for axis, length in (("x", page_w), ("y", page_h)):
        n = 1
        while n * step < length:
            pos = n * step
            out.append((axis, pos, pos % 10 == 0))
            n += 1
    return out
