"""The core never imports a domain package: every module under service/, imports inside
functions included, is walked with ast; domains are named only by configuration (DOMAINS)."""

from __future__ import annotations

import ast
from pathlib import Path

from service.config import BASE_DIR, Config

DOMAINS = {"evaluation", "awards"}


def domain_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of a domain package in `source`, at any depth."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, n) for n in names if n.split(".")[0] in DOMAINS]
    return found


def test_the_walk_finds_imports_inside_functions():
    source = "def f():\n    from evaluation.rules import Level\n    import awards.models\n"
    assert domain_imports(source) == [(2, "evaluation.rules"), (3, "awards.models")]
    assert domain_imports("from service.jobs import register\nimport evaluations_x\n") == []


def test_no_module_of_the_core_imports_a_domain_package():
    modules = sorted((BASE_DIR / "service").rglob("*.py"))
    assert len(modules) > 20
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{line} imports {name}"
        for path in modules
        for line, name in domain_imports(Path(path).read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_domains_are_named_once_in_the_configuration(app):
    assert Config.DOMAINS == ("evaluation", "awards")
    # each registered what the core shows of it
    menu = {e.endpoint for e in app.extensions["domains"].menu}
    assert {"evaluation.index", "awards.index"} <= menu
    assert app.extensions["domains"].demo
