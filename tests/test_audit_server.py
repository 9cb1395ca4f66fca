"""Audit of the API sandbox against the vendors' own documents (the requests a client written from
them sends) and against the YAML timeline (the server adds no behaviour of its own)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from conftest import linear_journey, scenario
from serverkit import Live
from test_server import SFMC_BASE

import journeysim

CREATE_EXAMPLE = {"key": "ixn-created-via-the-api", "name": "API-Created journey", "workflowApiVersion": 1.0,
                  "triggers": [], "goals": [], "activities": []}


@pytest.fixture
def live(tmp_path):
    server = Live(scenario(linear_journey(), platform="sfmc"), tmp_path)
    yield server
    if server.thread.is_alive():
        server.stop()


def summary_of(folder) -> dict:
    return json.loads((folder / "summary.json").read_text())


def run_as_timeline(doc: dict, tmp_path, timeline: list) -> journeysim.Result:
    path = tmp_path / "as-timeline.yaml"
    path.write_text(yaml.safe_dump({**doc, "timeline": timeline}, sort_keys=False))
    return journeysim.run(journeysim.load(path))


def assert_same_outputs(live: Live, ran: journeysim.Result) -> dict:
    served = summary_of(live.out)
    served.pop("api_calls"), served.pop("serve")
    assert served == json.loads(json.dumps(ran.summary))
    pd.testing.assert_frame_equal(pd.read_parquet(live.out / "timeseries.parquet"), ran.timeseries)
    return served


# ---------------------------------------------------------------- trailing slash (SFMC's update example)


def test_sfmc_update_example_with_its_trailing_slash_is_served_not_redirected(live):
    """SFMC's document writes ``PUT /interaction/v1/interactions/``: the call is answered there (a 307
    leaves curl and httpx, which do not follow redirects, with an empty answer and nothing done)."""
    auth = live.bearer()
    created = live.client.post(f"{SFMC_BASE}/", headers=auth, json=CREATE_EXAMPLE)
    assert created.status_code == 200, created.text
    assert created.json()["status"] == "Draft"
    update = {"key": CREATE_EXAMPLE["key"], "modifiedDate": created.json()["modifiedDate"], "name": "API-Created journey updated",
              "version": 1, "description": "This is a journey created via the API created in this account",
              "workflowApiVersion": 1.0}
    updated = live.client.put(f"{SFMC_BASE}/", headers=auth, json=update)
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "API-Created journey updated"
    listed = live.client.get(f"{SFMC_BASE}/", headers=auth)
    assert listed.status_code == 200 and listed.json()["count"] == 2
    paused = live.client.post(f"{SFMC_BASE}/pause/key:j/?versionNumber=1", headers=auth, json={})
    assert (paused.status_code, paused.json()) == (202, {"status": "Accepted"})
    assert live.client.get(f"{SFMC_BASE}/key:j/", headers=auth).json()["status"] == "Paused"
    calls = live.client.get("/sim/summary").json()["api_calls"]
    assert [c["status"] for c in calls if c["method"] != "GET"] == [200, 200, 200, 202]
