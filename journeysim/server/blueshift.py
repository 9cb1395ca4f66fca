"""Blueshift: ``PATCH /api/v1/campaigns/{uuid}/pause`` (B1) and ``/launch`` (resume), Basic auth
with the API key as the user name. A campaign is a scenario journey, named by its key; it acts on
the journey's newest published version. ``completed`` (stopped or finished) answers 422; an unknown
campaign 404; pausing a paused campaign answers it as it is.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..model.blueshift import campaign_status
from ..model.timeline import refuses
from . import actions
from . import answers as A

router = APIRouter(prefix="/api/v1/campaigns", tags=["Blueshift"])


class Unauthorized(Exception):
    pass


def require_api_key(request: Request) -> None:
    if not request.app.state.tokens.blueshift_ok(request.headers.get("authorization")):
        raise Unauthorized()


def _campaign(request: Request, kind: str, uuid: str) -> Response:
    runner = request.app.state.runner
    with runner.lock:
        if runner.finished:
            raise actions.Refused(422, {"errors": ["The scenario has ended"]}, "the scenario has ended")
        runner.catch_up()
        journeys = runner.loaded.scenario.journeys
        versions = [j for j, spec in enumerate(journeys) if spec.key == uuid]
        if not versions:
            raise actions.Refused(404, A.BLUESHIFT_NOT_FOUND, f"no journey with key {uuid!r}")
        # the campaign is the newest version published so far: a draft version waiting in the
        # scenario is not what is running (S10)
        published = [j for j in versions if runner.sim.runtime[j].status != "draft"] or versions
        j = max(published, key=lambda i: journeys[i].version)
        spec = journeys[j]
        status = runner.sim.runtime[j].status
        as_is = status == "paused" if kind == "pause" else status in ("live", "resuming", "finishing")
        if not as_is and refuses(kind, status):
            shown = "resuming" if status == "resuming" else campaign_status(status)  # resuming shows as launched, yet refuses a pause
            raise actions.Refused(422, {"errors": [f"Campaign cannot be {'paused' if kind == 'pause' else 'launched'}: "
                                                   f"its status is {shown}"]}, f"{spec.label} is {status}")
        if not as_is:
            make = actions.pause_action if kind == "pause" else actions.resume_action
            step = actions.build(runner, kind, make(uuid, version=spec.version), runner.loaded.scenario.platform)
            actions.commit(runner, step)
        status = runner.sim.runtime[j].status
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        return A.answer(request, 200, {"uuid": uuid, "status": campaign_status(status), "updated_at": stamp})


@router.patch("/{uuid}/pause", summary="Pause a campaign (B1)", dependencies=[Depends(require_api_key)])
def pause(request: Request, uuid: str) -> Response:
    return _campaign(request, "pause", uuid)


@router.patch("/{uuid}/launch", summary="Launch (resume) a paused campaign", dependencies=[Depends(require_api_key)])
def launch(request: Request, uuid: str) -> Response:
    return _campaign(request, "resume", uuid)


@router.patch("/{uuid}/relaunch", summary="Relaunch (resume) a paused campaign", dependencies=[Depends(require_api_key)])
def relaunch(request: Request, uuid: str) -> Response:
    return _campaign(request, "resume", uuid)
