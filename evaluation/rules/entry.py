"""When a person's yearly inputs are complete enough to rate ("entered", issue 11): the four
general criteria CT, DD, TP, KL and either a monthly task score or the yearly task points, or
fewer than 6 months worked (A1 then leaves the person unrated whatever else is entered). A list
cannot be submitted while one of its people is not entered; a rating computed from inputs that
are not complete is flagged "chưa đủ dữ liệu" wherever it is shown."""

from __future__ import annotations

from collections.abc import Mapping

CRITERIA = (
    ("ct", "Chính trị tư tưởng (CT)"),
    ("dd", "Đạo đức, lối sống (ĐĐ)"),
    ("tp", "Tác phong, lề lối (TP)"),
    ("kl", "Ý thức kỷ luật (KL)"),
)
MONTHS = tuple(f"m{i}" for i in range(1, 13))
TASKS = "Điểm nhiệm vụ (ít nhất một tháng hoặc điểm cả năm)"
NO_INPUTS = "Chưa nhập đánh giá"
INCOMPLETE = "chưa đủ dữ liệu"


def missing_inputs(values: Mapping | None, min_months: int = 6) -> tuple[str, ...]:
    """What is missing from one person's inputs (labels in Vietnamese); () when entered.
    `values` maps the input names (ct, dd, tp, kl, m1..m12, task_points, months_worked,
    maternity) to
    their values, None for a blank; None itself means the person has no input row."""
    if values is None:
        return (NO_INPUTS,)
    months_worked = values.get("months_worked")
    if months_worked is not None and months_worked < min_months and not values.get("maternity"):
        return ()
    missing = [label for key, label in CRITERIA if values.get(key) is None]
    if values.get("task_points") is None and all(values.get(m) is None for m in MONTHS):
        missing.append(TASKS)
    return tuple(missing)


def is_entered(values: Mapping | None, min_months: int = 6) -> bool:
    return not missing_inputs(values, min_months)
