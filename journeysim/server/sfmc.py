"""Salesforce Marketing Cloud: token, pause / resume / stop (S1-S5, S8, S9), get and list.

Errors are SFMC's: 10005 and 10000 in a 202 body, 30003 for an unknown journey, 400 for a
malformed request, 401 without a valid bearer token.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, model_validator

from ..model.timeline import sfmc_body
from . import actions
from . import answers as A
from .definitions import journey_document, no_repeated_names, parse_json, status_name

router = APIRouter(tags=["SFMC"])
JOURNEY_NAMESPACE = uuid.UUID("5b0f3a52-2f8e-4a3c-9d0e-6a7c1f4b9e21")


class NotAuthorized(Exception):
    pass


def require_token(request: Request) -> None:
    if not request.app.state.tokens.valid(request.headers.get("authorization")):
        raise NotAuthorized()


class TokenRequest(BaseModel):
    grant_type: str = Field(examples=["client_credentials"])
    client_id: str
    client_secret: str
    account_id: str | int | None = None
    scope: str | None = None


class PauseBody(BaseModel):
    """SFMC's pause options (S2-S5, S8); other fields SFMC sends (``id``, ``Version``,
    ``ProcessWaitUntilEvents``) are accepted and have no effect here."""

    model_config = ConfigDict(extra="allow")
    ExtendWaitEndDates: StrictBool | None = None
    PausedDays: StrictInt | None = Field(None, description="Whole days from 1 to 14 (S8).")
    GuardrailAction: StrictStr | None = Field(None, description="Resume, Stop or None (S4, S8).")
    RetainContactInjectionWhileJourneyPaused: StrictBool | None = None

    @model_validator(mode="before")
    @classmethod
    def _as_sfmc_reads_it(cls, data):
        """The timeline's reading of the body (``model.timeline.sfmc_body``): names in any case, SFMC's
        own ``id``, ``Version`` and ``ProcessWaitUntilEvents`` ignored, and a name given twice or one
        the pause does not have (``PauseDays``: else a silent 14-day pause) malformed, as in a timeline."""
        if not isinstance(data, dict):
            return data
        problems: list = []
        body = sfmc_body(data, (), problems)
        if problems:
            raise ValueError(problems[0][1])
        return body


TOKEN_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": TokenRequest.model_json_schema()},
    "application/x-www-form-urlencoded": {"schema": TokenRequest.model_json_schema()}}}}


@router.post("/v2/token", summary="Client credentials -> bearer token", openapi_extra=TOKEN_BODY)
async def token(request: Request) -> Response:
    raw = await request.body()
    try:
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            fields = {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), strict_parsing=bool(raw)).items()}
        else:
            fields = parse_json(raw)
        if not isinstance(fields, dict):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError):
        return A.answer(request, 400, A.SFMC_BAD_TOKEN_REQUEST, problem="the body is neither a JSON object nor a form")
    if fields.get("grant_type") != "client_credentials":
        return A.answer(request, 400, A.SFMC_BAD_GRANT, problem="grant_type must be client_credentials")
    store = request.app.state.tokens
    issued = store.issue(fields.get("client_id"), fields.get("client_secret"))
    if issued is None:
        return A.answer(request, 401, A.SFMC_INVALID_CLIENT, problem="client_id or client_secret is wrong")
    base = str(request.base_url)
    scope = fields.get("scope") if isinstance(fields.get("scope"), str) else "journeys_read journeys_write journeys_execute"
    body = {"access_token": issued, "token_type": "Bearer", "expires_in": int(store.ttl_s), "scope": scope,
            "rest_instance_url": base, "soap_instance_url": base}
    return A.answer(request, 200, body, logged_body={**body, "access_token": "(not logged)"})


def _query(request: Request, name: str) -> str | None:
    """A query parameter whatever its case (SFMC clients send ``versionNumber`` and ``VersionNumber``);
    given twice with different values (``versionNumber=1&VersionNumber=2``) it names no one version: 400."""
    values = {value for key, value in request.query_params.multi_items() if key.lower() == name.lower()}
    if len(values) > 1:
        raise actions.Refused(400, A.SFMC_MALFORMED, f"{name} is given twice with different values ({', '.join(sorted(values))[:80]})")
    return values.pop() if values else None


VERSION_NUMBER = re.compile(r"[0-9]{1,18}")  # int() would also read " 1", "1_0" (10) and other scripts' digits


def _version_args(request: Request) -> tuple[int | None, bool | None]:
    version, every = _query(request, "versionNumber"), _query(request, "allVersions")
    if version not in (None, "") and not VERSION_NUMBER.fullmatch(version):
        raise actions.Refused(400, A.SFMC_MALFORMED, f"versionNumber {version[:40]!r} is not a whole number")
    number = int(version) if version not in (None, "") else None
    flag = None
    if every not in (None, ""):
        if every.lower() not in ("true", "false", "1", "0"):
            raise actions.Refused(400, A.SFMC_MALFORMED, f"allVersions {every!r} is not true or false")
        flag = every.lower() in ("true", "1")
    return number, flag


def journey_key(request: Request, ident: str) -> str:
    """``key:KEY`` or a journey id -> the key; 30003 when unknown."""
    journeys = request.app.state.runner.loaded.scenario.journeys
    if ident.startswith("key:"):
        key = ident[4:]
        if any(j.key == key for j in journeys):
            return key
    else:
        for j in journeys:
            if ident in (journey_id(j.key, j.version), definition_id(j.key)):
                return j.key
    raise actions.Refused(404, A.SFMC_NOT_FOUND, f"no journey {ident!r} in the scenario")


def journey_id(key: str, version: int) -> str:
    return str(uuid.uuid5(JOURNEY_NAMESPACE, f"{key}@v{version}"))


def definition_id(key: str) -> str:
    return str(uuid.uuid5(JOURNEY_NAMESPACE, f"definition:{key}"))


REFUSED_STATUS = {"pause": A.SFMC_NOT_RUNNING, "resume": A.SFMC_NOT_PAUSED, "stop": A.SFMC_ALREADY_STOPPED}
VERSION_QUERY = Query(None, description="The version to act on (also VersionNumber).")
ALL_QUERY = Query(None, description="true: every version (also AllVersions).")


def _control(request: Request, kind: str, ident: str, body: dict | None) -> Response:
    runner = request.app.state.runner
    with runner.lock:
        if runner.finished:
            raise actions.Refused(409, A.SFMC_CONFLICT, "the scenario has ended")
        runner.catch_up()
        key = journey_key(request, ident)
        version, every = _version_args(request)
        journeys = runner.loaded.scenario.journeys
        if version is not None and version >= 1 and not every and not any(j.key == key and j.version == version for j in journeys):
            raise actions.Refused(404, A.SFMC_NOT_FOUND, f"journey {key!r} has no version {version}")
        make = {"pause": actions.pause_action, "resume": actions.resume_action, "stop": actions.stop_action}[kind]
        target = make(key, version=version, all_versions=every, **({"body": body} if kind == "pause" else {}))
        try:
            step = actions.build(runner, kind, target, "sfmc")
        except actions.ProblemFound as problem:
            if problem.version_required:
                raise actions.Refused(202, A.SFMC_VERSION_REQUIRED, problem.message) from None
            raise actions.Refused(400, A.SFMC_MALFORMED, problem.message) from None
        wrong = actions.wrong_status(runner, step)
        if wrong:
            j, status = wrong[0]
            raise actions.Refused(202, REFUSED_STATUS[kind], f"{runner.sim.journeys_c[j].label} is {status} (J1)")
        actions.commit(runner, step)
        return A.answer(request, 202, {"status": "Accepted"})


PAUSE_DOC = "Pause a journey version (S1-S5, S8): `key:KEY` or the journey's id; versionNumber or allVersions=true."


@router.post("/interaction/v1/interactions/pause/{ident}", status_code=202, summary="Pause a journey", description=PAUSE_DOC,
             dependencies=[Depends(require_token), Depends(no_repeated_names)])
def pause(request: Request, ident: str, body: PauseBody | None = None, versionNumber: int | None = VERSION_QUERY,
          allVersions: bool | None = ALL_QUERY) -> Response:
    options = body.model_dump(exclude_none=True) if body is not None else {}
    known = {k: v for k, v in options.items() if k in PauseBody.model_fields}
    return _control(request, "pause", ident, known)


@router.post("/interaction/v1/interactions/resume/{ident}", status_code=202, summary="Resume a paused journey (S9)",
             dependencies=[Depends(require_token)])
def resume(request: Request, ident: str, versionNumber: int | None = VERSION_QUERY, allVersions: bool | None = ALL_QUERY) -> Response:
    return _control(request, "resume", ident, None)


@router.post("/interaction/v1/interactions/stop/{ident}", status_code=202, summary="Stop a journey: every contact exits (S9)",
             dependencies=[Depends(require_token)])
def stop(request: Request, ident: str, versionNumber: int | None = VERSION_QUERY, allVersions: bool | None = ALL_QUERY) -> Response:
    return _control(request, "stop", ident, None)


def scenario_documents(runner, key: str | None = None) -> list[dict]:
    """One SFMC journey document per scenario journey version, with live counts."""
    docs = []
    for j, runtime in enumerate(runner.sim.runtime):
        spec = runtime.compiled.spec
        if key is not None and spec.key != key:
            continue
        counts = runner.journey_counts(j)
        docs.append(journey_document(spec, journey_id(spec.key, spec.version), definition_id(spec.key),
                                     status_name(runtime.status), counts))
    return docs


@router.get("/interaction/v1/interactions/{ident}", summary="A journey by key:KEY or id, with its counts",
            dependencies=[Depends(require_token)])
def get_journey(request: Request, ident: str, versionNumber: int | None = VERSION_QUERY) -> Response:
    runner = request.app.state.runner
    drafts = request.app.state.drafts
    with runner.lock:
        runner.catch_up()
        version, _ = _version_args(request)
        draft = drafts.find(ident)
        if draft is not None:
            if version is not None and version != draft["version"]:
                raise actions.Refused(404, A.SFMC_NOT_FOUND, f"draft journey {draft['key']!r} has no version {version}")
            return A.answer(request, 200, draft)
        key = journey_key(request, ident)
        docs = scenario_documents(runner, key)
        if not ident.startswith("key:"):
            docs = [d for d in docs if ident in (d["id"], d["definitionId"])] or docs
        if version is not None:
            docs = [d for d in docs if d["version"] == version]
            if not docs:
                raise actions.Refused(404, A.SFMC_NOT_FOUND, f"journey {key!r} has no version {version}")
        return A.answer(request, 200, max(docs, key=lambda d: d["version"]))


@router.get("/interaction/v1/interactions", summary="Journeys, paged; filter by name or id", dependencies=[Depends(require_token)])
def list_journeys(request: Request, name: str | None = Query(None, description="Name contains (case-insensitive)."),
                  id: str | None = Query(None), mostRecentVersionOnly: bool = Query(True), extras: str | None = Query(None),
                  page: int = Query(1, ge=1), pageSize: int = Query(50, ge=1, le=500)) -> Response:
    runner = request.app.state.runner
    with runner.lock:
        runner.catch_up()
        docs = scenario_documents(runner) + request.app.state.drafts.all()
    if name:
        docs = [d for d in docs if name.lower() in (d.get("name") or "").lower()]
    if id:
        docs = [d for d in docs if id in (d["id"], d["definitionId"])]
    if mostRecentVersionOnly:
        latest: dict[str, dict] = {}
        for d in docs:
            if d["key"] not in latest or d["version"] > latest[d["key"]]["version"]:
                latest[d["key"]] = d
        docs = [d for d in docs if latest[d["key"]] is d]
    if extras != "all":
        docs = [{k: v for k, v in d.items() if k not in ("activities", "triggers", "goals")} for d in docs]
    first = (page - 1) * pageSize
    return A.answer(request, 200, {"count": len(docs), "page": page, "pageSize": pageSize, "links": {},
                                   "items": docs[first:first + pageSize]})
