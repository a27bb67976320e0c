"""The dashboard's charts: each a spec the vendored Chart.js draws (templates/static/charts.js)
and the table shown beside it, built from the dashboard's rows (stats.dashboard_rows) and the
counts of stats.unit_level_counts and stats.violation_counts. No Flask, no database."""

from __future__ import annotations

from evaluation.rules import GROUP_TITLES, Level
from service.common.filters import vn_decimal

LEVELS = ("XS", "T", "HT", "KHT", "NR")
LEVEL_WORDS = {lv.value: lv.label for lv in Level}
KIND_TITLES = {
    "official": "Xếp loại cán bộ, công chức, viên chức",
    "party": "Xếp loại đảng viên",
    "unit": "Xếp loại tập thể",
}
ROW_KEYS = {"official": "levels", "party": "party_levels"}
BAR_HEIGHT = 30  # px per unit in a horizontal bar chart


def share(n: int, total: int) -> str:
    return f"{vn_decimal(round(100 * n / total, 1), 1)}%" if total else "—"


def _per_unit(rows: list[dict]) -> list[dict]:
    """The units a per-unit chart shows: the chosen unit's children, or the unit alone."""
    children = [r for r in rows if not r["is_selected"]]
    return children or rows


def _total(rows: list[dict], key: str) -> dict[str, int]:
    selected = [r for r in rows if r["is_selected"]]
    if selected:
        return dict(selected[0][key])
    out = dict.fromkeys(LEVELS, 0)
    for r in rows:
        for lv, n in r[key].items():
            out[lv] = out.get(lv, 0) + n
    return out


def _level_table(counts: dict[str, int]) -> dict:
    total = sum(counts.values())
    body = [
        [f"{LEVEL_WORDS[lv]} ({lv})", counts.get(lv, 0), share(counts.get(lv, 0), total)]
        for lv in LEVELS
    ]
    return {"head": ["Mức", "Số lượng", "Tỷ lệ"], "rows": body, "foot": ["Tổng", total, ""]}


def level_total_chart(kind: str, counts: dict[str, int]) -> dict:
    """A doughnut of the final levels of one rating kind, with the count and share of each."""
    levels = [lv for lv in LEVELS if counts.get(lv)]
    return {
        "id": f"total-{kind}",
        "title": f"{KIND_TITLES[kind]}: toàn đơn vị",
        "empty": not levels,
        "spec": {
            "type": "doughnut",
            "labels": [LEVEL_WORDS[lv] for lv in levels],
            "keys": levels,
            "datasets": [{"label": "Số lượng", "data": [counts[lv] for lv in levels]}],
        },
        "table": _level_table(counts),
        "height": 260,
    }


def level_units_chart(kind: str, rows: list[dict]) -> dict:
    """Stacked horizontal bars: per unit, how many at each final level of one rating kind."""
    key = ROW_KEYS[kind]
    shown = _per_unit(rows)
    used = [lv for lv in LEVELS if any(r[key].get(lv) for r in shown)]
    datasets = [
        {"key": lv, "label": LEVEL_WORDS[lv], "data": [r[key].get(lv, 0) for r in shown]}
        for lv in used
    ]
    table = {
        "head": ["Đơn vị", *LEVELS],
        "rows": [[r["name"], *(r[key].get(lv, 0) for lv in LEVELS)] for r in shown],
    }
    title = f"{KIND_TITLES[kind]}: theo đơn vị"
    return _units_bars(f"units-{kind}", title, not used, shown, datasets, table)


def _units_bars(chart_id: str, title: str, empty: bool, shown, datasets, table) -> dict:
    """Stacked horizontal bars, one per unit shown."""
    return {
        "id": chart_id,
        "title": title,
        "empty": empty,
        "spec": {
            "type": "bar",
            "stacked": True,
            "horizontal": True,
            "labels": [r["name"] for r in shown],
            "datasets": datasets,
        },
        "table": table,
        "height": 60 + BAR_HEIGHT * len(shown),
    }


def progress_chart(rows: list[dict]) -> dict:
    """The cycle's progress per unit: people entered and not yet entered, with the list state."""
    shown = _per_unit(rows)
    datasets = [
        {"key": "entered", "label": "Đã nhập đủ", "data": [r["evaluated"] for r in shown]},
        {
            "key": "missing",
            "label": "Chưa nhập đủ",
            "data": [r["people"] - r["evaluated"] for r in shown],
        },
    ]
    table = {
        "head": ["Đơn vị", "Cán bộ", "Đã nhập đủ", "Danh sách"],
        "rows": [[r["name"], r["people"], r["evaluated"], r["state_label"]] for r in shown],
    }
    title = "Tiến độ: đã nhập đủ / chưa nhập theo đơn vị"
    empty = not any(r["people"] for r in shown)
    return _units_bars("progress", title, empty, shown, datasets, table)


def violations_month_chart(counts: dict) -> dict:
    months = counts["by_month"]
    rows = [[f"Tháng {m}", months[m]] for m in range(1, 13)]
    foot = ["Tổng", sum(months.values()) + counts["undated"]]
    if counts["undated"]:
        rows.append(["Không ghi ngày", counts["undated"]])
    return {
        "id": "violations-month",
        "title": "Vi phạm Chỉ thị 24 theo tháng phát hiện",
        "empty": not any(months.values()),
        "spec": {
            "type": "bar",
            "labels": [f"T{m}" for m in range(1, 13)],
            "datasets": [
                {"key": "violations", "label": "Vi phạm", "data": [months[m] for m in range(1, 13)]}
            ],
        },
        "table": {"head": ["Tháng", "Số vi phạm"], "rows": rows, "foot": foot},
        "height": 240,
    }


def violations_group_chart(counts: dict) -> dict:
    groups = counts["by_group"]
    return {
        "id": "violations-group",
        "title": "Vi phạm Chỉ thị 24 theo nhóm",
        "empty": not any(groups.values()),
        "spec": {
            "type": "bar",
            "horizontal": True,
            "labels": [f"Nhóm {g}" for g in groups],
            "datasets": [{"key": "violations", "label": "Vi phạm", "data": list(groups.values())}],
        },
        "table": {
            "head": ["Nhóm", "Số vi phạm"],
            "rows": [[f"{g}. {GROUP_TITLES[g]}", n] for g, n in groups.items()],
            "foot": ["Tổng", sum(groups.values())],
        },
        "height": 60 + 40 * len(groups),
    }


def dashboard_charts(rows: list[dict], unit_levels: dict[str, int], violations: dict) -> list:
    """The dashboard's charts in reading order, each {id, title, empty, spec, table, height}."""
    charts = [progress_chart(rows)]
    for kind in ("official", "party"):
        charts += [
            level_total_chart(kind, _total(rows, ROW_KEYS[kind])),
            level_units_chart(kind, rows),
        ]
    charts.append(level_total_chart("unit", unit_levels))
    charts += [violations_group_chart(violations), violations_month_chart(violations)]
    return charts
