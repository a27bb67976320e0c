"""The one spreadsheet helper: reading imports (header matching, cell parsing, bad files) and
writing every export (title block, frozen header, widths, no formula injection) with xlsxwriter."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from operator import itemgetter

import xlsxwriter
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from python_calamine import CalamineError, CalamineWorkbook
from unidecode import unidecode

from service.common.gcpause import gc_paused
from service.common.vietnamese import date_problem

_MISSING = object()
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
GUIDE_SHEET = "Hướng dẫn"


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message is for the user (Vietnamese)."""


MIB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """What an uploaded xlsx may hold once uncompressed, checked before it is parsed (a zip of
    a few hundred KB can hold a GiB): each part, all parts together, the shared strings (read
    whole into memory by the parser) and any run of text between two tags, which bounds one
    cell's value (Excel's own limit is 32,767 characters, at most 6 bytes each once escaped)
    and the whitespace between tags."""

    part_bytes: int = 200 * MIB
    total_bytes: int = 400 * MIB
    shared_strings_bytes: int = 50 * MIB
    cell_bytes: int = 256 * 1024

    @classmethod
    def from_config(cls, config) -> UploadLimits:
        return cls(
            part_bytes=config["IMPORT_MAX_PART_MB"] * MIB,
            total_bytes=config["IMPORT_MAX_TOTAL_MB"] * MIB,
            shared_strings_bytes=config["IMPORT_MAX_SHARED_STRINGS_MB"] * MIB,
            cell_bytes=config["IMPORT_MAX_CELL_KB"] * 1024,
        )


def _size(n: int) -> str:
    return f"{n / MIB:.1f} MB".replace(".", ",") if n >= MIB else f"{n / 1024:.0f} KB"


def check_parts(zf: zipfile.ZipFile, limits: UploadLimits) -> bool:
    """Refuse (SpreadsheetError) an xlsx whose parts would be too big once uncompressed; answer
    whether a worksheet holds a formula (read then with openpyxl, which shows its text). The
    sizes the zip declares are checked first (zipfile never yields more than a part declares:
    a part that holds more fails its check); then every part is decompressed in 1 MiB pieces,
    never whole, and its XML scanned for a run without a tag longer than `cell_bytes`."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > limits.total_bytes:
        raise SpreadsheetError(
            f"Tệp giải nén ra tổng cộng {_size(total)}, vượt giới hạn {_size(limits.total_bytes)}."
            " Hãy chia thành nhiều tệp nhỏ hơn."
        )
    for info in infos:
        limit = (
            limits.shared_strings_bytes
            if info.filename.endswith("sharedStrings.xml")
            else limits.part_bytes
        )
        if info.file_size > limit:
            raise SpreadsheetError(
                f"Phần «{info.filename}» của tệp giải nén ra {_size(info.file_size)}, vượt giới "
                f"hạn {_size(limit)}. Hãy chia thành nhiều tệp nhỏ hơn."
            )
    formulas = False
    for info in infos:
        formulas |= _scan_part(zf, info, limits.cell_bytes)
    return formulas


_FORMULA_TAGS = (b"<f>", b"<f ", b":f>", b":f ")  # a worksheet's <f> element (or <x:f>)


def _has_formula(xml: bytes) -> bool:
    # every tag holds "f>" or "f ", which most sheets lack: two searches instead of four
    return (b"f>" in xml or b"f " in xml) and any(t in xml for t in _FORMULA_TAGS)


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cell_bytes: int) -> bool:
    """Decompress one part in 1 MiB pieces (reading to the end checks its CRC); in XML, refuse a
    run without "<" (a cell's text, or whitespace between tags) that fills a window of half
    `cell_bytes`: a run of `cell_bytes` or more is always refused, one under half of it always
    passes. One bytes.find per window, so the scan costs about the decompression."""
    window = max(1, cell_bytes // 2)
    xml = info.filename.endswith((".xml", ".rels"))
    sheet = info.filename.startswith("xl/worksheets/")
    formulas = False
    run = 0  # bytes since the last "<", carried from one piece to the next
    tail = b""  # the end of the previous piece (a tag cut in two)
    with zf.open(info) as part:
        while piece := part.read(MIB):
            if not xml:
                continue
            if sheet and not formulas:
                formulas = _has_formula(piece) or _has_formula(tail + piece[:8])
                tail = piece[-8:]
            first = piece.find(b"<")
            if first == -1:
                run += len(piece)
                too_long = run >= cell_bytes
            else:
                too_long = run + first >= cell_bytes or any(
                    piece.find(b"<", start, start + window) == -1
                    for start in range(first, len(piece) - window + 1, window)
                )
                run = len(piece) - piece.rfind(b"<") - 1
            if too_long:
                raise SpreadsheetError(
                    f"Tệp có một ô (hoặc khoảng trắng) dài hơn {_size(cell_bytes)} trong phần "
                    f"«{info.filename}»; một ô Excel chứa tối đa 32.767 ký tự."
                )
    return formulas


def normalize(label) -> str:
    """'Mã cán bộ' == ' ma can bo ' == 'MA_CAN_BO': lower case, no diacritics, single spaces."""
    if isinstance(label, str):
        return _normalize_text(label)
    return _normalize_text(str(label or ""))


@lru_cache(maxsize=65536)
def _normalize_text(text: str) -> str:
    # a column's choices and yes/no repeat on every row: unidecode once per distinct text
    return " ".join(unidecode(text).lower().replace("_", " ").split())


@lru_cache(maxsize=1024)
def _choice_map(choices: tuple) -> dict[str, object]:
    """A choice column's normalized labels and stored values -> the stored value."""
    out = {}
    for label, stored in choices:  # the first entry matching by label or value wins
        out.setdefault(normalize(label), stored)
        out.setdefault(normalize(stored), stored)
    return out


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | code | int | decimal | bool | date | choice | year
    required: bool = False
    max_len: int = 255
    choices: dict | None = None  # Vietnamese label -> stored value
    min: int | Decimal | None = None
    max: int | Decimal | None = None
    help: str = ""
    example: object = None


@dataclass
class CellError:
    sheet: str
    row: int
    column: str
    value: object
    message: str

    def as_dict(self) -> dict:
        value = self.value
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.strftime("%d/%m/%Y")
        elif value is not None and not isinstance(value, (int, float, str)):
            value = str(value)
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": value,
            "message": self.message,
        }


