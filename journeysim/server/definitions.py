"""SFMC journey definitions (D1, D2): create and update over the API.

A created journey is a ``Draft``: it is kept and answered, not simulated (the scenario's journeys
are the ones that run). ``id``, ``definitionId``, ``createdDate``, ``modifiedDate``, ``status`` and
``lastPublishedDate`` are the system's: a request that sets them is malformed (400). An update
carries the current ``modifiedDate`` (409 otherwise); identical content is "no change" (304); an
unknown key or version is 30003; a scenario journey (running, paused, stopped) cannot be changed
(409).
"""

from __future__ import annotations

import json
import math
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from . import actions
from . import answers as A

router = APIRouter(tags=["SFMC"])
SYSTEM_FIELDS = ("id", "definitionId", "createdDate", "modifiedDate", "status", "lastPublishedDate")
CONTENT_FIELDS = ("name", "description", "workflowApiVersion", "triggers", "goals", "activities")
NEVER_PUBLISHED = "0001-01-01T00:00:00"
STATUS_NAMES = {"live": "Published", "resuming": "Published", "paused": "Paused", "stopped": "Stopped", "draft": "Draft"}
SCENARIO_DATE = "2026-01-01T00:00:00"


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status.capitalize())


def journey_document(spec, journey_id: str, definition_id: str, status: str, counts: dict) -> dict:
    """A scenario journey version as SFMC describes it, with live counts."""
    return {
        "id": journey_id, "key": spec.key, "name": spec.name or spec.key, "description": "", "version": spec.version,
        "workflowApiVersion": 1.0, "createdDate": SCENARIO_DATE, "modifiedDate": SCENARIO_DATE,
        "lastPublishedDate": SCENARIO_DATE, "definitionId": definition_id, "status": status,
        "triggers": [], "goals": [],
        "activities": [{"key": node_id, "name": node_id, "type": node.type} for node_id, node in spec.nodes.items()],
        "stats": {"cumulativePopulation": counts["entered"], "currentPopulation": counts["in_journey"],
                  "held": counts["held"], "waiting": counts["waiting"], "queued": counts["queued"]},
        "healthStats": {"currentlyInCount": counts["in_journey"], "currentlyHeldCount": counts["held"],
                        "currentlyWaitingCount": counts["waiting"]},
    }


class Drafts:
    """Journeys created over the API, by key (each key one draft version)."""

    def __init__(self) -> None:
        self._by_key: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._last = datetime.min.replace(tzinfo=UTC)

    def _stamp(self) -> str:
        now = datetime.now(UTC)
        if now <= self._last:  # modifiedDate changes with every write
            now = self._last + timedelta(microseconds=1)
        self._last = now
        return now.strftime("%Y-%m-%dT%H:%M:%S.%f")

    def all(self) -> list[dict]:
        with self._lock:
            return [dict(d) for d in self._by_key.values()]

    def find(self, ident: str) -> dict | None:
        with self._lock:
            key = ident[4:] if ident.startswith("key:") else None
            for d in self._by_key.values():
                if d["key"] == key or ident in (d["id"], d["definitionId"]):
                    return dict(d)
        return None

    def create(self, body: dict) -> dict:
        with self._lock:
            stamp = self._stamp()
            doc = {"id": str(uuid.uuid4()), "key": body["key"], "name": body["name"], "lastPublishedDate": NEVER_PUBLISHED,
                   "description": body.get("description", ""), "version": 1,
                   "workflowApiVersion": body["workflowApiVersion"], "createdDate": stamp, "modifiedDate": stamp,
                   "triggers": body.get("triggers", []), "goals": body.get("goals", []), "activities": body.get("activities", []),
                   "status": "Draft", "definitionId": str(uuid.uuid4())}
            self._by_key[doc["key"]] = doc
            return dict(doc)

    def update(self, body: dict) -> tuple[int, dict, str]:
        """(status, body, problem) of an update."""
        with self._lock:
            doc = self._by_key.get(body["key"])
            if doc is None or doc["version"] != body["version"]:
                return 404, A.SFMC_NOT_FOUND, f"no draft journey {body['key']!r} version {body['version']}"
            if body["modifiedDate"] != doc["modifiedDate"]:
                return 409, A.SFMC_CONFLICT, f"modifiedDate {body['modifiedDate']!r} is not the current {doc['modifiedDate']!r}"
            changes = {k: body[k] for k in CONTENT_FIELDS if k in body and body[k] != doc[k]}
            if not changes:
                return 304, A.SFMC_NO_CHANGE, "the supplied data matches the journey's"
            doc.update(changes, modifiedDate=self._stamp())
            return 200, dict(doc), ""


