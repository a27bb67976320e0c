"""Import kinds: the core's ("units", "people") and those the domains register in their
init_app, each with its title, columns (the template), file name, permission and runner."""

from __future__ import annotations

from collections.abc import Callable

# kind -> {"title", "columns", "file", "permission", "runner"}; in registration order (the
# order of the import page's choices)
TEMPLATES: dict[str, dict] = {}


def register_import(
    kind: str, title: str, columns: list, file: str, permission: str, runner: Callable
) -> None:
    """Register (or replace) an import kind. `runner(user, filename, data) -> ImportRun` reads
    and applies a whole file, all or nothing; `permission` is an action of service.auth.access.
    The columns' labels become the labels of the fields of the same names in messages."""
    from service.common.labels import register_labels

    register_labels({c.key: c.label for c in columns})
    TEMPLATES[kind] = {
        "title": title,
        "columns": columns,
        "file": file,
        "permission": permission,
        "runner": runner,
    }
