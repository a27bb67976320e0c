"""Extension singletons, bound to the app in create_app."""

import flask_smorest
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from service.common.schemas import ErrorSchema

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()


class Api(flask_smorest.Api):
    """The OpenAPI document: every error response (BAD_REQUEST, NOT_FOUND, ...) has our error
    shape; no catch-all "default" response, each view declares the error answers it gives."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def init_app(self, app, *, spec_kwargs=None):
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.ma_plugin.converter.add_attribute_function(_numeric_bounds)


def _numeric_bounds(self, field, ret, **kwargs) -> dict:
    """Bounds of a Decimal field as numbers (apispec writes them as the field dumps, "5.00")."""
    return {
        key: float(value) if "." in value else int(value)
        for key in ("minimum", "maximum")
        if isinstance(value := ret.get(key), str)
    }


api = Api()


def _client_address() -> str:
    from flask_limiter.util import get_remote_address

    return get_remote_address()


# Rate limits (service.security): storage in Redis when REDIS_URL is set, else in memory.
limiter = Limiter(key_func=_client_address)
