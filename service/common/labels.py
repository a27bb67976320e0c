"""Vietnamese labels of input fields, so that a message never shows a field's code name
("found_on: ...") but its label ("Ngày phát hiện: ...").

A field's label is its schema field's `metadata["label"]` when the schema is known, else the
label registered for that name: the core's below, every import column's (register_import) and
what the domains add in their init_app (register_labels)."""

from __future__ import annotations

from collections.abc import Mapping

LABELS: dict[str, str] = {
    "code": "Mã",
    "name": "Tên",
    "kind": "Loại",
    "parent_code": "Mã đơn vị cấp trên",
    "unit_code": "Mã đơn vị",
    "party_unit_code": "Mã chi bộ",
    "person_code": "Mã cán bộ",
    "full_name": "Họ và tên",
    "quota_root": "Đơn vị tính tỷ lệ",
    "username": "Tên đăng nhập",
    "password": "Mật khẩu",
    "active": "Hoạt động",
    "role": "Vai trò",
    "roles": "Vai trò",
    "token_name": "Tên mã truy cập",
    "expires_in_days": "Số ngày hiệu lực",
    "page": "Trang",
    "per_page": "Số dòng mỗi trang",
    "q": "Tìm kiếm",
    "version": "Phiên bản",
    "reason": "Lý do",
    "file": "Tệp",
    "year": "Năm",
}
LOCATIONS = ("json", "query", "form", "files", "headers", "path", "view_args")


def register_labels(labels: Mapping[str, str], replace: bool = False) -> None:
    """Add labels by field name; an existing one is kept unless `replace`."""
    for name, label in labels.items():
        if replace or name not in LABELS:
            LABELS[name] = label


def label_of(name, schema=None) -> str:
    """The label of field `name` (of `schema` when given); the name itself when none is known."""
    field = _field(schema, name)
    if field is not None and field.metadata.get("label"):
        return field.metadata["label"]
    return LABELS.get(str(name), str(name))


def field_lines(fields, schema=None) -> list[str]:
    """Marshmallow-shaped messages ({"found_on": ["Bắt buộc nhập."]}, nested, by location) as
    lines "Ngày phát hiện: Bắt buộc nhập."."""
    if not fields:
        return []
    if isinstance(fields, str):
        return [fields]
    if isinstance(fields, list | tuple):
        lines = []
        for item in fields:
            lines.extend(field_lines(item, schema) if not isinstance(item, str) else [item])
        return lines
    if not isinstance(fields, Mapping):
        return [str(fields)]
    lines = []
    for key, value in fields.items():
        if key == "_schema" or (key in LOCATIONS and _field(schema, key) is None):
            lines.extend(field_lines(value, schema))
            continue
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            lines.extend(f"Mục {int(key) + 1}: {line}" for line in field_lines(value, schema))
            continue
        label = label_of(key, schema)
        if isinstance(value, Mapping):
            inner = field_lines(value, _nested(schema, key))
            lines.extend(f"{label} — {line}" for line in inner)
        else:
            messages = [value] if isinstance(value, str) else list(value)
            text = " ".join(str(m) for m in messages)
            named = text.lower().startswith(label.lower())
            lines.append(text if named else f"{label}: {text}")
    return lines


def _field(schema, name):
    fields = getattr(schema, "fields", None)
    if not fields and isinstance(schema, type):
        fields = getattr(schema, "_declared_fields", None)
    return (fields or {}).get(name) if isinstance(name, str) else None


def _nested(schema, name):
    field = _field(schema, name)
    inner = getattr(field, "inner", None)  # List(Nested(...))
    return getattr(inner or field, "schema", None)


# The names of codes a domain owns, for the pages of another: register_names("award", namer)
# where namer(code) answers the Vietnamese name (or None); the template filter `code_name`
# reads them ({{ "LDTT"|code_name("award") }}: "Lao động tiên tiến"), the code when none.
NAMERS: dict = {}


def register_names(kind: str, namer) -> None:
    NAMERS[kind] = namer


def code_name(code, kind: str) -> str:
    namer = NAMERS.get(kind)
    named = namer(code) if namer is not None and code else None
    return named or (code or "")
