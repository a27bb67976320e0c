"""Every write of the yearly evaluation as one named operation: validate, authorize (the role
and unit reach, through service.auth.access.can and the models' predicates), change, audit
(service.audit.operations.record), queue the recompute the change implies, flush. Nothing here
commits: the request boundary commits once, or rolls back on any error.

The pages, the API and the imports call these; the reads they show live in evaluation.queries."""

from evaluation.operations.inputs import (
    add_violation,
    record_awards,
    remove_violation,
    save_history,
    save_person_inputs,
    save_unit_inputs,
)
from evaluation.operations.lists import (
    approve_list,
    reopen_list,
    return_list,
    review_action,
    set_final_level,
    set_proposal,
    submit_list,
)
from evaluation.operations.recompute import start_computation
from evaluation.operations.years import (
    add_catalog_item,
    add_quota_override,
    open_year,
    update_catalog_item,
    update_pack,
)

__all__ = [
    "add_catalog_item",
    "add_quota_override",
    "add_violation",
    "approve_list",
    "open_year",
    "record_awards",
    "remove_violation",
    "reopen_list",
    "return_list",
    "review_action",
    "save_history",
    "save_person_inputs",
    "save_unit_inputs",
    "set_final_level",
    "set_proposal",
    "start_computation",
    "submit_list",
    "update_catalog_item",
    "update_pack",
]
