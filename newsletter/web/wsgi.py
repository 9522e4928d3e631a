"""A WSGI entry point for any server: ``gunicorn 'newsletter.web.wsgi:app'``.

Reads ./newsletter.yaml (or the file named by ``NEWSLETTER_CONFIG``) and the environment
(``NEWSLETTER_SECRET_KEY``, ``SENDGRID_WEBHOOK_PUBLIC_KEY``, ...) once, at import.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..config import load_config
from . import app_from_config

_path = os.environ.get("NEWSLETTER_CONFIG")
app = app_from_config(load_config(Path(_path) if _path else None), os.environ)
