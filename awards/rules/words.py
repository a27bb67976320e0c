"""Vietnamese words the reasons use."""

from __future__ import annotations

from decimal import Decimal

LEVEL_WORDS = {
    "XS": "Hoàn thành xuất sắc nhiệm vụ",
    "T": "Hoàn thành tốt nhiệm vụ",
    "HT": "Hoàn thành nhiệm vụ",
    "KHT": "Không hoàn thành nhiệm vụ",
    "NR": "Chưa xếp loại",
}


def level(code: str | None) -> str:
    if code is None:
        return "không xếp loại"
    return f"{LEVEL_WORDS.get(code, code)} ({code})"


def number(value: Decimal | None) -> str:
    """92,50: two decimals with a comma (Vietnamese)."""
    if value is None:
        return "–"
    return f"{value:.2f}".replace(".", ",")


def pct(part: int, whole: int) -> str:
    if not whole:
        return "0,00%"
    return f"{Decimal(part * 100) / Decimal(whole):.2f}%".replace(".", ",")


def years(values) -> str:
    return ", ".join(str(y) for y in sorted(values)) or "không năm nào"
