"""Names still imported from here by evaluation.compute, evaluation.jobs and service.commands
(owned by other changes); the reads live in evaluation.queries, the writes in
evaluation.operations. Remove once those import evaluation.queries."""

from evaluation.queries import catalog_of, get_year, list_years, pack_of

__all__ = ["catalog_of", "get_year", "list_years", "pack_of"]
