"""Job kinds: a domain registers a plain function under a kind; the runners look it up.

A job function takes (params: dict, progress: Callable[[done, total, message], None]) and
returns a JSON-able result; it runs inside an app context and its transaction is committed by
the runner (inline: by the caller's request)."""

from __future__ import annotations

from collections.abc import Callable

JobFunction = Callable[[dict, Callable[[int, int, str], None]], object]
_KINDS: dict[str, JobFunction] = {}
_TITLES: dict[str, str] = {}
_FILES: dict[str, str] = {}
_RESULT_PAGES: dict[str, Callable] = {}


def register(
    kind: str,
    function: JobFunction,
    title: str = "",
    file_endpoint: str | None = None,
    result_page: Callable | None = None,
) -> None:
    """Register (or replace, on a second create_app) the function of a job kind; `title` is
    what its progress page is headed with (Vietnamese); `file_endpoint`: a kind whose result
    names a kept file ("file") serves it there (url_for(endpoint, job_id=…): "Tải về");
    `result_page(job)`: (label, URL) of the page showing a done job's result, or None."""
    if len(kind) > 30:
        raise ValueError(f"job kind {kind!r}: at most 30 characters")
    _KINDS[kind] = function
    _TITLES[kind] = title or "Công việc nền"
    if file_endpoint:
        _FILES[kind] = file_endpoint
    else:
        _FILES.pop(kind, None)
    if result_page:
        _RESULT_PAGES[kind] = result_page
    else:
        _RESULT_PAGES.pop(kind, None)


def result_page_of(kind: str) -> Callable | None:
    return _RESULT_PAGES.get(kind)


def file_endpoint_of(kind: str) -> str | None:
    return _FILES.get(kind)


def title_of(kind: str) -> str:
    return _TITLES.get(kind, "Công việc nền")


def function_of(kind: str) -> JobFunction:
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"Loại công việc '{kind}' chưa được đăng ký.") from None


def kinds() -> list[str]:
    return sorted(_KINDS)
