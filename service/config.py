"""Configuration from environment variables: Config for running, TestConfig for the suite."""

import os
import secrets
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into instance/secret_key."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def normalize_db_url(url: str) -> str:
    """Let people write postgresql:// or postgres:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def use_time_zone(name: str) -> None:
    """Make `name` (an IANA zone: "Asia/Ho_Chi_Minh") this process's local time. The service's
    datetimes are local, naive ones (a voting window, a job's start, «Ngày xuất»), its users'
    whatever zone the server keeps: typed as 08:00 a session opens at 08:00 in Hanoi, not at
    08:00 UTC. A zone the system's tz database lacks but Python's zoneinfo knows (the tzdata
    package) is set as its fixed offset of today, right for zones without daylight saving,
    such as Vietnam's. An unknown zone is refused (ValueError)."""
    import datetime as dt
    import time
    import zoneinfo

    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"TIME_ZONE={name!r}: không có múi giờ này") from err
    os.environ["TZ"] = name
    time.tzset()
    offset = zone.utcoffset(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    seconds = int(offset.total_seconds())
    if time.localtime().tm_gmtoff != seconds:  # the system has no data for it: fixed offset
        east = "+" if seconds >= 0 else "-"
        west = "-" if seconds >= 0 else "+"  # POSIX counts west of Greenwich as positive
        hours, rest = divmod(abs(seconds), 3600)
        os.environ["TZ"] = f"<{east}{hours:02d}{rest // 60:02d}>{west}{hours}:{rest // 60:02d}"
        time.tzset()


class Config:
    # the users' zone: the process's local time, which every datetime of the service is
    TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
    SQLALCHEMY_DATABASE_URI = normalize_db_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'service.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SECRET_KEY = None  # filled lazily in create_app so importing config never writes files
    # earlier keys, still accepted (Flask's sessions; a secret ballot's box sealed before a
    # rotation): SECRET_KEY_FALLBACKS="old1,old2"
    SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]
    # the domain packages create_app loads (each registers itself through its init_app)
    DOMAINS = ("evaluation", "awards")
    # a unit picker of the tree's pages carries this many units; the others are found as the
    # clerk types (/api/v1/units?q=…)
    ORG_PICKER_CHOICES = 100
    REDIS_URL = os.environ.get("REDIS_URL")
    # Background jobs: "process" (a job process the web process starts), "thread" (a worker
    # thread in the web process), "rq" (Redis queue) or "inline"; unset means rq when REDIS_URL
    # is set, else process.
    JOBS_RUN = os.environ.get("JOBS_RUN") or None
    # After an input changes: "job" (recompute its quota scope in the background), "sync"
    # (recompute in the same transaction) or "off" (only on demand).
    EVAL_RECOMPUTE = os.environ.get("EVAL_RECOMPUTE", "job")
    # "job": the recompute of a scope starts once no input of it was saved for this many
    # seconds (a clerk typing a grid gets one recompute, not one per row), at most
    # EVAL_RECOMPUTE_MAX_WAIT seconds after the first save that queued it.
    EVAL_RECOMPUTE_DELAY = float(os.environ.get("EVAL_RECOMPUTE_DELAY", "2"))
    EVAL_RECOMPUTE_MAX_WAIT = float(os.environ.get("EVAL_RECOMPUTE_MAX_WAIT", "20"))
    # A whole-year recompute rates its parts in this many forked worker processes (0: one per
    # core, at most 4; 1: in the calling process).
    EVAL_RECOMPUTE_PROCESSES = int(os.environ.get("EVAL_RECOMPUTE_PROCESSES", "0"))
    # The awards proposal of a big tree rates its parts in this many forked worker processes
    # (0: one per core, at most 4; 1: in the job's process).
    AWARDS_PROPOSE_PROCESSES = int(os.environ.get("AWARDS_PROPOSE_PROCESSES", "0"))
    # Background job processes (the rq worker, the web process's job process) run this much
    # nicer than the web requests (os.nice; 0: same priority), so a recompute takes the CPU a
    # save does not need.
    JOBS_NICE = int(os.environ.get("JOBS_NICE", "10"))
    # RQ: seconds between a worker's looks for jobs whose process died or that Redis lost
    JOBS_SWEEP_SECONDS = int(os.environ.get("JOBS_SWEEP_SECONDS", "30"))
    # Uploads larger than this are refused with a clear message (HTTP 413).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "50")) * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Served over HTTPS (directly or behind a proxy that terminates it): Secure cookies, HSTS,
    # http redirected to https. PROXY_HOPS: how many reverse proxies stand in front (ProxyFix).
    HTTPS = os.environ.get("HTTPS", "0") == "1"
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    # Rate limits (Flask-Limiter syntax), per client address for logins, per account for new
    # API tokens; counted in Redis when REDIS_URL is set.
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute;200 per hour")
    TOKEN_RATE_LIMIT = os.environ.get("TOKEN_RATE_LIMIT", "10 per hour")
    # Logs: "text" (flask run) or "json" (one JSON object a line, with the request id)
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # Login throttling: after this many failures in a row the account waits LOCK_MINUTES.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    PAGE_SIZE = 50
    # the place in the date line of printed documents ("Hà Nội, ngày ... tháng ... năm ...")
    DOCUMENT_PLACE = os.environ.get("DOCUMENT_PLACE", "Hà Nội")
    # a printed list is rendered in the request (about 1,900 rows in 10-20 s): longer ones are
    # refused with a message pointing to a smaller unit or the spreadsheet
    PDF_MAX_ROWS = int(os.environ.get("PDF_MAX_ROWS", "3000"))
    MAX_PAGE_SIZE = 500
    IMPORT_MAX_ERRORS = 1000
    # An uploaded xlsx once uncompressed (checked before parsing; spreadsheets.UploadLimits):
    # each part, all parts, the shared strings (parsed whole into memory), one cell's text.
    IMPORT_MAX_PART_MB = int(os.environ.get("IMPORT_MAX_PART_MB", "200"))
    IMPORT_MAX_TOTAL_MB = int(os.environ.get("IMPORT_MAX_TOTAL_MB", "400"))
    IMPORT_MAX_SHARED_STRINGS_MB = int(os.environ.get("IMPORT_MAX_SHARED_STRINGS_MB", "50"))
    IMPORT_MAX_CELL_KB = int(os.environ.get("IMPORT_MAX_CELL_KB", "256"))
    # Uploads above this are imported by a job (service.imports.jobs), kept meanwhile in
    # IMPORT_UPLOAD_DIR (default: the instance folder's uploads/imports; shared by the web and
    # the queue workers when they run on different machines).
    IMPORT_JOB_MIN_KB = int(os.environ.get("IMPORT_JOB_MIN_KB", "2048"))
    IMPORT_UPLOAD_DIR = os.environ.get("IMPORT_UPLOAD_DIR") or None
    # Exports of more rows than this are written by a job (service.exports) into EXPORT_DIR
    # (default: the instance folder's exports/; shared by the web and the queue workers), kept
    # EXPORT_KEEP_HOURS for the user who asked, then removed (next export, flask exports-cleanup).
    EXPORT_JOB_MIN_ROWS = int(os.environ.get("EXPORT_JOB_MIN_ROWS", "20000"))
    EXPORT_KEEP_HOURS = float(os.environ.get("EXPORT_KEEP_HOURS", "24"))
    EXPORT_DIR = os.environ.get("EXPORT_DIR") or None
    # Attachments of dossiers (service.files): stored under ATTACHMENTS_DIR (default: the
    # instance folder's attachments/), each file at most ATTACHMENT_MAX_BYTES, of the extensions
    # ATTACHMENT_TYPES names (with the content type they are served as; the content is checked).
    ATTACHMENTS_DIR = os.environ.get("ATTACHMENTS_DIR") or None
    ATTACHMENT_MAX_BYTES = int(float(os.environ.get("ATTACHMENT_MAX_MB", "10")) * 1024 * 1024)
    ATTACHMENT_TYPES = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "doc": "application/msword",
        "xls": "application/vnd.ms-excel",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
    }
    # Word templates an administrator replaced (default: the instance folder's doc_templates/)
    DOC_TEMPLATE_DIR = os.environ.get("DOC_TEMPLATE_DIR") or None
    # A certificates print (one PDF, a page per recipient) of more pages is refused: print it
    # list by list (one WeasyPrint render: about 17 ms and 0.35 MB a page, bench_certificates)
    CERTIFICATE_MAX_PAGES = int(os.environ.get("CERTIFICATE_MAX_PAGES", "500"))
    # flask-smorest / OpenAPI
    API_TITLE = "Dịch vụ đánh giá, xếp loại và thi đua, khen thưởng"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    TESTING = False


