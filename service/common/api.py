"""API plumbing: a Blueprint whose validation errors answer 400, the auth guard, the documented
error answers, and the edge checks of every request (ids within an INTEGER column, no NUL or
lone surrogate in text)."""

from __future__ import annotations

import http
from copy import deepcopy

from flask import request
from flask_login import current_user
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.utils import resolve_schema_instance
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.routing import IntegerConverter

from service.common.errors import NotAuthenticated, NotFound, ValidationError

WRITE_METHODS = ("post", "put", "patch", "delete")
MAX_ID = 2**31 - 1  # the largest id or year in a URL: an INTEGER column (PostgreSQL int4)


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        raise ValidationError(
            "Nội dung gửi lên không phải JSON hợp lệ.",
            {"json": ["Không đọc được JSON (sai cú pháp hoặc không phải UTF-8)."]},
        )

    def _raw_load_json(self, req):
        # webargs reads a body of another content type as no body at all: a text/plain or form
        # PATCH then saved an empty object (every field of an update is optional)
        if not is_json_request(req) and _has_body(req):
            raise ValidationError(NOT_JSON_MESSAGE, {"json": [NOT_JSON_FIELD]})
        return super()._raw_load_json(req)


NOT_JSON_MESSAGE = "Nội dung gửi lên phải là JSON."
NOT_JSON_FIELD = "Cần tiêu đề Content-Type: application/json và nội dung JSON."


def _has_body(req) -> bool:
    """Whether the request carries a body (its length, or chunked), read or not."""
    if req.content_length:
        return True
    return "chunked" in req.headers.get("Transfer-Encoding", "").lower()


class Blueprint(SmorestBlueprint):
    """Every view needs a logged-in user or a Bearer token: each operation is documented with
    the bearer security requirement and its 401; writes with 413 (body too large) and 503
    (SQLite write lock busy). Other error answers are declared per view with `errors`."""

    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(_require_login)
        self._prepare_doc_cbks.append(self._prepare_common_errors_doc)

    @staticmethod
    def answers(status: int, schema, description: str | None = None, content_type=None):
        """Decorator documenting the success answer `status` with body `schema`, as
        alt_response(success=True) does, without a wrapper: the views dump their bodies."""

        def decorator(func):
            func._apidoc = deepcopy(getattr(func, "_apidoc", {}))
            doc = {
                "schema": resolve_schema_instance(schema),
                "description": description or http.HTTPStatus(status).phrase,
                "content_type": content_type,
            }
            func._apidoc.setdefault("response", {}).setdefault("responses", {}).setdefault(
                status, []
            ).append(doc)
            func._apidoc.setdefault("success_status_codes", []).append(status)
            return func

        return decorator

    @staticmethod
    def errors(*codes: int):
        """Decorator documenting the error answers `codes` (shared ErrorSchema responses)."""

        def decorator(func):
            func._apidoc = deepcopy(getattr(func, "_apidoc", {}))
            responses = func._apidoc.setdefault("response", {}).setdefault("responses", {})
            for code in codes:  # a name: a reference to the shared response of that status
                responses.setdefault(code, []).append(http.HTTPStatus(code).name)
            return func

        return decorator

    @staticmethod
    def _prepare_common_errors_doc(doc, doc_info, *, method, **kwargs):
        doc.setdefault("security", [{"bearer": []}])
        codes = [401] + ([413, 503] if method in WRITE_METHODS else [])
        responses = doc.setdefault("responses", {})
        for code in codes:
            responses.setdefault(str(code), http.HTTPStatus(code).name)
        return doc


def _require_login():
    if not current_user.is_authenticated:
        raise NotAuthenticated("Cần đăng nhập hoặc gửi mã truy cập (Authorization: Bearer).")


def digits_up_to(limit: int) -> str:
    """A regular expression of the decimal numbers from 0 to `limit` (leading zeros allowed
    within the length of `limit`)."""
    text = str(limit)
    alternatives = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        rest = len(text) - i - 1
        if digit != "0":
            alternatives.append(
                text[:i] + f"[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else "")
            )
    alternatives.append(text)
    return "(?:" + "|".join(alternatives) + ")"


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number beyond an INTEGER column (PostgreSQL binds the value
    as INTEGER and fails on more) matches no route, so it is a 404. The bound is in the
    pattern, not a range check after it: werkzeug answers 405 for a rule whose converter
    refused the value when a rule of the same path has other methods."""

    regex = digits_up_to(MAX_ID)

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bad_text(value) -> bool:
    """A NUL character (PostgreSQL text cannot hold it) or a lone surrogate (not UTF-8)."""
    if not isinstance(value, str):
        return False
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_in(value) -> bool:
    """Any bad string in a parsed JSON body (walked with a stack: a body nested as deep as the
    parser allows must not exhaust Python's recursion limit here)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if bad_text(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def may_hold_bad_text(raw: bytes) -> bool:
    """Whether a JSON body's strings can hold a NUL or a lone surrogate at all: only through
    an escape (`\\u0000`, `\\ud800`), a UTF-8 surrogate's lead byte 0xED (the JSON decoder
    lets surrogates through) or another encoding than UTF-8 (UTF-16 and UTF-32 have zero
    bytes). A body with none of the three is not walked: 200 ballot rows in microseconds."""
    return b"\\u" in raw or b"\xed" in raw or b"\x00" in raw


def refuse_bad_text():
    """Before every request: a path with such a character names nothing (404); a query, form
    field, file name or JSON string with one is refused (400) before it reaches the database."""
    if bad_text(request.path):
        raise NotFound()
    fields = {}
    for where, values in (("query", request.args), ("form", request.form)):
        for key, value in values.items(multi=True):
            if bad_text(key) or bad_text(value):
                fields[key if not bad_text(key) else where] = [TEXT_MESSAGE]
    for key, upload in request.files.items(multi=True):
        if upload.filename and bad_text(upload.filename):
            fields[key] = [TEXT_MESSAGE]
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            raise ValidationError("Dữ liệu JSON lồng quá sâu.", {"json": [DEPTH_MESSAGE]}) from None
        if may_hold_bad_text(request.get_data(cache=True)) and _bad_in(body):
            fields["json"] = [TEXT_MESSAGE]
    if fields:
        raise ValidationError("Dữ liệu có ký tự không hợp lệ.", fields)


DEPTH_MESSAGE = "JSON lồng nhau quá sâu."
TEXT_MESSAGE = "Có ký tự không hợp lệ (ký tự NUL hoặc mã Unicode lẻ)."


def init_app(app) -> None:
    """Edge checks for every request, pages as well as the API (call before routes are added:
    the id converter is taken when a rule is added)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_bad_text)
