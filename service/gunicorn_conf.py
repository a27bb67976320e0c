"""gunicorn settings for `make serve-prod` (service.serve_prod): HOST and PORT (default
127.0.0.1:8000), WEB_WORKERS processes of WEB_THREADS threads each, FORWARDED_ALLOW_IPS for
the proxy in front. The app writes its own JSON access lines (service.logs), so gunicorn's
access log is off; its error log goes to stderr."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS") or min(2 * multiprocessing.cpu_count() + 1, 8))
threads = int(os.environ.get("WEB_THREADS", "2"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))  # a 20,000-row export is answered at once
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # a worker is replaced after this many requests (memory stays bounded)
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "danh-gia-web"


def post_worker_init(worker):
    """Before the worker's first request: its mappers, one connection per thread and the hot
    requests' statements (service.common.warmup), so the first requests are not the slow ones."""
    from service.common.warmup import warm

    warm(worker.wsgi, threads)
