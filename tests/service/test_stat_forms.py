"""The spreadsheet layer's statistical report forms (write_stat_forms): the title block, the
two heading rows (a group merged over its columns), the row of column codes, the coded rows and
the signature blocks; text from the data stays text (never a formula)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from service.common.spreadsheets import FormColumn, FormRow, StatForm, write_stat_forms


def test_a_form_is_written_with_its_codes_and_blocks():
    form = StatForm(
        sheet="Biểu 9999",
        number="Biểu số 9999.N/X",
        basis="Ban hành kèm theo …",
        title="THỬ",
        period="Từ ngày 01/01/2025 đến ngày 31/12/2025",
        unit='=HYPERLINK("http://x")',
        receiver="Cấp trên",
        columns=(FormColumn("Tổng số"), FormColumn("Nam", "Giới"), FormColumn("Nữ", "Giới")),
        rows=(FormRow("Tổng số", "01", [3, 1, 2], depth=0), FormRow("=1+1", "02", [3, 1, 2])),
        notes=("Ghi chú",),
        made_on=dt.date(2026, 1, 5),
    )
    buf = io.BytesIO()
    assert write_stat_forms(buf, [form]) == 2
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["Biểu 9999"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Biểu số 9999.N/X" and rows[3][0] == "THỬ"
    assert 'Đơn vị báo cáo: =HYPERLINK("http://x")' in rows[0]
    assert ws["C1"].data_type == "s"  # the top-right block
    assert rows[6][:4] == ("Tên chỉ tiêu", "Mã số", "Tổng số", "Giới")
    assert rows[7][3:5] == ("Nam", "Nữ") and "D7:E7" in {str(r) for r in ws.merged_cells.ranges}
    assert rows[8][:5] == ("A", "B", "1", "2", "3")
    assert rows[9][:5] == ("Tổng số", "01", 3, 1, 2)
    assert rows[10][:2] == ("=1+1", "02") and ws["A11"].data_type == "s"
    texts = [c for r in rows for c in r if isinstance(c, str)]
    assert "ngày 05 tháng 01 năm 2026" in texts
    assert {"Người lập biểu", "Thủ trưởng đơn vị", "Ghi chú"} <= set(texts)
