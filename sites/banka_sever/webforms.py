"""ASP.NET WebForms' postback machinery, as much of it as a scraper runs into.

Every page is one ``<form id="form1">`` posting to itself. ``__VIEWSTATE`` carries the page's
state (the account shown, the page of the grid) signed by the server, so a client cannot
forge it; ``__EVENTVALIDATION`` lists, signed too, the events and values the page rendered
(the accounts in the drop-down, the pager links that exist), so a postback naming anything
else is refused; ``__doPostBack(target, argument)`` fills ``__EVENTTARGET`` and
``__EVENTARGUMENT`` and submits. As on ASP.NET, a bad postback is an error page, not a
silent redirect. The encoding imitates the real one closely enough to look familiar
(``/wE`` prefix); it is not binary compatible and need not be.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_PREFIX = b"\xff\x01\x0f"  # what LosFormatter output starts with: "/wEP" in base64
_MAC_BYTES = 20


class InvalidPostback(Exception):
    """The posted view state or event validation is missing, forged or for another page."""


@dataclass(frozen=True)
class Postback:
    """A verified postback: the event raised and the state the page had when rendered."""

    target: str
    argument: str
    state: dict[str, Any]


def generator(page: str) -> str:
    """``__VIEWSTATEGENERATOR``: a fixed per-page hex code, as ASP.NET derives from the path."""
    return hashlib.sha256(page.encode()).hexdigest()[:8].upper()


class WebForms:
    """Signs and checks view state and event validation with one app's secret."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(f"webforms:{secret}".encode()).digest()

    def _seal(self, kind: bytes, payload: bytes) -> str:
        mac = hmac.new(self._key, kind + payload, hashlib.sha256).digest()[:_MAC_BYTES]
        return base64.b64encode(_PREFIX + zlib.compress(payload) + mac).decode()

    def _open(self, kind: bytes, token: str) -> bytes:
        try:
            raw = base64.b64decode(token, validate=True)
        except ValueError as exc:
            raise InvalidPostback("the view state is not valid base64") from exc
        if not raw.startswith(_PREFIX) or len(raw) <= len(_PREFIX) + _MAC_BYTES:
            raise InvalidPostback("the view state is truncated")
        body, mac = raw[len(_PREFIX) : -_MAC_BYTES], raw[-_MAC_BYTES:]
        try:
            payload = zlib.decompress(body)
        except zlib.error as exc:
            raise InvalidPostback("the view state is corrupted") from exc
        expected = hmac.new(self._key, kind + payload, hashlib.sha256).digest()[:_MAC_BYTES]
        if not hmac.compare_digest(mac, expected):
            raise InvalidPostback("validation of the view state MAC failed")
        return payload

    def viewstate(self, page: str, state: Mapping[str, Any]) -> str:
        payload = json.dumps({"page": page, "state": dict(state)}, sort_keys=True,
                             separators=(",", ":")).encode()
        return self._seal(b"viewstate|", payload)

    def event_validation(self, page: str, allowed: Iterable[str]) -> str:
        """Hashes of every ``target|argument`` event and ``control=value`` the page offers."""
        hashes = sorted({hashlib.sha256(f"{page}|{item}".encode()).hexdigest()[:12]
                         for item in allowed})
        return self._seal(b"eventvalidation|", json.dumps([page, hashes]).encode())

    def read(self, page: str, form: Mapping[str, str]) -> tuple[Postback, set[str]]:
        """The postback in ``form`` and the validated item hashes; raises InvalidPostback."""
        state = json.loads(self._open(b"viewstate|", form.get("__VIEWSTATE", "")))
        if state.get("page") != page:
            raise InvalidPostback("the view state belongs to another page")
        ev_page, hashes = json.loads(self._open(b"eventvalidation|",
                                                form.get("__EVENTVALIDATION", "")))
        if ev_page != page:
            raise InvalidPostback("the event validation belongs to another page")
        postback = Postback(form.get("__EVENTTARGET", ""), form.get("__EVENTARGUMENT", ""),
                            dict(state.get("state", {})))
        return postback, set(hashes)

    @staticmethod
    def allows(page: str, hashes: set[str], item: str) -> bool:
        """Whether ``item`` was among the events/values the page rendered."""
        return hashlib.sha256(f"{page}|{item}".encode()).hexdigest()[:12] in hashes

    def hidden_fields(self, page: str, state: Mapping[str, Any],
                      allowed: Iterable[str]) -> dict[str, str]:
        """The four hidden inputs a rendered page carries, by name."""
        return {
            "__VIEWSTATE": self.viewstate(page, state),
            "__VIEWSTATEGENERATOR": generator(page),
            "__EVENTVALIDATION": self.event_validation(page, allowed),
        }
