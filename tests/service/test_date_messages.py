"""A refused date says what is wrong with it: a day the month does not have is not a format
mistake («31/02/2024» is written right; February 2024 has 29 days)."""

from __future__ import annotations

import pytest

from service.common.spreadsheets import parse_date
from service.common.vietnamese import date_problem


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2024", "Ngày không hợp lệ: tháng 2/2024 chỉ có 29 ngày."),
        ("29/02/2025", "Ngày không hợp lệ: tháng 2/2025 chỉ có 28 ngày."),
        ("32/12/2025", "Ngày không hợp lệ: tháng 12/2025 chỉ có 31 ngày."),
        ("31/04/2025", "Ngày không hợp lệ: tháng 4/2025 chỉ có 30 ngày."),
        ("05/13/2025", "Ngày không hợp lệ: không có tháng 13 (tháng từ 1 đến 12)."),
        ("00/03/2025", "Ngày không hợp lệ: không có ngày 0."),
        ("5 tháng 3", "Ngày không hợp lệ (dd/mm/yyyy)."),
        ("2025-03-05x", "Ngày không hợp lệ (dd/mm/yyyy)."),
    ],
)
def test_date_problem_names_what_is_wrong(text, message):
    assert date_problem(text) == message


def test_forms_and_imports_say_it():
    with pytest.raises(ValueError, match="tháng 2/2024 chỉ có 29 ngày"):
        parse_date("31/02/2024")
    from service.common.forms import VnDateField

    field = VnDateField.__new__(VnDateField)
    with pytest.raises(ValueError, match="tháng 2/2024 chỉ có 29 ngày"):
        VnDateField.process_formdata(field, ["31/02/2024"])
