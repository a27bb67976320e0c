"""The rules are pure: importing evaluation.rules or awards.rules loads neither Flask nor
SQLAlchemy (STYLE.md "Rules are pure functions"), so bench_rules and any tool measure the rules
alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("package", ["evaluation.rules", "awards.rules"])
def test_importing_the_rules_loads_no_web_or_database_library(package):
    code = (
        f"import sys; import {package}; "
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'service') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
