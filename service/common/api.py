"""API plumbing: a Blueprint whose validation errors answer 400, and the auth guard."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser

from service.common.errors import NotAuthenticated


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(_require_login)


def _require_login():
    if not current_user.is_authenticated:
        raise NotAuthenticated("Cần đăng nhập hoặc gửi mã truy cập (Authorization: Bearer).")