def _checked(body: Any, *, update: bool) -> dict:
    """The request body, or ``Refused`` 400 when it is not what SFMC prescribes."""
    def bad(why: str) -> actions.Refused:
        return actions.Refused(400, A.SFMC_MALFORMED, why)

    if not isinstance(body, dict):
        raise bad("the body must be a JSON object")
    for name in SYSTEM_FIELDS:
        if name in body and not (update and name in ("modifiedDate", "id")):
            raise bad(f"{name} is assigned by the system (D1)")
    for name in ("key", "name"):
        if not isinstance(body.get(name), str) or not body[name].strip() or len(body[name]) > 200:
            raise bad(f"{name} is required: a non-empty string")
    if body.get("workflowApiVersion") not in (0.5, 1.0) or isinstance(body.get("workflowApiVersion"), bool):
        raise bad("workflowApiVersion is 0.5 or 1.0")
    if "description" in body and not isinstance(body["description"], str):
        raise bad("description is a string")
    for name in ("triggers", "goals", "activities"):
        if name in body and not isinstance(body[name], list):
            raise bad(f"{name} is an array")
    if update:
        version = _whole_number(body.get("version"))
        if version is None or version < 1:
            raise bad("version is required: a whole number")
        body = {**body, "version": version}
        if not isinstance(body.get("modifiedDate"), str):
            raise bad("modifiedDate is required: the journey's current modifiedDate (D2)")
    return body


JOURNEY_SPEC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["key", "name", "workflowApiVersion"],
    "properties": {"key": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
                   "workflowApiVersion": {"type": "number", "enum": [0.5, 1.0]}, "version": {"type": "integer"},
                   "modifiedDate": {"type": "string"}, "triggers": {"type": "array"}, "goals": {"type": "array"},
                   "activities": {"type": "array"}}}}}}}


def _whole_number(value: Any) -> int | None:
    """A JSON integer (``2``) as an int; None for anything else (``true``, ``1.5``, ``"1"``, and ``2.0``:
    a version number is written in digits, as every other route and the timeline read it)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large for a number")
    return number


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


class RepeatedName(ValueError):
    """A JSON object names a key twice: which one is meant is unknown (a scenario's YAML refuses it too)."""


def _object(pairs: list) -> dict:
    named: dict = {}
    for key, value in pairs:
        if key in named:
            raise RepeatedName(f"{key!r} is named twice in one JSON object")
        named[key] = value
    return named


def parse_json(raw: bytes) -> Any:
    """The body as JSON (RFC 8259): Python's NaN and Infinity, numbers that overflow a float (1e400)
    and arrays or objects nested deeper than the parser's recursion limit (a few KiB of ``[``) are
    ValueError like any other text that is not JSON; so is an object naming a key twice
    (``RepeatedName``). An empty body is None."""
    try:
        return json.loads(raw or b"null", parse_constant=_not_json, parse_float=_finite_float, object_pairs_hook=_object)
    except RecursionError:
        raise ValueError("the body nests arrays or objects too deeply") from None


async def no_repeated_names(request: Request) -> None:
    """For the routes FastAPI parses: a body that ``parse_json`` refuses is malformed there too, as on
    the routes that parse with it. FastAPI's parser keeps the last of two same keys and reads
    ``NaN``, ``Infinity`` and ``1e400`` (as inf) as numbers, so a field it then ignores (SFMC's
    ``id``, ``Version``, ``ProcessWaitUntilEvents``) would let such a body through."""
    try:
        parse_json(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        body = {"error": str(exc)} if A.family(request.url.path) == "sim" else A.SFMC_MALFORMED
        raise actions.Refused(400, body, str(exc)) from None


async def _json(request: Request) -> Any:
    try:
        return parse_json(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise actions.Refused(400, A.SFMC_MALFORMED, "the body is not JSON") from None


def _auth(request: Request) -> None:
    from .sfmc import require_token

    require_token(request)


@router.post("/interaction/v1/interactions", summary="Create a journey: a Draft (D1)", openapi_extra=JOURNEY_SPEC,
             dependencies=[Depends(_auth)])
async def create(request: Request) -> Response:
    body = _checked(await _json(request), update=False)
    runner = request.app.state.runner
    if any(j.key == body["key"] for j in runner.loaded.scenario.journeys) or request.app.state.drafts.find("key:" + body["key"]):
        raise actions.Refused(400, A.SFMC_MALFORMED, f"a journey with key {body['key']!r} exists")
    return A.answer(request, 200, request.app.state.drafts.create(body))


@router.put("/interaction/v1/interactions", summary="Update a journey version (D2)", openapi_extra=JOURNEY_SPEC,
            dependencies=[Depends(_auth)])
async def update(request: Request) -> Response:
    body = _checked(await _json(request), update=True)
    runner = request.app.state.runner
    if any(j.key == body["key"] for j in runner.loaded.scenario.journeys):
        raise actions.Refused(409, A.SFMC_CONFLICT, f"journey {body['key']!r} is in the running scenario")
    status, answer_body, problem = request.app.state.drafts.update(body)
    if status == 304:
        return A.answer(request, 304, None, problem=f"{A.SFMC_NO_CHANGE['message']} ({problem})", logged_body=answer_body)
    return A.answer(request, status, answer_body, problem=problem)
