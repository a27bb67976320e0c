"""Every page a browser test opens is watched for Content-Security-Policy violations (an inline
script or style the policy blocks is a feature that silently stops working): the test fails
naming them."""

from __future__ import annotations

import pytest

try:
    from playwright.sync_api import Browser, BrowserContext
except ImportError:  # the browser tests skip themselves without playwright
    Browser = BrowserContext = None

VIOLATIONS: list[str] = []


def _watch(page):
    def on_console(message):
        if "Content Security Policy" in message.text:
            VIOLATIONS.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return page


if BrowserContext is not None:
    _context_new_page = BrowserContext.new_page
    _browser_new_page = Browser.new_page

    def _new_page_in_context(self, *args, **kwargs):
        return _watch(_context_new_page(self, *args, **kwargs))

    def _new_page(self, *args, **kwargs):
        return _watch(_browser_new_page(self, *args, **kwargs))

    BrowserContext.new_page = _new_page_in_context
    Browser.new_page = _new_page


@pytest.fixture(autouse=True)
def no_csp_violations():
    VIOLATIONS.clear()
    yield
    found, VIOLATIONS[:] = list(VIOLATIONS), []
    assert found == [], "\n".join(found[:10])
