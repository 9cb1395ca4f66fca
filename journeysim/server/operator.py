"""journeysim's own calls: AJO-style pauses (hold / discard), resume, global filter, and the clock
(``/sim/advance``), status and summary so far (X1, X3). No authentication: the server listens on
127.0.0.1 unless told otherwise."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, field_validator

from ..schema import AtStop
from ..units import parse_duration
from . import actions
from . import answers as A
from .definitions import no_repeated_names

router = APIRouter(prefix="/sim", tags=["journeysim"], dependencies=[Depends(no_repeated_names)])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Advance(Strict):
    by: StrictStr | StrictFloat | None = Field(None, description="A duration to move the clock by: '6h', '2d', 3600.")
    to: StrictStr | StrictFloat | None = Field(None, description="An instant since the start to move the clock to: '2d'.")

    @field_validator("by", "to")
    @classmethod
    def _duration(cls, value):
        if value is None:
            return None
        seconds = parse_duration(value)
        if seconds < 0 or seconds > 1e12:
            raise ValueError("a duration from 0 up")
        return seconds


class JourneyPause(Strict):
    mode: AtStop | None = Field(None, description="At an action node (P1); default the policy's.")
    version: StrictInt | None = Field(None, ge=1)


class JourneyVersion(Strict):
    version: StrictInt | None = Field(None, ge=1)


class GlobalFilter(Strict):
    exclude: StrictStr | None = Field(description="Profiles matching it are removed at action nodes (G2); null deletes it.")
    version: StrictInt | None = Field(None, ge=1)


def refused(status: int, message: str) -> actions.Refused:
    """A /sim refusal: the explanation is the body's ``error`` and, as for every refusal, the problem header."""
    return actions.Refused(status, {"error": message}, message)


@router.get("/status", summary="Virtual time and every journey's status and counts (X3)")
def status(request: Request) -> Response:
    return A.answer(request, 200, request.app.state.runner.status())


@router.get("/summary", summary="The run summary so far, with api_calls (X3)")
def summary(request: Request) -> Response:
    return A.answer(request, 200, request.app.state.runner.summary_so_far())


@router.post("/advance", summary="Move the clock by or to an instant; answers once everything up to it is done")
def advance(request: Request, body: Advance) -> Response:
    runner = request.app.state.runner
    if (body.by is None) == (body.to is None):
        raise refused(400, "give exactly one of 'by' or 'to'")
    with runner.lock:
        if runner.finished:
            raise refused(409, "the scenario has ended")
        runner.catch_up()
        target = runner.now_tick * runner.res + body.by if body.by is not None else body.to
        if target < runner.now_tick * runner.res:
            raise refused(409, f"the clock is at {runner.now_s}s already; it does not go back")
        runner.advance(target)
        return A.answer(request, 200, {"now_s": runner.now_s, "ended": runner.at_end})


def _operate(request: Request, kind: str, key: str, target, expression=None) -> Response:
    runner = request.app.state.runner
    with runner.lock:
        if runner.finished:
            raise refused(409, "the scenario has ended")
        runner.catch_up()
        if not any(j.key == key for j in runner.loaded.scenario.journeys):
            raise refused(404, f"no journey with key {key!r}")
        version = getattr(target, "version", None)
        version = getattr(target, "versionNumber", None) if version is None else version
        if version is not None and not any(j.key == key and j.version == version for j in runner.loaded.scenario.journeys):
            raise refused(404, f"journey {key!r} has no version {version}")  # as SFMC's 30003: the version is not found
        try:
            step = actions.build(runner, kind, target, "ajo")
        except actions.ProblemFound as problem:
            raise refused(400, problem.message) from None
        wrong = actions.wrong_status(runner, step)
        if wrong:
            j, now = wrong[0]
            need = {"pause": "live", "resume": "paused", "global_filter": "paused", "stop": "live or paused"}[kind]
            raise refused(409, f"{runner.sim.journeys_c[j].label} is {now}; it must be {need} (J1, G1)")
        actions.commit(runner, step, expression)
        return A.answer(request, 200, {"at_s": runner.now_s, "action": kind, "journeys": [runner.sim.journeys_c[j].label for j in step.targets]})


@router.post("/journeys/{key}/pause", summary="AJO-style pause with a mode (P1)")
def pause(request: Request, key: str, body: JourneyPause | None = None) -> Response:
    body = body or JourneyPause()  # both keys are optional, so is the body (as for resume and stop)
    return _operate(request, "pause", key, actions.pause_action(key, version=body.version, mode=body.mode))


@router.post("/journeys/{key}/resume", summary="Resume a paused journey (R4)")
def resume(request: Request, key: str, body: JourneyVersion | None = None) -> Response:
    return _operate(request, "resume", key, actions.resume_action(key, version=body.version if body else None))


@router.post("/journeys/{key}/stop", summary="Stop a journey: every profile exits")
def stop(request: Request, key: str, body: JourneyVersion | None = None) -> Response:
    return _operate(request, "stop", key, actions.stop_action(key, version=body.version if body else None))


@router.post("/journeys/{key}/global-filter", summary="Set or delete a paused journey's global filter (G1, G2)")
def global_filter(request: Request, key: str, body: GlobalFilter) -> Response:
    runner = request.app.state.runner
    try:
        action, expression = actions.global_filter_action(runner, key, body.version, body.exclude)
    except actions.ProblemFound as problem:
        raise refused(400, problem.message) from None
    return _operate(request, "global_filter", key, action, expression)