class ProductionConfig(Config):
    """`make serve-prod` (SERVICE_ENV=production): PostgreSQL and a SECRET_KEY from the
    environment are required (create_app refuses to start without them), JSON logs."""

    PRODUCTION = True
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")


def from_environment() -> type:
    """The configuration `wsgi.py` and the CLI use: SERVICE_ENV=production picks
    ProductionConfig, anything else Config."""
    return ProductionConfig if os.environ.get("SERVICE_ENV") == "production" else Config


def check_production(config) -> None:
    """What a production start needs; raises RuntimeError naming what is missing."""
    missing = []
    if not os.environ.get("SECRET_KEY"):
        missing.append("SECRET_KEY (một chuỗi ngẫu nhiên dài, ví dụ: openssl rand -hex 32)")
    elif len(os.environ["SECRET_KEY"]) < 16:
        missing.append("SECRET_KEY dài ít nhất 16 ký tự")
    if not os.environ.get("DATABASE_URL") or not str(
        config.get("SQLALCHEMY_DATABASE_URI", "")
    ).startswith("postgresql"):
        missing.append("DATABASE_URL trỏ tới PostgreSQL (postgresql://...)")
    if missing:
        raise RuntimeError("Không khởi động chế độ production: thiếu " + "; ".join(missing))


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = normalize_db_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    )
    WTF_CSRF_ENABLED = True
    LOGIN_MAX_FAILURES = 3
    SERVER_NAME = None
    JOBS_RUN = "inline"
    EVAL_RECOMPUTE = "sync"
    EVAL_RECOMPUTE_DELAY = 0.0
    EVAL_RECOMPUTE_MAX_WAIT = 0.0
    EVAL_RECOMPUTE_PROCESSES = 1  # the forked workers have a test of their own
    AWARDS_PROPOSE_PROCESSES = 1  # so have the proposal's (test_example_awards_pipeline)
    REDIS_URL = None
    # the suite's files outside the repository's instance folder
    ATTACHMENTS_DIR = str(Path(tempfile.gettempdir()) / "hn-test-files" / "attachments")
    DOC_TEMPLATE_DIR = str(Path(tempfile.gettempdir()) / "hn-test-files" / "doc_templates")
    # limits on, but out of reach of the suite's logins; the tests of the limits lower them
    LOGIN_RATE_LIMIT = "100000 per minute"
    TOKEN_RATE_LIMIT = "100000 per minute"
