"""Per-session CSRF tokens, as every real bank login form carries one.

The token lives in the Flask session and is echoed in a hidden field; a POST without the
matching value is refused with a 400 page, so a client that posts credentials without first
loading the form (or with a stale form) fails as it would on a real site.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, session

SESSION_KEY = "csrf"


def csrf_token() -> str:
    """This session's token, created on first use."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session[SESSION_KEY] = token
    return token


def check_csrf(submitted: str | None) -> None:
    """Abort with 400 unless ``submitted`` equals this session's token."""
    expected = session.get(SESSION_KEY)
    if not isinstance(expected, str) or not submitted:
        abort(400)
    if not hmac.compare_digest(expected.encode(), submitted.encode()):
        abort(400)
