"""Issue 14 item 6: uploads are read with python-calamine, the same header matching, cell
parsing and error rows as before; a workbook with formulas is read with openpyxl (which shows a
formula's text, so the cell is refused by name: calamine only gives the cached result)."""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter

from service.common.spreadsheets import Column, check_file, read_rows

COLUMNS = [
    Column("person_code", "Mã cán bộ", kind="code", required=True),
    Column("full_name", "Họ và tên"),
    Column("born_on", "Ngày sinh", kind="date"),
    Column("days", "Số ngày", kind="int"),
]


def workbook(cells: dict, formula: str | None = None) -> bytes:
    """cells: {(row, col): value} (0-based); a date value gets a date format."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("Cán bộ")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    for (r, c), value in cells.items():
        if isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
        else:
            ws.write(r, c, value)
    if formula:
        ws.write_formula(formula, "=1+1")
    wb.close()
    return out.getvalue()


def test_a_table_that_starts_in_column_c_row_1_keeps_its_columns_and_row_numbers():
    head = {(0, 2): "Mã cán bộ", (0, 3): "Họ và tên", (0, 4): "Ngày sinh", (0, 5): "Số ngày"}
    rows = {
        (1, 2): "DD001", (1, 3): "An", (1, 4): dt.date(1990, 2, 28), (1, 5): 3,
        (3, 2): 1234, (3, 3): 5, (3, 5): "ba",
    }  # fmt: skip
    data = workbook({**head, **rows})
    assert check_file(data) is False  # no formula: calamine reads it
    parsed = read_rows(data, COLUMNS, "Cán bộ")
    values = dict(parsed.rows)
    assert values[2] == {
        "person_code": "DD001",
        "full_name": "An",
        "born_on": dt.date(1990, 2, 28),
        "days": 3,
    }
    assert values[4]["person_code"] == "1234" and values[4]["full_name"] == "5"  # not "5.0"
    assert [(e.row, e.column) for e in parsed.errors] == [(4, "Số ngày")]


def test_a_workbook_with_a_formula_is_read_by_openpyxl_and_the_cell_refused():
    data = workbook({(0, 0): "Mã cán bộ", (0, 1): "Họ và tên", (1, 0): "DD001"}, formula="B2")
    assert check_file(data) is True
    parsed = read_rows(data, COLUMNS, "Cán bộ")
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "Họ và tên")]
    assert "công thức" in parsed.errors[0].message