@dataclass
class ParsedRows:
    sheet: str
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (excel row number, values)
    errors: list[CellError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # keys of the columns the file has


YES = {"co", "x", "1", "true", "yes", "dung"}
NO = {"khong", "", "0", "false", "no", "sai"}


def parse_bool(value):
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = normalize(value)
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError("Phải là Có/Không (hoặc x/để trống, 1/0, TRUE/FALSE).")


def parse_date(value):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            when = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            raise ValueError("Ngày không hợp lệ (dd/mm/yyyy).") from None
        if not isinstance(when, dt.datetime):  # under 1: a time of day, not a date
            raise ValueError("Ngày không hợp lệ (dd/mm/yyyy).")
        return when.date()
    text = str(value).strip()
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(date_problem(text)) from None


def parse_code(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_cell(col: Column, value):
    """Convert one cell by its column kind; raises ValueError with a Vietnamese message."""
    if isinstance(value, str):
        value = value.strip()
    empty = value is None or value == ""
    if col.kind == "bool":
        return parse_bool(value)
    if empty:
        if col.required:
            raise ValueError("Bắt buộc nhập.")
        return None
    if col.kind == "code":
        text = parse_code(value)
        if len(text) > col.max_len:
            raise ValueError(f"Tối đa {col.max_len} ký tự.")
        return text
    if col.kind == "text":
        text = str(value)
        if len(text) > col.max_len:
            raise ValueError(f"Tối đa {col.max_len} ký tự.")
        return text
    if col.kind == "date":
        return parse_date(value)
    if col.kind in ("int", "year"):
        if isinstance(value, bool):
            raise ValueError("Phải là số nguyên.")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("Phải là số nguyên.") from None
        if number != number.to_integral_value():
            raise ValueError("Phải là số nguyên.")
        number = int(number)
        if (col.min is not None and number < col.min) or (col.max is not None and number > col.max):
            raise ValueError(f"Phải trong khoảng {col.min}–{col.max}.")
        return number
    if col.kind == "decimal":
        try:
            number = Decimal(str(value).replace(",", ".")) if not isinstance(value, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError("Phải là số.")
        if (col.min is not None and number < col.min) or (col.max is not None and number > col.max):
            raise ValueError(f"Phải trong khoảng {col.min}–{col.max}.")
        return number
    if col.kind == "choice":
        found = _choice_map(tuple((col.choices or {}).items())).get(normalize(value), _MISSING)
        if found is not _MISSING:
            return found
        raise ValueError("Phải là một trong: " + ", ".join(col.choices or {}) + ".")
    raise AssertionError(col.kind)


def check_file(data: bytes, limits: UploadLimits | None = None) -> bool:
    """Check an uploaded xlsx before it is parsed, or raise SpreadsheetError with a message a
    clerk understands: not empty, not an old or protected file, a zip holding a workbook, its
    parts within `limits` (check_parts). Answers whether a worksheet holds a formula."""
    if not data:
        raise SpreadsheetError("Tệp rỗng.")
    if data[:8] == OLE_MAGIC:
        raise SpreadsheetError(
            "Tệp được đặt mật khẩu hoặc là định dạng Excel cũ (.xls). "
            "Hãy bỏ mật khẩu và lưu lại dưới dạng .xlsx."
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SpreadsheetError("Tệp không phải bảng tính Excel (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "xl/workbook.xml" not in set(zf.namelist()):
                raise SpreadsheetError("Tệp nén không phải bảng tính Excel (.xlsx).")
            return check_parts(zf, limits or UploadLimits())
    # what zipfile raises for a damaged archive; NotImplementedError: a compression method it
    # does not know (a zip made by some other tool), which no workbook uses
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        raise SpreadsheetError("Tệp bị hỏng (lỗi nén), không đọc được.") from None


DAMAGED = "Tệp bị hỏng hoặc không đúng định dạng .xlsx, không đọc được."


@contextmanager
def open_sheets(data: bytes, limits: UploadLimits | None = None):
    """The workbook's sheets as [(title, rows)], `rows()` iterating each row's values (a tuple
    or a list) from the sheet's first row and column (empty cells None or ""). Read with
    python-calamine, several times faster than openpyxl; a workbook with formulas is read with
    openpyxl instead (data_only=False: a formula reads as its text "=…", which is how it is
    refused with its cell named; calamine gives only the cached result)."""
    formulas = check_file(data, limits)
    try:
        if formulas:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            sheets = [(ws.title, partial(ws.iter_rows, min_row=1, values_only=True)) for ws in wb]
        else:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheets = [(n, partial(_calamine_rows, wb, n)) for n in wb.sheet_names]
    except Exception:  # both libraries raise many kinds on damaged files
        raise SpreadsheetError(DAMAGED) from None
    try:
        yield sheets
    except (SpreadsheetError, KeyboardInterrupt):
        raise
    except CalamineError:
        raise SpreadsheetError(DAMAGED) from None
    finally:
        wb.close()


def _calamine_rows(wb, name: str) -> Iterator[tuple]:
    """A calamine sheet's rows from A1: its data start where its first cell is, so the rows and
    the columns before it come back empty (the row numbers of errors are the sheet's)."""
    ws = wb.get_sheet_by_name(name)
    if ws.start is None:
        return
    first_row, first_col = ws.start
    for _ in range(first_row):
        yield ()
    if not first_col:
        yield from ws.iter_rows()  # lists
        return
    pad = [None] * first_col
    for row in ws.iter_rows():
        yield pad + row


def read_rows(
    data: bytes,
    columns: Sequence[Column],
    sheet_name: str,
    max_errors: int = 1000,
    limits: UploadLimits | None = None,
) -> ParsedRows:
    """Find the sheet and its header, then parse every row; collect cell errors (not raise)."""
    with gc_paused(), open_sheets(data, limits) as sheets:
        by_name = {normalize(c.label): c for c in columns} | {normalize(c.key): c for c in columns}
        required = [c for c in columns if c.required]
        wanted = normalize(sheet_name)
        candidates = [sh for sh in sheets if normalize(sh[0]) == wanted]
        candidates += [
            sh
            for sh in sheets
            if sh not in candidates and normalize(sh[0]) != normalize(GUIDE_SHEET)
        ]
        for title, read in candidates:
            rows = read()
            header = next(rows, None)
            if header is None:
                continue
            mapping: dict[int, Column] = {}
            unknown = []
            for idx, label in enumerate(header):
                if label is None or str(label).strip() == "":
                    continue
                col = by_name.get(normalize(label))
                if col is None and normalize(label) in INFO_LABELS:
                    continue  # a name beside the code, for the reader's eyes
                if col is None:
                    unknown.append(str(label))
                elif col not in mapping.values():
                    mapping[idx] = col
            if all(c in mapping.values() for c in required):
                return _parse_sheet(title, rows, mapping, unknown, max_errors)
        labels = ", ".join(c.label for c in required)
        raise SpreadsheetError(
            f"Không tìm thấy trang tính có đủ các cột bắt buộc ({labels}). "
            "Hãy dùng mẫu tải về từ trang nhập dữ liệu."
        )


# columns an export writes beside the codes for whoever reads it (a person's or a unit's name):
# an import that does not read them skips them without calling them unsupported
INFO_LABELS = frozenset({"ho va ten", "ten don vi"})

FORMULA_MESSAGE = "Ô chứa công thức; hãy chép rồi dán giá trị (Dán đặc biệt → Giá trị)."


class _Bad:
    """A cell that failed to parse: the value shown in the error report and the message."""

    __slots__ = ("message", "raw")

    def __init__(self, raw, message: str):
        self.raw = raw
        self.message = message


def _cell_parser(col: Column, bad: list) -> Callable[[object], object]:
    """The parser of one column's raw cells: a cell's value, or a _Bad (also put in `bad`).
    parse_cell decides every case; the fast paths answer what it would, for the cells most
    files hold (text, a dd/mm/yyyy date cell, a whole number; a yes/no or choice label read
    once per distinct text)."""
    bool_kind, required = col.kind == "bool", col.required

    def generic(raw):
        if type(raw) is float and raw.is_integer():
            raw = int(raw)  # xlsx stores 5 as "5": calamine reads 5.0, openpyxl 5
        if raw is None or raw == "":
            if bool_kind or not required:
                return False if bool_kind else None
        elif isinstance(raw, str) and raw.startswith("="):
            bad.append(out := _Bad(raw, FORMULA_MESSAGE))
            return out
        try:
            return parse_cell(col, raw)
        except ValueError as err:
            bad.append(out := _Bad(raw, str(err)))
            return out

    max_len = col.max_len
    if col.kind in ("text", "code"):

        def text(raw):
            if type(raw) is str:
                s = raw.strip()
                if s and len(s) <= max_len and raw[0] != "=":
                    return s
            return generic(raw)

        return text
    if col.kind in ("bool", "choice"):
        known: dict[str, object] = {}  # a few distinct labels repeated on every row

        def label(raw):
            if type(raw) is str:
                found = known.get(raw, _MISSING)
                if found is not _MISSING:
                    return found
                found = generic(raw)
                if type(found) is not _Bad and len(known) < 4096:
                    known[raw] = found
                return found
            return generic(raw)

        return label
    if col.kind == "date":

        def date(raw):
            kind = type(raw)
            if kind is dt.date:
                return raw
            if kind is dt.datetime:
                return raw.date()
            return generic(raw)

        return date
    if col.kind == "int":
        low, high = col.min, col.max

        def whole(raw):
            kind = type(raw)
            if kind is float and raw.is_integer():
                number = int(raw)
            elif kind is int:
                number = raw
            else:
                return generic(raw)
            if (low is None or number >= low) and (high is None or number <= high):
                return number
            return generic(raw)

        return whole
    return generic


def _parse_sheet(title, rows: Iterator, mapping, unknown, max_errors) -> ParsedRows:
    """Parse the rows under the header column by column (each column's parser over all its
    cells), then make each row's dict; errors in row order, then column order, the first
    `max_errors` kept; a row whose columns are all empty is skipped, not an error."""
    out = ParsedRows(
        sheet=title, unknown_columns=unknown, columns=[c.key for c in mapping.values()]
    )
    items = list(mapping.items())
    data = list(rows)  # read-only mode yields empty rows too
    if not items or not data:
        return out
    width = max(mapping) + 1
    if any(len(r) < width for r in data):
        data = [r if len(r) >= width else (*r, *(None,) * (width - len(r))) for r in data]
    raws = [list(map(itemgetter(idx), data)) for idx, _col in items]
    del data
    blank = range(len(raws[0]))  # the rows whose columns are all empty
    for raw in raws:
        blank = [i for i in blank if raw[i] is None or raw[i] == ""]
    skip = set(blank)
    values, found = [], []
    for order, ((_idx, col), raw) in enumerate(zip(items, raws, strict=True)):
        bad: list[_Bad] = []
        parsed = list(map(_cell_parser(col, bad), raw))
        if bad:
            kept = 0  # a column's errors after its first max_errors are never among the first
            for i, v in enumerate(parsed):
                if type(v) is _Bad:
                    parsed[i] = None
                    if kept < max_errors and i not in skip:
                        kept += 1
                        found.append(
                            (i, order, CellError(title, i + 2, col.label, v.raw, v.message))
                        )
        values.append(parsed)
    del raws
    keys = [col.key for _idx, col in items]
    out.rows = [
        (i + 2, dict(zip(keys, row, strict=True)))
        for i, row in enumerate(zip(*values, strict=True))
        if i not in skip
    ]
    found.sort(key=lambda e: e[:2])
    out.errors = [e for _i, _o, e in found[:max_errors]]
    return out


def write_workbook(sheets: Sequence[dict]) -> bytes:
    """Build an xlsx. Each sheet: {name, title?, subtitle?, headers:[(label, width)], rows,
    validations?: {col_index: [choices]}, text_cols?: set}.

    Strings are never turned into formulas (no formula injection from user data)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "constant_memory": False,
        },
    )
    bold = wb.add_format({"bold": True})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format(
        {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    for sheet in sheets:
        ws = wb.add_worksheet(sheet["name"][:31])
        r = 0
        if sheet.get("title"):
            ws.write(r, 0, sheet["title"], title_fmt)
            r += 1
            for line in sheet.get("subtitle", []):
                ws.write(r, 0, line)
                r += 1
            r += 1
        header_row = r
        text_cols = sheet.get("text_cols", set())
        for c, (label, width) in enumerate(sheet["headers"]):
            ws.write(r, c, label, head)
            ws.set_column(c, c, width, text if c in text_cols else None)
        ws.freeze_panes(header_row + 1, 0)
        for row in sheet["rows"]:
            r += 1
            for c, value in enumerate(row):
                if isinstance(value, (dt.date, dt.datetime)):
                    ws.write_datetime(r, c, value, date)
                elif value is None:
                    continue
                elif isinstance(value, Decimal):
                    ws.write_number(r, c, float(value))
                elif isinstance(value, bool):
                    ws.write_string(r, c, "Có" if value else "Không")
                elif isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
        for c, choices in sheet.get("validations", {}).items():
            ws.data_validation(
                header_row + 1,
                c,
                header_row + 5000,
                c,
                {
                    "validate": "list",
                    "source": list(choices),
                    "error_message": "Chọn một giá trị trong danh sách.",
                },
            )
        if sheet.get("bold_first_col"):
            ws.set_column(0, 0, None, bold)
    wb.close()
    return buf.getvalue()


# --- exports: streamed, constant memory -------------------------------------------------------


@dataclass(frozen=True)
class ExportColumn:
    """A column of an export. kind: text | code | int | decimal | date | bool | yesno | choice
    | level. A level column is written as two: the level in full words, then its code (`words`
    maps a code to its words); a choice column is one, its value's words; a yesno column writes
    Có or Không (a bool column: Có or nothing). `choices` adds a list validation to the column
    (`strict`: other values refused; else only a hint, e.g. several codes in one cell)."""

    label: str
    kind: str = "text"
    words: dict | None = None
    max_width: int = 60
    choices: Sequence[str] | None = None
    strict: bool = True


@dataclass(frozen=True)
class ExportChart:
    """A native Excel chart over a sheet's table. kind "stacked_bar": one series per column of
    `series` (logical column indices) over the data rows, categories from `category`; kind
    "pie": the total row's cells of `series`, categories their headers."""

    kind: str
    title: str
    series: Sequence[int]
    category: int = 0


@dataclass
class ExportSheet:
    """A sheet of an export: its columns and the rows (an iterable, consumed once, in order).
    `total_row` replaces the default totals row (the count of rows; () for none); `charts` are drawn
    beside the table. layout "import": the header in the first row and nothing else (no title
    block, no totals), the shape an import reads back."""

    name: str
    columns: Sequence[ExportColumn]
    rows: object  # Iterable[Sequence]
    title: str = ""
    total_row: Sequence | None = None
    charts: Sequence[ExportChart] = ()
    layout: str = "report"  # report | import


@dataclass(frozen=True)
class ExportMeta:
    """The title block: what, whose unit, which year, when and by whom."""

    title: str
    unit: str
    year: int
    user: str
    exported_at: dt.datetime = field(default_factory=dt.datetime.now)


TOTAL_LABEL = "Tổng số"
# a job writing an export hears of the rows written, PROGRESS_EVERY at a time (its progress)
ROWS_WRITTEN: ContextVar[Callable[[int], None] | None] = ContextVar("rows_written", default=None)
PROGRESS_EVERY = 1000


def _formats(wb) -> dict:
    return {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "head": wb.add_format(
            {
                "bold": True,
                "bg_color": "#DCE6F1",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),
        "text": wb.add_format({"num_format": "@"}),
        "date": wb.add_format({"num_format": "dd/mm/yyyy"}),
        "decimal": wb.add_format({"num_format": "0.00"}),
        "int": wb.add_format({"num_format": "0"}),
        "percent": wb.add_format({"num_format": "0.00%"}),
        "total": wb.add_format({"bold": True, "top": 1}),
        "total_decimal": wb.add_format({"bold": True, "top": 1, "num_format": "0.00"}),
        "total_percent": wb.add_format({"bold": True, "top": 1, "num_format": "0.00%"}),
    }


def _width(value) -> int:
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    if isinstance(value, (Decimal, float)):
        return len(f"{value:.2f}")
    return len(str(value))


def write_export(target, meta: ExportMeta, sheets: Sequence[ExportSheet]) -> int:
    """Write an export to `target` (a path or a binary file object) in constant memory: each
    sheet's rows are written as they come. Text stays text (never a formula nor a link).
    Returns the number of data rows written."""
    wb = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    fmt = _formats(wb)
    total = 0
    for sheet in sheets:
        total += _write_export_sheet(wb, fmt, meta, sheet)
    wb.close()
    return total


def _title_block(ws, fmt, meta: ExportMeta, sheet: ExportSheet) -> int:
    """The title and its four lines (unit, year, when, who); returns the header's row."""
    lines = [
        f"Đơn vị: {meta.unit}",
        f"Năm đánh giá: {meta.year}",
        f"Ngày xuất: {meta.exported_at:%d/%m/%Y %H:%M}",
        f"Người xuất: {meta.user}",
    ]
    ws.write_string(0, 0, sheet.title or meta.title, fmt["title"])
    for i, line in enumerate(lines, start=1):
        ws.write_string(i, 0, line)
    return len(lines) + 2


MAX_ROW = 1_048_575  # the last row of a sheet (0-based)
LIST_SOURCE_MAX = 255  # Excel's limit on a validation list written in the cell


def _validations(ws, cells, header_row: int) -> None:
    """A list validation on the cells below the header of each column with choices."""
    for c, (col, _kind) in enumerate(cells):
        if not col.choices or len(",".join(col.choices)) > LIST_SOURCE_MAX:
            continue
        ws.data_validation(
            header_row + 1,
            c,
            MAX_ROW,
            c,
            {
                "validate": "list",
                "source": list(col.choices),
                "error_type": "stop" if col.strict else "information",
                "error_message": "Chọn một giá trị trong danh sách.",
            },
        )


def _write_export_sheet(wb, fmt, meta: ExportMeta, sheet: ExportSheet) -> int:
    ws = wb.add_worksheet(sheet.name[:31])
    as_import = sheet.layout == "import"
    header_row = 0 if as_import else _title_block(ws, fmt, meta, sheet)
    # the physical columns: a level column is two (words, code)
    cells: list[tuple[ExportColumn, str]] = []
    labels: list[str] = []
    for col in sheet.columns:
        if col.kind == "level":
            cells += [(col, "words"), (col, "code")]
            labels += [col.label, f"{col.label} (mã)"]
        else:
            cells.append((col, col.kind))
            labels.append(col.label)
    widths = [min(max(len(w) for w in label.split()) + 2, 40) for label in labels]
    widths = [max(w, min(len(label), 24)) for w, label in zip(widths, labels, strict=True)]
    for c, label in enumerate(labels):
        ws.write_string(header_row, c, label, fmt["head"])
    ws.freeze_panes(header_row + 1, 0)
    r = header_row
    count = 0
    plain = {"decimal": fmt["decimal"], "percent": fmt["percent"], "code": fmt["text"]}
    report = ROWS_WRITTEN.get()
    for row in sheet.rows:
        r += 1
        count += 1
        _write_row(ws, r, cells, sheet.columns, row, plain, fmt["date"], widths, count <= 2000)
        if report is not None and count % PROGRESS_EVERY == 0:
            report(PROGRESS_EVERY)
    if report is not None and count % PROGRESS_EVERY:
        report(count % PROGRESS_EVERY)
    data_rows = (header_row + 1, r)
    r += 1
    if as_import:
        _validations(ws, cells, header_row)
    elif sheet.total_row is None:
        ws.write_string(r, 0, TOTAL_LABEL, fmt["total"])
        ws.write_number(r, 1, count, fmt["total"])
    elif not sheet.total_row:
        pass  # () : no totals row (a sheet of notes)
    else:
        bold = {
            "decimal": fmt["total_decimal"],
            "percent": fmt["total_percent"],
            "code": fmt["total"],
            None: fmt["total"],
        }
        _write_row(ws, r, cells, sheet.columns, sheet.total_row, bold, fmt["date"], widths, True)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    physical = _physical_index(sheet.columns)
    for i, chart in enumerate(sheet.charts):
        _add_chart(wb, ws, chart, physical, header_row, data_rows, r, len(cells) + 1 + 9 * i)
    return count


def _write_row(ws, r, cells, columns, row, formats, date_fmt, widths, measure) -> None:
    c = 0
    for (col, kind), value in zip(cells, _expand_values(columns, row), strict=True):
        if value is not None and value != "":
            cell_fmt = formats.get(kind, formats.get(None))
            if kind in ("decimal", "int", "percent") and not isinstance(value, str):
                ws.write_number(r, c, float(value), cell_fmt)
            elif kind == "date":
                ws.write_datetime(r, c, value, date_fmt)
            elif kind == "bool":
                ws.write_string(r, c, "Có" if value else "", cell_fmt)
            elif kind == "yesno":
                ws.write_string(r, c, "Có" if value else "Không", cell_fmt)
            elif kind in ("words", "choice"):
                ws.write_string(r, c, col.words.get(value, value), cell_fmt)
            else:
                ws.write_string(r, c, str(value), cell_fmt)
            if measure:  # widths from the first rows are enough to fit
                shown = col.words.get(value, value) if kind in ("words", "choice") else value
                w = _width(shown) + 2
                if w > widths[c]:
                    widths[c] = min(w, col.max_width)
        c += 1


def _physical_index(columns: Sequence[ExportColumn]) -> list[int]:
    """Each logical column's first physical column (a level column takes two)."""
    out, c = [], 0
    for col in columns:
        out.append(c)
        c += 2 if col.kind == "level" else 1
    return out


def _add_chart(wb, ws, spec: ExportChart, physical, header_row, data_rows, total_row, at):
    name = ws.name
    first, last = data_rows
    if spec.kind == "pie":
        chart = wb.add_chart({"type": "pie"})
        cols = [physical[i] for i in spec.series]
        chart.add_series(
            {
                "name": spec.title,
                "categories": [name, header_row, cols[0], header_row, cols[-1]],
                "values": [name, total_row, cols[0], total_row, cols[-1]],
                "data_labels": {"percentage": True},
            }
        )
    else:
        chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
        cat = physical[spec.category]
        for i in spec.series:
            col = physical[i]
            chart.add_series(
                {
                    "name": [name, header_row, col],
                    "categories": [name, first, cat, max(first, last), cat],
                    "values": [name, first, col, max(first, last), col],
                }
            )
    chart.set_title({"name": spec.title})
    ws.insert_chart(header_row, at, chart)


def _expand_values(columns: Sequence[ExportColumn], row: Sequence):
    """A row's values by physical column: a level value twice (words, code)."""
    for col, value in zip(columns, row, strict=True):
        yield value
        if col.kind == "level":
            yield value


# --- statistical report forms (biểu mẫu thống kê): coded rows and columns -------------------


@dataclass(frozen=True)
class FormColumn:
    """A numbered column of a statistical form (cột 1, 2, …); `group`: the heading it shares
    with its neighbours of the same group (merged above them), "" for none."""

    label: str
    group: str = ""


@dataclass(frozen=True)
class FormRow:
    """A coded row (cột A: its name, cột B: its code "01", "02", …); `depth` indents its name
    (0: a total row, in bold)."""

    label: str
    code: str
    values: Sequence[int]
    depth: int = 1


@dataclass
class StatForm:
    """One statistical report form on its own sheet, in the layout of the national forms: its
    number (Biểu số …) and legal basis at the top left, the reporting and receiving units at the
    top right, the title and period, the table (cột A tên chỉ tiêu, cột B mã số, then the
    numbered columns; a row of the column codes A, B, 1, 2, … under the headings), the notes,
    the place and date line and the two signature blocks."""

    sheet: str
    number: str  # "Biểu số 0601.N/BNV-TĐKT"
    basis: str  # "Ban hành kèm theo Thông tư số 02/2023/TT-BNV …"
    title: str
    period: str  # "Từ ngày 01/01/2025 đến ngày 31/12/2025"
    unit: str  # the reporting unit
    receiver: str  # the receiving unit
    columns: Sequence[FormColumn]
    rows: Sequence[FormRow]
    measure: str = "Đơn vị tính: lượt"
    row_heading: str = "Tên chỉ tiêu"
    notes: Sequence[str] = ()
    place: str = ""
    made_on: dt.date = field(default_factory=dt.date.today)
    signers: tuple[str, str] = ("Người lập biểu", "Thủ trưởng đơn vị")
    signer_hints: tuple[str, str] = ("(Ký, ghi rõ họ tên)", "(Ký, đóng dấu, ghi rõ họ tên)")


FORM_HEADER_ROWS = 2  # the headings take two rows, then the row of column codes


def write_stat_forms(target, forms: Sequence[StatForm]) -> int:
    """Write statistical report forms, one sheet each, to `target` (a path or a binary file
    object); text never becomes a formula. Returns the number of coded rows written."""
    wb = xlsxwriter.Workbook(
        target, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    fmt = {
        "bold": wb.add_format({"bold": True}),
        "italic": wb.add_format({"italic": True}),
        "title": wb.add_format({"bold": True, "font_size": 13, "align": "center"}),
        "center": wb.add_format({"align": "center"}),
        "center_bold": wb.add_format({"bold": True, "align": "center"}),
        "center_italic": wb.add_format({"italic": True, "align": "center"}),
        "head": wb.add_format(
            {
                "bold": True,
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
                "bg_color": "#DCE6F1",
            }
        ),
        "code_head": wb.add_format({"italic": True, "border": 1, "align": "center"}),
        "name": wb.add_format({"border": 1, "text_wrap": True}),
        "name_total": wb.add_format({"border": 1, "bold": True}),
        "code": wb.add_format({"border": 1, "align": "center", "num_format": "@"}),
        "code_total": wb.add_format(
            {"border": 1, "align": "center", "num_format": "@", "bold": True}
        ),
        "int": wb.add_format({"border": 1, "num_format": "#,##0"}),
        "int_total": wb.add_format({"border": 1, "num_format": "#,##0", "bold": True}),
    }
    written = 0
    for form in forms:
        written += _write_stat_form(wb, fmt, form)
    wb.close()
    return written


def _write_stat_form(wb, fmt, form: StatForm) -> int:
    ws = wb.add_worksheet(form.sheet[:31])
    last = 1 + len(form.columns)  # the last column (0-based): A, B, then the numbered ones
    right = max(2, last - 2)  # where the top-right block starts
    ws.write_string(0, 0, form.number, fmt["bold"])
    ws.write_string(1, 0, form.basis, fmt["italic"])
    ws.write_string(0, right, f"Đơn vị báo cáo: {form.unit}")
    ws.write_string(1, right, f"Đơn vị nhận báo cáo: {form.receiver}")
    ws.merge_range(3, 0, 3, last, form.title, fmt["title"])
    ws.merge_range(4, 0, 4, last, form.period, fmt["center_italic"])
    ws.write_string(5, right, form.measure, fmt["italic"])
    top = 6
    ws.merge_range(top, 0, top + 1, 0, form.row_heading, fmt["head"])
    ws.merge_range(top, 1, top + 1, 1, "Mã số", fmt["head"])
    c = 0
    while c < len(form.columns):
        col = form.columns[c]
        if not col.group:
            ws.merge_range(top, 2 + c, top + 1, 2 + c, col.label, fmt["head"])
            c += 1
            continue
        end = c
        while end + 1 < len(form.columns) and form.columns[end + 1].group == col.group:
            end += 1
        if end > c:
            ws.merge_range(top, 2 + c, top, 2 + end, col.group, fmt["head"])
        else:
            ws.write_string(top, 2 + c, col.group, fmt["head"])
        for i in range(c, end + 1):
            ws.write_string(top + 1, 2 + i, form.columns[i].label, fmt["head"])
        c = end + 1
    codes_row = top + FORM_HEADER_ROWS
    ws.write_string(codes_row, 0, "A", fmt["code_head"])
    ws.write_string(codes_row, 1, "B", fmt["code_head"])
    for i in range(len(form.columns)):
        ws.write_string(codes_row, 2 + i, str(i + 1), fmt["code_head"])
    r = codes_row
    for row in form.rows:
        r += 1
        total = row.depth == 0
        name = ("    " * max(row.depth - 1, 0)) + row.label
        ws.write_string(r, 0, name, fmt["name_total" if total else "name"])
        ws.write_string(r, 1, row.code, fmt["code_total" if total else "code"])
        for i, value in enumerate(row.values):
            ws.write_number(r, 2 + i, value, fmt["int_total" if total else "int"])
    ws.set_row(top + 1, 45)
    ws.set_column(0, 0, 42)
    ws.set_column(1, 1, 8)
    ws.set_column(2, last, 13)
    ws.freeze_panes(codes_row + 1, 2)
    r += 2
    for note in form.notes:
        ws.write_string(r, 0, note, fmt["italic"])
        r += 1
    r += 1
    day = form.made_on
    place = f"{form.place}, " if form.place else ""
    date_line = f"{place}ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"

    def block(row: int, first: int, end: int, text: str, cell_fmt) -> None:
        if end > first:
            ws.merge_range(row, first, row, end, text, cell_fmt)
        else:
            ws.write_string(row, first, text, cell_fmt)

    block(r, right, last, date_line, fmt["center_italic"])
    r += 1
    block(r, 0, 1, form.signers[0], fmt["center_bold"])
    block(r, right, last, form.signers[1], fmt["center_bold"])
    r += 1
    block(r, 0, 1, form.signer_hints[0], fmt["center_italic"])
    block(r, right, last, form.signer_hints[1], fmt["center_italic"])
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    return len(form.rows)
