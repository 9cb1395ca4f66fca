"""X4, X2: a property-based test generated from /openapi.json (schemathesis): whatever the request,
valid or not, authenticated or not, the sandbox answers without a server error (no 5xx)."""

from __future__ import annotations

import base64

import pytest
import schemathesis
import yaml
from conftest import linear_journey, scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from serverkit import CREDS

import journeysim
from journeysim.server.auth import TokenStore
from journeysim.server.serve import Sandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("schema")
    doc = scenario(linear_journey(), linear_journey("k", version=2), platform="sfmc", duration="30d")
    path = folder / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return Sandbox(journeysim.load(path), folder / "out", port=0, speed=0, credentials=CREDS, report=False)


@pytest.fixture(scope="module")
def api(sandbox):
    asgi = sandbox.server.config.app
    return schemathesis.openapi.from_asgi("/openapi.json", asgi)


def test_X4_no_server_error_for_any_request(sandbox, api):
    """Requests drawn from every operation of the OpenAPI document, with valid credentials (the
    generated bodies and parameters are what varies); each answer is below 500."""
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 15
    store: TokenStore = sandbox.tokens
    basic = "Basic " + base64.b64encode(f"{CREDS.blueshift_api_key}:".encode()).decode()

    @given(case=st.one_of([op.as_strategy() for op in operations]))
    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def no_5xx(case):
        auth = basic if case.path.startswith("/api/v1/") else f"Bearer {store.issue(CREDS.client_id, CREDS.client_secret)}"
        response = case.call(headers={"Authorization": auth})
        assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text)

    no_5xx()
