"""The service's times are Hanoi's whatever the server's own zone (TIME_ZONE, default
Asia/Ho_Chi_Minh): every datetime it stores and shows is a local one (a voting session's window
typed as 08:00-10:00 opens at 08:00 in Hanoi, not at 08:00 UTC, 15:00 in Hanoi, on a server
kept in UTC), so the app factory sets its process's zone."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from service import create_app
from service.config import TestConfig, use_time_zone


@pytest.fixture
def restore_zone():
    before = os.environ.get("TZ")
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def _offset() -> dt.timedelta:
    now_utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return dt.datetime.now() - now_utc


def test_the_app_runs_on_hanoi_time_on_a_server_kept_in_utc(restore_zone):
    os.environ["TZ"] = "UTC"
    time.tzset()
    assert abs(_offset()) < dt.timedelta(seconds=5)
    create_app(TestConfig)
    assert abs(_offset() - dt.timedelta(hours=7)) < dt.timedelta(seconds=5)


def test_time_zone_setting_is_followed_and_a_zone_without_data_is_refused(restore_zone):
    use_time_zone("UTC")
    assert abs(_offset()) < dt.timedelta(seconds=5)
    use_time_zone("Asia/Ho_Chi_Minh")
    assert abs(_offset() - dt.timedelta(hours=7)) < dt.timedelta(seconds=5)
    with pytest.raises(ValueError, match="TIME_ZONE"):
        use_time_zone("Asia/Không_có")


def test_a_zone_the_system_lacks_is_set_as_its_offset(restore_zone, tmp_path, monkeypatch):
    use_time_zone("UTC")  # the C library reads a zone again only when TZ changes
    monkeypatch.setenv("TZDIR", str(tmp_path))  # and finds no zone file there
    use_time_zone("Asia/Ho_Chi_Minh")
    assert os.environ["TZ"] == "<+0700>-7:00"
    assert abs(_offset() - dt.timedelta(hours=7)) < dt.timedelta(seconds=5)


def test_the_audit_and_the_databases_own_clock_keep_hanoi_time(app_ctx):
    """An audit entry's time (which dates a list's tờ trình, and the audit log shows) came from
    the database's CURRENT_TIMESTAMP: UTC, 7 h behind every other time of the service. It is
    the service's own clock; on PostgreSQL the connections' zone is TIME_ZONE too, so the
    columns the database fills in (created_at…) agree."""
    from sqlalchemy import text

    from service.audit.operations import record
    from service.extensions import db

    entry = record("test", "clock", 1)
    db.session.flush()
    db.session.refresh(entry)
    assert abs(entry.at - dt.datetime.now()) < dt.timedelta(minutes=1)
    if db.session.get_bind().dialect.name == "postgresql":
        server = db.session.scalar(text("SELECT CAST(now() AS timestamp)"))
        assert abs(server - dt.datetime.now()) < dt.timedelta(minutes=1)
    db.session.rollback()
