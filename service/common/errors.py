"""Service errors with Vietnamese messages, one JSON shape for the API, pages for the browser.

JSON shape of every error: {"error": {"status": 400, "message": "...", "fields": {...}}}.
"""

from __future__ import annotations

from flask import current_app, jsonify, make_response, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from service.common.labels import field_lines

DEFAULT_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần đăng nhập.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy.",
    405: "Phương thức không được hỗ trợ.",
    409: "Xung đột dữ liệu.",
    413: "Tệp quá lớn: vượt giới hạn dung lượng tải lên.",
    422: "Dữ liệu không hợp lệ.",
    429: "Quá nhiều yêu cầu, vui lòng thử lại sau.",
    500: "Lỗi hệ thống. Vui lòng thử lại hoặc báo quản trị viên.",
    503: "Cơ sở dữ liệu đang bận ghi dữ liệu khác. Vui lòng thử lại sau ít giây.",
}
BUSY_RETRY_SECONDS = 5


class ServiceError(Exception):
    status = 400

    def __init__(
        self, message: str | None = None, fields: dict | None = None, status=None, extra=None
    ):
        super().__init__(message)
        if status is not None:
            self.status = status
        self.message = message or DEFAULT_MESSAGES.get(self.status, "Lỗi.")
        self.fields = fields or {}
        self.extra = extra or {}  # more keys of the JSON error (e.g. a 409's current row)


class ValidationError(ServiceError):
    status = 400


class NotAuthenticated(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def error_response(status: int, message: str, fields: dict | None = None, extra=None, schema=None):
    """The error as JSON for the API (fields keyed by their names), else as a page where each
    field is named by its Vietnamese label (service.common.labels; `schema` the input's)."""
    if wants_json():
        body = {"error": {"status": status, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        body["error"].update(extra or {})
        return jsonify(body), status
    lines = field_lines(fields, schema)
    return render_template("error.html", status=status, message=message, lines=lines), status


def is_busy(err: OperationalError) -> bool:
    """SQLite's "database is locked" (the write lock not obtained within the busy timeout)."""
    text = str(getattr(err, "orig", err)).lower()
    return "database is locked" in text or "database table is locked" in text


def busy_response():
    response = make_response(error_response(503, DEFAULT_MESSAGES[503]))
    response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response


def _page_of_form_address() -> str | None:
    """For a GET of a form's POST-only address (a page left there after a refused form, then
    Enter in the address bar, or a bookmark): the nearest address above it that a GET opens,
    as /people/X for /people/X/edit. None for the API and when nothing above answers."""
    if request.method not in ("GET", "HEAD") or wants_json():
        return None
    adapter = current_app.url_map.bind_to_environ(request.environ)
    parts = request.path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) or "/"
        try:
            adapter.match(candidate, method="GET")
        except RequestRedirect:  # strict slashes: the address with its slash (a path of this
            return request.root_path + candidate + "/"  # site, not werkzeug's absolute URL)
        except HTTPException:
            continue
        return request.root_path + candidate
    return None


def init_app(app):
    @app.errorhandler(OperationalError)
    def _operational_error(err: OperationalError):
        if is_busy(err):
            return busy_response()
        return _unexpected(err)

    @app.errorhandler(ServiceError)
    def _service_error(err: ServiceError):
        return error_response(err.status, err.message, err.fields, err.extra)

    @app.errorhandler(CSRFError)
    def _csrf_error(err: CSRFError):
        return error_response(
            400, "Biểu mẫu hết hạn hoặc thiếu mã bảo vệ (CSRF). Tải lại trang rồi thử lại."
        )

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if isinstance(err, MethodNotAllowed):
            page = _page_of_form_address()
            if page is not None:
                return redirect(page, 303)
        fields = None
        data = getattr(err, "data", None)  # webargs / flask-smorest put validation errors here
        if isinstance(data, dict) and "messages" in data:
            fields = data["messages"]
            # messages are keyed by location (json, query, files); flatten a single location
            if isinstance(fields, dict) and len(fields) == 1:
                fields = next(iter(fields.values()))
        status = err.code or 500
        if status == 422:
            status = 400
        message = DEFAULT_MESSAGES.get(status, err.description or "Lỗi.")
        if fields:
            message = "Dữ liệu không hợp lệ."
        schema = data.get("schema") if isinstance(data, dict) else None
        response = make_response(error_response(status, message, fields, schema=schema))
        for name, value in err.get_headers():
            if name.lower() != "content-type":  # Allow of a 405, Retry-After, WWW-Authenticate
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return _http_error(err)
        app.logger.exception("Unhandled error")
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise err
        return error_response(500, DEFAULT_MESSAGES[500])
