"""Who reads a job (its starter, administrators, roles reaching its unit; anyone else 404, on
the API and the page), and jobs a dead process left running (failed, can be started again)."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys

import pytest

from service.extensions import db
from service.jobs import enqueue, recover_stale, register
from service.jobs.models import Job
from service.jobs.runners import DIED


def _noop(params, progress):
    progress(1, 1, "xong")
    return {"ok": True}


@pytest.fixture
def tree(create_unit, create_user, app):
    register("test_noop", _noop, title="Việc thử")
    city = create_unit("JC")
    ward = create_unit("JC-W", parent=city)
    other = create_unit("JC-X", parent=city)
    return {
        "ward": ward,
        "starter": create_user("j_starter", roles=[("staff", ward)]),
        "nobody": create_user("j_nobody"),
        "committee_above": create_user("j_committee", roles=[("committee", city)]),
        "hr_ward": create_user("j_hr", roles=[("hr", ward)]),
        "staff_other": create_user("j_other", roles=[("staff", other)]),
        "admin": create_user("j_admin", roles=[("admin", None)]),
    }


def _job(user, unit, status="done", worker=None) -> Job:
    job = Job(
        kind="test_noop",
        params={},
        status=status,
        user_id=user.id,
        unit_id=unit.id if unit else None,
        worker=worker,
        created_at=dt.datetime.now(),
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_a_unit_job_is_read_by_its_starter_admins_and_roles_reaching_its_unit(client, tree, bearer):
    job = _job(tree["starter"], tree["ward"])
    expected = {
        "starter": 200,
        "committee_above": 200,
        "hr_ward": 200,
        "admin": 200,
        "nobody": 404,
        "staff_other": 404,
    }
    got = {
        who: client.get(f"/api/v1/jobs/{job.id}", headers=bearer(tree[who])).status_code
        for who in expected
    }
    assert got == expected
    body = client.get(f"/api/v1/jobs/{job.id}", headers=bearer(tree["nobody"])).get_json()
    assert body["error"]["status"] == 404 and "params" not in str(body)


def test_a_whole_system_job_is_only_its_starters_and_the_administrators(client, tree, bearer):
    job = _job(tree["committee_above"], None)
    for who, status in (("committee_above", 200), ("admin", 200), ("hr_ward", 404)):
        res = client.get(f"/api/v1/jobs/{job.id}", headers=bearer(tree[who]))
        assert res.status_code == status, who


def test_the_job_page_answers_404_to_a_user_without_a_role(client, tree, login_session):
    job = _job(tree["starter"], tree["ward"])
    login_session(client, tree["nobody"])
    assert client.get(f"/jobs/{job.id}").status_code == 404
    login_session(client, tree["starter"])
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 200 and "Việc thử" in page.get_data(as_text=True)


@pytest.mark.parametrize("back", ["//evil.example", "/\\evil.example", "https://evil.example"])
def test_the_job_page_back_link_stays_on_this_site(client, tree, login_session, back):
    job = _job(tree["starter"], tree["ward"])
    login_session(client, tree["starter"])
    html = client.get(f"/jobs/{job.id}", query_string={"back": back}).get_data(as_text=True)
    assert "evil.example" not in html


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_job_left_running_by_a_dead_process_reads_as_failed_and_can_be_started_again(
    client, tree, bearer, app_ctx
):
    here = socket.gethostname()
    dead = _job(tree["starter"], tree["ward"], "running", f"{here}:{_dead_pid()}")
    alive = _job(tree["starter"], tree["ward"], "running", f"{here}:{_alive_pid()}")
    elsewhere = _job(tree["starter"], tree["ward"], "running", "another-host:1")
    assert recover_stale() == 1
    db.session.expire_all()
    assert (db.session.get(Job, dead.id).status, db.session.get(Job, dead.id).message) == (
        "failed",
        DIED,
    )
    assert db.session.get(Job, alive.id).status == "running"
    assert db.session.get(Job, elsewhere.id).status == "running"
    # read before any start-up pass: the API fails it too
    again = _job(tree["starter"], tree["ward"], "running", f"{here}:{_dead_pid()}")
    body = client.get(f"/api/v1/jobs/{again.id}", headers=bearer(tree["starter"])).get_json()
    assert body["status"] == "failed" and body["message"] == DIED
    # and it can be started again under the same key
    new = enqueue("test_noop", {}, key="k", user=tree["starter"], unit=tree["ward"])
    assert new.id != again.id and new.status == "done" and new.result == {"ok": True}


def _alive_pid() -> int:
    import os

    return os.getpid()


def test_a_running_job_with_nothing_counted_yet_shows_no_0_of_0(client, tree, login_session):
    """The proposal's page read «0/0» while it gathered its parts: a count is shown once the
    job has one."""
    job = _job(tree["starter"], tree["ward"], status="running")
    login_session(client, tree["starter"])
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert '<span id="job-count"></span>' in html and "0/0" not in html
    job.done, job.total = 3, 10
    db.session.commit()
    assert '<span id="job-count">3/10</span>' in client.get(f"/jobs/{job.id}").get_data(True)
