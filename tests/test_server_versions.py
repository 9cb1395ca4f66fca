"""The sandbox's SFMC contact exit and publish calls (X1, X2, X3, S10): each is the timeline's
``contact_exit`` or ``publish``, so a session driven by them equals ``journeysim run``.

The base journey (tests/conftest.py): one arrival every 10 s from 0 s (100 in all), a 100 s wait,
an email, the end. At 505 s the arrivals of 410..500 s (10) are in the wait.
"""

from __future__ import annotations

import json

import pandas as pd
import yaml
from conftest import linear_journey, scenario
from serverkit import Live
from test_server import CONFLICT, MALFORMED, NOT_FOUND, SFMC_BASE, summary_of

import journeysim
from journeysim.server.sfmc import journey_id

EXIT = f"{SFMC_BASE}/contactexit"


def inside_at(doc: dict, tmp_path, at_s: float, key: str = "j") -> list[int]:
    """The profile ids inside journey ``key`` at ``at_s`` in a plain run (from the step events)."""
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    events = journeysim.run(journeysim.load(path), events=True).events
    entered = events[(events["event"] == "entered") & (events["node"].astype(str) == "entry")
                     & (events["journey"].astype(str).str.startswith(key))]
    return sorted({int(p) for p in entered[(entered["t_s"] > at_s - 100) & (entered["t_s"] <= at_s)]["profile_id"]})


def run_as_timeline(doc: dict, tmp_path, timeline: list) -> journeysim.Result:
    path = tmp_path / "as-timeline.yaml"
    path.write_text(yaml.safe_dump({**doc, "timeline": timeline}, sort_keys=False))
    return journeysim.run(journeysim.load(path))


def test_X1_contact_exit_answers_per_item_and_removes_the_contacts(tmp_path):
    """Three of the ten contacts inside at 505 s are removed; an unknown journey, an unknown version
    and a ContactKey that is no profile are answered per item (202, SFMC's errors array)."""
    doc = scenario(linear_journey(), platform="sfmc")
    inside = inside_at(doc, tmp_path, 505)
    assert len(inside) == 10
    live = Live(doc, tmp_path, name="served")
    try:
        auth = live.bearer()
        live.advance(to="505s")
        body = [{"ContactKey": str(p), "DefinitionKey": "j"} for p in inside[:3]] + [
            {"ContactKey": str(inside[3]), "DefinitionKey": "nope", "Versions": [1, 2]},
            {"ContactKey": str(inside[4]), "DefinitionKey": "j", "Versions": [7]},
            {"ContactKey": "someone@example.com", "DefinitionKey": "j"}]
        answer = live.client.post(EXIT, headers=auth, json=body)
        assert answer.status_code == 202
        assert answer.json() == {"errors": [
            {"contactKey": str(inside[3]), "definitionKey": "nope", "status": [
                {"version": 1, "message": "Exit request Ignored - Invalid Interaction Name."},
                {"version": 2, "message": "Exit request Ignored - Invalid Interaction Name."}]},
            {"contactKey": str(inside[4]), "definitionKey": "j", "status": [
                {"version": 7, "message": "Exit request Ignored - Invalid Interaction Version."}]},
            {"contactKey": "someone@example.com", "definitionKey": "j", "status": [
                {"message": "Exit request Ignored - Invalid Contact Key."}]}]}
        assert (live.journey("j")["in_journey"], live.journey("j")["left"]) == (7, 41 + 3)
        live.client.post(SFMC_BASE, headers=auth, json={"key": "drafted", "name": "Drafted", "workflowApiVersion": 1.0})
        assert live.client.post(EXIT, headers=auth, json=[{"ContactKey": str(inside[5]), "DefinitionKey": "drafted"}]).json() == {"errors": []}
        assert live.journey("j")["in_journey"] == 7
        for bad in ({"ContactKey": "1", "DefinitionKey": "j"}, [], [{"ContactKey": 1, "DefinitionKey": "j"}],
                    [{"ContactKey": "1", "DefinitionKey": "j", "Versions": "1"}],
                    [{"ContactKey": "1", "DefinitionKey": "j"}] * 51):
            refused = live.client.post(EXIT, headers=auth, json=bad)
            assert (refused.status_code, refused.json()) == (400, MALFORMED), bad
        assert live.client.post(EXIT, json=body[:1]).status_code == 401
        live.advance(to="2000s")
        live.wait()
    finally:
        if live.thread.is_alive():
            live.stop()
    assert summary_of(live.out)["journeys"]["j"]["exited"] == {
        "end": 97, "timeout": 0, "exit_criteria": 0, "jump": 0, "stopped": 0, "contact_exit": 3}


