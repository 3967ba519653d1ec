"""Consent management: ``POST /v1/consents`` and ``GET /v1/consents/{id}/status``.

A consent is created by the TPP with its client token and is ``received`` until the PSU
approves it through ``/oauth/authorize`` (its ``scaOAuth`` link). The ``PSU-ID`` header given
here already selects a scenario, so a client that never passes ``psu_id`` to the authorize step
can still exercise one; ``psu_id`` at authorize time overrides it.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from .data import REFERENCE_DATE
from .errors import scenario_fault, tpp_error
from .guards import client_call

blueprint = Blueprint("psd2_consents", __name__)


def _parse_body(body: Any) -> tuple[date | None, int, bool] | Response:
    """(validUntil, frequencyPerDay, recurringIndicator) or a FORMAT_ERROR response."""
    if not isinstance(body, dict) or not isinstance(body.get("access"), dict):
        return tpp_error(400, "FORMAT_ERROR", "A JSON body with an 'access' object is required.")
    access = body["access"]
    if access.get("allPsd2") not in (None, "allAccounts") or not access:
        return tpp_error(400, "FORMAT_ERROR", "Only access.allPsd2 = 'allAccounts' is offered.")
    frequency = body.get("frequencyPerDay", 4)
    if not isinstance(frequency, int) or isinstance(frequency, bool) or frequency < 1:
        return tpp_error(400, "FORMAT_ERROR", "frequencyPerDay must be a positive integer.")
    recurring = body.get("recurringIndicator", True)
    if not isinstance(recurring, bool):
        return tpp_error(400, "FORMAT_ERROR", "recurringIndicator must be a boolean.")
    raw = body.get("validUntil")
    if raw is None:
        return None, frequency, recurring
    try:
        valid_until = date.fromisoformat(str(raw))
    except ValueError:
        return tpp_error(400, "FORMAT_ERROR", "validUntil must be YYYY-MM-DD.")
    if valid_until < REFERENCE_DATE:
        return tpp_error(400, "PERIOD_INVALID", "validUntil lies in the past.")
    return valid_until, frequency, recurring


@blueprint.post("/v1/consents")
def create_consent() -> Response | tuple[Response, int]:
    guarded = client_call()
    if isinstance(guarded, Response):
        return guarded
    state, token = guarded
    psu_id = request.headers.get("PSU-ID")
    fault = scenario_fault(state.scenario_of(psu_id=psu_id))
    if fault is not None:
        return fault
    parsed = _parse_body(request.get_json(silent=True))
    if isinstance(parsed, Response):
        return parsed
    valid_until, frequency, recurring = parsed
    consent = state.create_consent(client_id=token.client_id, valid_until=valid_until,
                                   frequency=frequency, recurring=recurring, psu_id=psu_id)
    href = f"/oauth/authorize?{urlencode({'consent_id': consent.consent_id})}"
    response = jsonify({
        "consentId": consent.consent_id,
        "consentStatus": consent.status,
        "_links": {
            "scaOAuth": {"href": href},
            "status": {"href": f"/v1/consents/{consent.consent_id}/status"},
        },
    })
    response.headers["Location"] = f"/v1/consents/{consent.consent_id}"
    return response, 201


@blueprint.get("/v1/consents/<consent_id>/status")
def consent_status(consent_id: str) -> Response:
    guarded = client_call()
    if isinstance(guarded, Response):
        return guarded
    state, token = guarded
    consent = state.consent(consent_id)
    if consent is None or consent.client_id != token.client_id:
        return tpp_error(400, "CONSENT_UNKNOWN", "No such consent for this client.")
    fault = scenario_fault(state.scenario_of(consent))
    if fault is not None:
        return fault
    return jsonify({"consentStatus": state.consent_status(consent)})

