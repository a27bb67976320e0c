"""The unit pickers of the tree's pages (the unit above, a person's unit and party cell) send
a few choices with the page and find the rest as the clerk types: an administrator's unit page
of a city carried two lists of up to 3,000 units each."""

from __future__ import annotations

import os

import pytest

from tests.browser.test_e2e import CHROMIUM
from tests.browser.test_evaluation_e2e import browser, demo_server, login  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory, ORG_PICKER_CHOICES=3) as url:
        yield url


def options(page, datalist):
    return page.evaluate(
        "id => Array.from(document.getElementById(id).options).map(o => o.value)", datalist
    )


def test_a_unit_picker_finds_a_unit_not_sent_with_the_page(server, browser):  # noqa: F811
    page = login(browser, server, "admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/units/DD-UB-VP")
    assert len(options(page, "parent-choices")) == 3  # what the page carries
    assert not any(o.startswith("DD-UB-KT") for o in options(page, "parent-choices"))
    page.locator("#unit-edit summary").click()
    picker = page.locator("#unit-edit input[name=parent_code]")
    picker.fill("kinh te")  # typed without accents
    page.wait_for_timeout(1200)
    found = options(page, "parent-choices")
    assert any(o.startswith("DD-UB-KT — ") for o in found), found
    page.locator("#person-add summary").click()
    person_picker = page.locator("#person-add input[list=unit-choices]").first
    person_picker.fill("DD-UB-K")
    page.wait_for_timeout(1200)
    assert any(o.startswith("DD-UB-KT — ") for o in options(page, "unit-choices"))
    page.context.close()