def test_X3_contact_exit_calls_equal_run_with_the_same_timeline(tmp_path):
    """Two calls at 505 s (one naming version 1) and one at 700 s: the outputs of ``journeysim run``
    with one ``contact_exit`` per journey-and-version group of each call."""
    doc = scenario(linear_journey(), platform="sfmc")
    first, later = inside_at(doc, tmp_path, 505), inside_at(doc, tmp_path, 700)
    live = Live(doc, tmp_path, name="served")
    auth = live.bearer()
    live.advance(to="505s")
    body = [{"ContactKey": str(first[0]), "DefinitionKey": "j"}, {"ContactKey": str(first[1]), "DefinitionKey": "j", "Versions": [1]},
            {"ContactKey": str(first[2]), "DefinitionKey": "j"}]
    assert live.client.post(EXIT, headers=auth, json=body).json() == {"errors": []}
    live.advance(to="700s")
    assert live.client.post(EXIT, headers=auth, json=[{"ContactKey": str(p), "DefinitionKey": "j"} for p in later[:4]]).json() == {"errors": []}
    live.advance(to="2000s")
    live.wait()
    served = summary_of(live.out)
    timeline = [{"at": "505s", "contact_exit": {"journey": "j", "profiles": [first[0], first[2]]}},
                {"at": "505s", "contact_exit": {"journey": "j", "version": 1, "profiles": [first[1]]}},
                {"at": "700s", "contact_exit": {"journey": "j", "profiles": later[:4]}}]
    ran = run_as_timeline(doc, tmp_path, timeline)
    served.pop("api_calls"), served.pop("serve")
    assert served == json.loads(json.dumps(ran.summary))
    assert served["journeys"]["j"]["exited"]["contact_exit"] == 7
    pd.testing.assert_frame_equal(pd.read_parquet(live.out / "timeseries.parquet"), ran.timeseries)


def two_versions(**top) -> dict:
    v2 = {**linear_journey("a", wait="100s", version=2), "draft": True}
    return scenario(linear_journey("a", wait="100s"), v2, platform="sfmc", **top)


def test_S10_X1_publish_a_draft_version_and_get_shows_it(tmp_path):
    """v2 is ``draft: true``. Publishing it at 305 s answers a statusId; GET by key then shows v2
    Published and v1 finishing. Publishing it again, or v1, is a conflict; a missing versionNumber
    is malformed; an unknown version is 30003; a journey created over the API cannot be published
    (501, it has nothing to simulate)."""
    live = Live(two_versions(), tmp_path)
    try:
        auth = live.bearer()
        before = live.client.get(f"{SFMC_BASE}/key:a", headers=auth).json()
        assert (before["version"], before["status"]) == (2, "Draft")
        live.advance(to="305s")
        ident = journey_id("a", 2)
        answer = live.client.post(f"{SFMC_BASE}/publishAsync/{ident}?versionNumber=2", headers=auth)
        assert answer.status_code == 200 and set(answer.json()) == {"statusId"}
        latest = live.client.get(f"{SFMC_BASE}/key:a", headers=auth).json()
        assert (latest["version"], latest["status"]) == (2, "Published")
        assert live.client.get(f"{SFMC_BASE}/key:a?versionNumber=1", headers=auth).json()["status"] == "Finishing"
        for path, status, body in ((f"publishAsync/{ident}?versionNumber=2", 409, CONFLICT),
                                   ("publishAsync/key:a?versionNumber=1", 409, CONFLICT),
                                   (f"publishAsync/{ident}", 400, MALFORMED),
                                   ("publishAsync/key:a?versionNumber=9", 404, NOT_FOUND),
                                   ("publishAsync/key:nope?versionNumber=1", 404, NOT_FOUND)):
            refused = live.client.post(f"{SFMC_BASE}/{path}", headers=auth)
            assert (refused.status_code, refused.json()) == (status, body), path
        created = live.client.post(SFMC_BASE, headers=auth, json={"key": "new", "name": "New", "workflowApiVersion": 1.0}).json()
        refused = live.client.post(f"{SFMC_BASE}/publishAsync/{created['id']}?versionNumber=1", headers=auth)
        assert refused.status_code == 501 and refused.json()["errorcode"] == 501
        assert live.client.get(f"{SFMC_BASE}/{created['id']}", headers=auth).json()["status"] == "Draft"
        assert live.client.post(f"{SFMC_BASE}/publishAsync/key:a?versionNumber=2").status_code == 401
    finally:
        live.stop()


def test_X3_publish_call_equals_run_with_the_same_timeline(tmp_path):
    """Publishing v2 at 305 s over the API gives the outputs of the timeline ``publish`` at 305 s."""
    live = Live(two_versions(), tmp_path, name="served")
    auth = live.bearer()
    live.advance(to="305s")
    assert live.client.post(f"{SFMC_BASE}/publishAsync/key:a?versionNumber=2", headers=auth).status_code == 200
    live.advance(to="2000s")
    live.wait()
    served = summary_of(live.out)
    ran = run_as_timeline(two_versions(), tmp_path, [{"at": "305s", "publish": {"journey": "a", "version": 2}}])
    served.pop("api_calls"), served.pop("serve")
    assert served == json.loads(json.dumps(ran.summary))
    assert (served["journeys"]["a@v1"]["arrived"], served["journeys"]["a@v2"]["arrived"]) == (31, 69)
    pd.testing.assert_frame_equal(pd.read_parquet(live.out / "timeseries.parquet"), ran.timeseries)


def test_X4_openapi_describes_contact_exit_and_publish(tmp_path):
    live = Live(two_versions(), tmp_path)
    try:
        paths = live.client.get("/openapi.json").json()["paths"]
        assert {EXIT, f"{SFMC_BASE}/publishAsync/{{ident}}"} <= set(paths)
        assert paths[EXIT]["post"]["requestBody"]["content"]["application/json"]["schema"]["maxItems"] == 50
    finally:
        live.stop()
