"""``/healthz``: 200 when the app and its database answer, 503 otherwise."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError
from ..store.events import ping
from .common import log, web_context

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness and database reachability, for load balancers and monitors."""
    try:
        ping(web_context().store)
    except (SQLAlchemyError, StoreError) as exc:
        log.error("health check: database unreachable: %s", type(exc).__name__)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
