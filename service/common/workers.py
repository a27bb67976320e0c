"""Forked worker processes for the long computations of the domains (a whole-year recompute,
an awards proposal): how many, and how each one starts."""

from __future__ import annotations

import multiprocessing
import os
import signal

from flask import current_app, has_app_context


def fork_processes(setting: str, parts: int) -> int:
    """Worker processes for a computation of `parts` parts, from the app's `setting` (0: one
    per core, at most 4); 1 (in this process) for fewer than two parts, where fork is not
    available, or outside an app."""
    if parts < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    configured = current_app.config.get(setting) if has_app_context() else 1
    wanted = int(configured or 0) or min(4, os.cpu_count() or 1)
    return max(1, min(wanted, parts))


def worker_init() -> None:
    """A forked worker ends when the pool terminates it: SIGTERM and SIGINT back to their
    defaults. An RQ worker (or anything else) that installed its own handlers in the parent
    would otherwise be inherited: RQ's handler only asks for a warm stop, so a worker waiting
    for work ignored the pool's SIGTERM and the pool's exit waited for it forever."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
