"""Biểu 0602–0605 (TT 02/2023, issue 13 item 6) through the exports API: row and column codes
and the figures against the hand count of forms_fixtures (list A decided 31/12/2025 cấp thành phố,
list B 01/01/2026 cấp cơ sở); a refused or removed nomination and a party badge not counted;
the totals rows the sums of their rows."""

from __future__ import annotations

from tests.awards import forms_fixtures
from tests.awards import test_award_lists as base
from tests.awards.forms_fixtures import export, read_form, values

year = base.year
decided = forms_fixtures.decided

YEAR_2025 = ("01/01/2025", "31/12/2025")
BOTH = ("01/01/2025", "01/01/2026")


def _form(client, decided, code, unit="R", period=YEAR_2025):
    return read_form(export(client, decided["hr"], f"tt02_{code}", unit, *period).data, code)


def test_0602_titles(client, decided):
    form = _form(client, decided, "0602")
    assert "Biểu số 0602.N/BNV-TĐKT" in form["texts"] and "DANH HIỆU THI ĐUA" in form["texts"]
    assert form["codes"] == ["1", "2", "3", "4", "5"]
    # [tổng số, cá nhân, tập thể, of the individuals: nữ, lãnh đạo quản lý]
    assert form["rows"] == {
        "01": ("Tổng số", [4, 3, 1, 0, 2]),
        "02": ("Chiến sĩ thi đua thành phố", [0, 0, 0, 0, 0]),
        "03": ("Chiến sĩ thi đua cơ sở", [1, 1, 0, 0, 1]),  # PA (head)
        "04": ("Lao động tiên tiến", [2, 2, 0, 0, 1]),  # PA, PA1; PA2 refused by the vote
        "05": ("Cờ thi đua của UBND thành phố", [0, 0, 0, 0, 0]),
        "06": ("Tập thể lao động xuất sắc", [0, 0, 0, 0, 0]),
        "07": ("Tập thể lao động tiên tiến", [1, 0, 1, 0, 0]),  # A1
    }
    both = values(_form(client, decided, "0602", period=BOTH))
    assert both["04"] == [3, 3, 0, 1, 1]  # + PB, a woman
    assert both["06"] == [0, 0, 0, 0, 0]
    assert both["07"] == [2, 0, 2, 0, 0]  # + B
    assert both["01"] == [6, 4, 2, 1, 2]


def test_0603_forms_of_commendation(client, decided):
    form = _form(client, decided, "0603")
    assert "HÌNH THỨC KHEN THƯỞNG" in form["texts"]
    # the party's badge (PA1 HHD30) and the removed Giấy khen of PA2 are not counted
    assert form["rows"] == {
        "01": ("Tổng số", [2, 1, 1, 0, 1]),
        "02": ("Bằng khen của Thủ tướng Chính phủ", [0, 0, 0, 0, 0]),
        "03": ("Bằng khen của Chủ tịch UBND thành phố", [0, 0, 0, 0, 0]),
        "04": ("Giấy khen", [2, 1, 1, 0, 1]),  # PA (head), unit A
    }


def test_0604_by_target_group_and_level_of_decision(client, decided):
    form = _form(client, decided, "0604")
    assert "KHEN THƯỞNG THEO ĐỐI TƯỢNG" in form["texts"]
    assert form["codes"] == ["1", "2", "3", "4", "5"]
    # [tổng số, cấp cơ sở, cấp huyện, cấp tỉnh, cấp Nhà nước]: list A is cấp thành phố
    assert form["rows"] == {
        "01": ("Tổng số", [6, 0, 0, 6, 0]),
        "02": ("Cá nhân", [4, 0, 0, 4, 0]),
        "03": ("Lãnh đạo, quản lý", [3, 0, 0, 3, 0]),  # PA: LĐTT, CSTĐCS, Giấy khen
        "04": ("Cán bộ", [0, 0, 0, 0, 0]),
        "05": ("Công chức", [0, 0, 0, 0, 0]),  # PA is one, counted as a head only
        "06": ("Viên chức", [0, 0, 0, 0, 0]),  # PA2: refused
        "07": ("Người lao động", [0, 0, 0, 0, 0]),
        "08": ("Chưa xác định đối tượng", [1, 0, 0, 1, 0]),  # PA1
        "09": ("Tập thể", [2, 0, 0, 2, 0]),
    }
    both = values(_form(client, decided, "0604", period=BOTH))
    assert both["04"] == [1, 1, 0, 0, 0]  # PB, cán bộ, cấp cơ sở
    assert both["09"] == [3, 1, 0, 2, 0]
    assert both["01"] == [8, 2, 0, 6, 0]
    assert both["02"] == [
        sum(both[c][i] for c in ("03", "04", "05", "06", "07", "08")) for i in range(5)
    ]


def test_0605_by_level_of_decision(client, decided):
    form = _form(client, decided, "0605", period=BOTH)
    assert "KHEN THƯỞNG THEO CẤP QUYẾT ĐỊNH VÀ HÌNH THỨC" in form["texts"]
    assert form["codes"] == ["1", "2", "3", "4", "5", "6"]
    # [số quyết định, tổng số lượt, tập thể, cá nhân, danh hiệu thi đua, hình thức khen thưởng]
    assert form["rows"] == {
        "01": ("Tổng số", [2, 8, 3, 5, 6, 2]),
        "02": ("Cấp cơ sở", [1, 2, 1, 1, 2, 0]),
        "03": ("Cấp huyện", [0, 0, 0, 0, 0, 0]),
        "04": ("Cấp tỉnh, thành phố", [1, 6, 2, 4, 4, 2]),
        "05": ("Cấp Nhà nước", [0, 0, 0, 0, 0, 0]),
    }
    # A's subtree: B's decision is outside it
    assert values(_form(client, decided, "0605", unit="A", period=BOTH))["01"] == [1, 6, 2, 4, 4, 2]
