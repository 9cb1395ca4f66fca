"""Salesforce Marketing Cloud: remove contacts from a journey (``contactexit``) and publish a
version (``publishAsync``, S10). Each becomes the timeline's ``contact_exit`` or ``publish``.

Contact exit answers 202 with per-item ``errors`` (SFMC's shape); publish answers 200 with a
``statusId``. A journey created over the API has no scenario version to run: publishing it is
refused (501), never pretended.
"""

from __future__ import annotations

import re
import uuid

import numpy as np
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from . import actions
from . import answers as A
from .definitions import _json
from .sfmc import JOURNEY_NAMESPACE, VERSION_QUERY, _version_args, journey_key, require_token

router = APIRouter(tags=["SFMC"])
MAX_CONTACTS = 50
INVALID_NAME = "Exit request Ignored - Invalid Interaction Name."
INVALID_VERSION = "Exit request Ignored - Invalid Interaction Version."
INVALID_CONTACT = "Exit request Ignored - Invalid Contact Key."
PROFILE_ID = re.compile(r"0|-?[1-9][0-9]{0,18}")  # str() of an int64: no spaces, sign, leading zeros or other digits
NOT_SIMULATED = A.sfmc_error("journeysim cannot publish a journey created over the API: it has no scenario version to "
                             "simulate. Add it to the scenario as a version with 'draft: true' and publish that.", 501)

CONTACT_EXIT_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "array", "minItems": 1, "maxItems": MAX_CONTACTS, "items": {
        "type": "object", "required": ["ContactKey", "DefinitionKey"],
        "properties": {"ContactKey": {"type": "string"}, "DefinitionKey": {"type": "string"},
                       "Versions": {"type": "array", "items": {"type": "integer", "minimum": 1}}}}}}}}}


def _items(body) -> list[tuple[str, str, list[int] | None]]:
    """(ContactKey, DefinitionKey, Versions) of each item, or 400 when the body is not SFMC's shape."""
    def bad(why: str) -> actions.Refused:
        return actions.Refused(400, A.SFMC_MALFORMED, why)

    if not isinstance(body, list) or not 1 <= len(body) <= MAX_CONTACTS:
        raise bad(f"the body is an array of 1 to {MAX_CONTACTS} {{ContactKey, DefinitionKey}} items")
    items = []
    for n, item in enumerate(body):
        if not isinstance(item, dict) or not isinstance(item.get("ContactKey"), str) or not isinstance(item.get("DefinitionKey"), str):
            raise bad(f"item {n}: ContactKey and DefinitionKey are required strings")
        versions = item.get("Versions")
        if versions is not None and (not isinstance(versions, list) or not versions
                                     or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in versions)):
            raise bad(f"item {n}: Versions is an array of version numbers")
        items.append((item["ContactKey"], item["DefinitionKey"], versions))
    return items


def _profile(ids: np.ndarray, contact_key: str) -> int | None:
    """The profile a ContactKey names: its profile_id exactly as str() writes it ("17", never " 17" or "017")."""
    if not PROFILE_ID.fullmatch(contact_key):
        return None
    profile = int(contact_key)
    return profile if bool(np.isin(profile, ids)) else None


@router.post("/interaction/v1/interactions/contactexit", status_code=202, openapi_extra=CONTACT_EXIT_BODY,
             summary="Remove contacts from a journey: they exit now (reason contact_exit)", dependencies=[Depends(require_token)])
async def contact_exit(request: Request) -> Response:
    items = _items(await _json(request))
    runner = request.app.state.runner
    with runner.lock:
        if runner.finished:
            raise actions.Refused(409, A.SFMC_CONFLICT, "the scenario has ended")
        runner.catch_up()
        journeys = runner.loaded.scenario.journeys
        errors, groups = [], {}
        for contact, key, versions in items:
            have = {j.version for j in journeys if j.key == key}
            if not have and request.app.state.drafts.find("key:" + key) is not None:
                continue  # a journey created over the API is a draft: nobody is in it to remove
            profile = _profile(runner.sim.population.ids, contact)
            status = []
            for version in versions or [None]:
                why = INVALID_NAME if not have else INVALID_VERSION if version is not None and version not in have \
                    else INVALID_CONTACT if profile is None else None
                if why:
                    status.append({"version": version, "message": why} if version is not None else {"message": why})
            if status:
                errors.append({"contactKey": contact, "definitionKey": key, "status": status})
                continue
            for version in versions or [None]:
                groups.setdefault((key, version), []).append(profile)
        for (key, version), profiles in groups.items():
            step = actions.build_versioned(runner, "contact_exit", actions.contact_exit_action(key, version, profiles))
            actions.commit(runner, step)
        return A.answer(request, 202, {"errors": errors})


@router.post("/interaction/v1/interactions/publishAsync/{ident}", summary="Publish a draft version (S10)",
             description="`ident` is the journey's id (or `key:KEY`); versionNumber is required.",
             dependencies=[Depends(require_token)])
def publish(request: Request, ident: str, versionNumber: int | None = VERSION_QUERY) -> Response:
    runner = request.app.state.runner
    with runner.lock:
        if runner.finished:
            raise actions.Refused(409, A.SFMC_CONFLICT, "the scenario has ended")
        runner.catch_up()
        if request.app.state.drafts.find(ident) is not None:
            raise actions.Refused(501, NOT_SIMULATED, "journeys created over the API are kept, not simulated")
        key = journey_key(request, ident)
        version, _ = _version_args(request)
        if version is None:
            raise actions.Refused(400, A.SFMC_MALFORMED, "versionNumber is required")
        if not any(j.key == key and j.version == version for j in runner.loaded.scenario.journeys):
            raise actions.Refused(404, A.SFMC_NOT_FOUND, f"journey {key!r} has no version {version}")
        step = actions.build_versioned(runner, "publish", actions.publish_action(key, version))
        j = step.targets[0]
        status = runner.sim.runtime[j].status
        if status != "draft":
            raise actions.Refused(409, A.SFMC_CONFLICT, f"{runner.sim.journeys_c[j].label} is {status}, not a draft (S10)")
        over = runner.sim.publish_over_quota(j)
        if over is not None:
            raise actions.Refused(409, A.SFMC_CONFLICT, over)
        actions.commit(runner, step)
        status_id = str(uuid.uuid5(JOURNEY_NAMESPACE, f"publish:{key}@v{version}"))
        return A.answer(request, 200, {"statusId": status_id})
