"""Explanations: a rating's steps stored compactly (steps_text) and read back as messages
(explain, stored_rating); scope keys."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

from evaluation.compute._templates import _stored_template, _template_key
from evaluation.models import Rating
from evaluation.rules import Level, RuleStep
from evaluation.rules import Rating as RatingResult
from evaluation.rules._messages import _Words


def scope_key(scope: tuple) -> str:
    return json.dumps(list(scope), ensure_ascii=False)


def scope_tuple(key: str) -> tuple:
    return tuple(json.loads(key)) if key else ()


def steps_json(rating: RatingResult) -> list:
    """The explanation as it reads: [{rule_id, message_vi, figures}] per step (JSON-safe)."""
    return [s.to_dict() for s in rating.steps]


def _json_default(value):
    # what rules._json_safe turns into JSON-safe values (tuples and lists the encoder does)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default).encode

_STEP_HEADS: dict[tuple[str, str], str] = {}


def steps_text(rating: RatingResult) -> str:
    """The stored explanation: JSON [[rule_id, template key, figures], ...] (rating_templates
    holds each key's template, explain() renders the messages); a step whose figures are the
    step before's (A2 and A3 share theirs) stores 0 for them. About a third of the text of the
    rendered messages with their figures, and built without formatting any message."""
    out = []
    last = None
    heads = _STEP_HEADS
    for s in rating.steps:
        figures = s.figures
        head = heads.get((s.rule_id, s.template))
        if head is None:
            head = heads[(s.rule_id, s.template)] = (
                f"[{_ENCODE(s.rule_id)},{_ENCODE(_template_key(s.template))},"
            )
        if figures is last:
            out.append(head + "0]")
        else:
            last = figures
            out.append(head + _ENCODE(figures) + "]")
    return "[" + ",".join(out) + "]"


class _StoredFigures(_Words):
    """Formats a template over figures read back from JSON: a Decimal or a date stored as text
    is parsed again where the template gives it a format (`{general:.2f}`,
    `{admitted_on:%d/%m/%Y}`), so the message reads exactly as when it was computed; a level
    (`{to:level}`) reads in words as rules.RuleStep.message_vi."""

    def format_field(self, value, format_spec):
        if format_spec == "level":
            return super().format_field(value, format_spec)
        if format_spec and isinstance(value, str):
            value = dt.date.fromisoformat(value) if "%" in format_spec else Decimal(value)
        return format(value, format_spec)


_FORMAT = _StoredFigures().vformat
_DECIMAL_TEXT = re.compile(r"-?\d+\.\d+")


class _CommaDecimal(Decimal):
    """A figure as the pages write it: formatted as a Decimal, then with a decimal comma."""

    def __format__(self, spec):
        return Decimal.__format__(self, spec).replace(".", ",")


class _PageFigures(_StoredFigures):
    """As _StoredFigures, with the decimal comma of the pages (92,50): a figure that is a
    number, or a number stored as text, reads with a comma; a code (`codes`, `unit_code`, the
    violation codes 1.03) is never a number and stays as it is."""

    def get_value(self, key, args, kwargs):
        value = kwargs[key]
        if "code" in key or isinstance(value, bool):
            return value
        if isinstance(value, (Decimal, float)) or (
            isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value)
        ):
            return _CommaDecimal(str(value))
        return value

    def format_field(self, value, format_spec):
        text = super().format_field(value, format_spec)
        # a whole number written with places (10, or "10", as {general:.2f}): 10,00 as well
        if format_spec.endswith(("f", "%")) and isinstance(value, (int, str)):
            return text.replace(".", ",")
        return text


_PAGE_FORMAT = _PageFigures().vformat


def explain(steps: list | None, decimal_comma: bool = False) -> list[dict]:
    """A stored explanation as it reads: [{"rule_id", "message_vi", "figures"}] per step, each
    message rendered from its template over its figures; `decimal_comma` for the pages (the
    API's messages keep the decimal point of its figures). (Rows written before templates were
    keyed hold these dicts already.)"""
    render = _PAGE_FORMAT if decimal_comma else _FORMAT
    out = []
    figures: dict = {}
    for s in steps or ():
        if isinstance(s, dict):
            out.append(s)
            continue
        rule_id, key, stored = s
        if isinstance(stored, dict):
            figures = stored
        template = _stored_template(key)
        if template is None:  # not expected: the template is written with the first such row
            message = f"{rule_id} {json.dumps(figures, ensure_ascii=False)}"
        else:
            message = render(template, (), figures)
        out.append({"rule_id": rule_id, "message_vi": message, "figures": figures})
    return out


def stored_rating(row: Rating, code: str) -> RatingResult:
    """A stored rating back as the pure engine's Rating (for the A11 checks)."""
    steps = tuple(
        RuleStep(
            s["rule_id"],
            s["message_vi"].replace("{", "{{").replace("}", "}}"),
            dict(s.get("figures") or {}),
        )
        for s in explain(row.steps)
    )
    return RatingResult(
        code,
        row.kind,
        Level(row.level),
        row.score,
        row.task_points,
        steps,
        bool(row.provisional),
    )
