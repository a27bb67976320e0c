"""The outputs of the rules (RuleStep, Rating), their kinds and their hot-path constructors."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from evaluation.rules._messages import render
from evaluation.rules.levels import Level

# Rating.kind of the three ratings
_OFFICIAL = "official"
_PARTY = "party"
_UNIT = "unit"


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_json_safe(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class RuleStep:
    """One rule that shaped a result: its id, the figures it used and a Vietnamese message.

    `template` is the message with {figure} placeholders (_messages.render over `figures`);
    message_vi renders it, so the message always carries the same figures the rule used and a
    step costs no string building until it is shown. A template without braces is a plain
    message.
    """

    rule_id: str
    template: str
    figures: dict[str, Any]

    @property
    def message_vi(self) -> str:
        return render(self.template, self.figures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "message_vi": self.message_vi,
            "figures": {k: _json_safe(v) for k, v in self.figures.items()},
        }


@dataclass(frozen=True, slots=True)
class Rating:
    """A computed level ('official' | 'party' | 'unit') with its score and explanation."""

    code: str
    kind: str
    level: Level
    score: Decimal | None
    task_points: Decimal | None
    steps: tuple[RuleStep, ...]
    provisional: bool = False

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Ids of the rules named in the steps, in order, without repeats."""
        return tuple(dict.fromkeys(s.rule_id for s in self.steps))

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "level": str(self.level),
            "score": None if self.score is None else str(self.score),
            "task_points": None if self.task_points is None else str(self.task_points),
            "provisional": self.provisional,
            "steps": [s.to_dict() for s in self.steps],
        }


# Hot-path constructors of the frozen outputs: setting the slots through their descriptors is
# twice as fast as the generated __init__ (object.__setattr__ per field); same objects.
_new = object.__new__
# The slots' setters in the order of the fields (the order of _step's and _rating's arguments).
_STEP_SET = tuple(RuleStep.__dict__[f.name].__set__ for f in fields(RuleStep))
_RATING_SET = tuple(Rating.__dict__[f.name].__set__ for f in fields(Rating))


def _step(
    rule_id: str, template: str, figures: dict[str, Any], _set: tuple = _STEP_SET
) -> RuleStep:
    step = _new(RuleStep)
    _set[0](step, rule_id)
    _set[1](step, template)
    _set[2](step, figures)
    return step


def _rating(
    code: str,
    kind: str,
    level: Level,
    score: Decimal | None,
    task_points: Decimal | None,
    steps: tuple[RuleStep, ...],
    provisional: bool,
    _set: tuple = _RATING_SET,
) -> Rating:
    rating = _new(Rating)
    _set[0](rating, code)
    _set[1](rating, kind)
    _set[2](rating, level)
    _set[3](rating, score)
    _set[4](rating, task_points)
    _set[5](rating, steps)
    _set[6](rating, provisional)
    return rating
