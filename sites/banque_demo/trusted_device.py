"""The ``appareil_de_confiance`` cookie: proof a browser already passed the SMS code.

Banks remember a device for about 90 days after a one-time code so the customer is not asked
again; an aggregator must keep that cookie between syncs to stay unattended. The cookie is
signed with the app's secret (derived from the seed, so it survives a restart of the demo)
and names the identifiant it was issued to.
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE_NAME = "appareil_de_confiance"
MAX_AGE_SECONDS = 90 * 24 * 3600
_SALT = "appareil-de-confiance"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def issue(response: Response, secret_key: str, username: str) -> None:
    """Attach a fresh 90-day HttpOnly cookie for ``username`` to ``response``."""
    value = _serializer(secret_key).dumps({"u": username, "d": secrets.token_hex(8)})
    response.set_cookie(
        COOKIE_NAME, value, max_age=MAX_AGE_SECONDS, httponly=True, samesite="Lax", path="/"
    )


def is_trusted(cookie: str | None, secret_key: str, username: str) -> bool:
    """True when ``cookie`` is a valid, unexpired cookie issued to ``username``."""
    if not cookie:
        return False
    try:
        payload = _serializer(secret_key).loads(cookie, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return False
    return isinstance(payload, dict) and payload.get("u") == username
