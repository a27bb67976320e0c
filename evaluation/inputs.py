"""Names still imported from here by evaluation.compute (owned by another change); the input
columns live in evaluation.models, the writes in evaluation.operations. Remove once compute
imports evaluation.models."""

from evaluation.models import PERSON_EVAL_FIELDS, UNIT_EVAL_FIELDS

__all__ = ["PERSON_EVAL_FIELDS", "UNIT_EVAL_FIELDS"]
