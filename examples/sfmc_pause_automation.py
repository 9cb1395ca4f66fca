"""Pause an SFMC journey for an incident, then resume it: plain `requests`, SFMC's REST calls.

Point --auth-url at Marketing Cloud's auth host in production, or at `journeysim serve` to see
first what the script does to the people in the journey (see docs/server.md):

    journeysim serve scenarios/sfmc-extended-waits-queued.yaml --out out/sandbox --speed 0 &
    python examples/sfmc_pause_automation.py --auth-url http://127.0.0.1:8787 --sandbox-wait 12h

Credentials come from JOURNEYSIM_SFMC_CLIENT_ID / JOURNEYSIM_SFMC_CLIENT_SECRET (or SFMC_CLIENT_ID /
SFMC_CLIENT_SECRET).
"""

from __future__ import annotations

import argparse
import os
import sys

import requests


def token(auth_url: str) -> tuple[str, str]:
    """A bearer token and the REST base URL the token answer names."""
    answer = requests.post(f"{auth_url.rstrip('/')}/v2/token", timeout=30, json={
        "grant_type": "client_credentials",
        "client_id": os.environ.get("JOURNEYSIM_SFMC_CLIENT_ID") or os.environ["SFMC_CLIENT_ID"],
        "client_secret": os.environ.get("JOURNEYSIM_SFMC_CLIENT_SECRET") or os.environ["SFMC_CLIENT_SECRET"]})
    answer.raise_for_status()
    body = answer.json()
    return body["access_token"], body["rest_instance_url"].rstrip("/")


def call(method: str, url: str, bearer: str, **kw) -> dict:
    answer = requests.request(method, url, headers={"Authorization": f"Bearer {bearer}"}, timeout=60, **kw)
    body = answer.json()
    if answer.status_code >= 400 or "errorcode" in body:  # SFMC answers some refusals in a 202 body
        sys.exit(f"{method} {url}: {answer.status_code} {body}")
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--auth-url", required=True)
    parser.add_argument("--key", default="welcome-series")
    parser.add_argument("--version", type=int, default=2)
    parser.add_argument("--paused-days", type=int, default=3)
    parser.add_argument("--sandbox-wait", metavar="DURATION", help="journeysim only: move its clock this far before resuming")
    args = parser.parse_args()

    bearer, rest = token(args.auth_url)
    journeys = f"{rest}/interaction/v1/interactions"
    call("POST", f"{journeys}/pause/key:{args.key}?versionNumber={args.version}", bearer, json={
        "ExtendWaitEndDates": True, "PausedDays": args.paused_days, "GuardrailAction": "Resume",
        "RetainContactInjectionWhileJourneyPaused": True})
    print("paused:", call("GET", f"{journeys}/key:{args.key}?versionNumber={args.version}", bearer)["status"])
    if args.sandbox_wait:
        requests.post(f"{rest}/sim/advance", json={"by": args.sandbox_wait}, timeout=600).raise_for_status()
    journey = call("GET", f"{journeys}/key:{args.key}?versionNumber={args.version}", bearer)
    print(f"before the resume: {journey['healthStats']['currentlyInCount']:,} contacts in the journey")
    call("POST", f"{journeys}/resume/key:{args.key}?versionNumber={args.version}", bearer)
    print("resumed:", call("GET", f"{journeys}/key:{args.key}?versionNumber={args.version}", bearer)["status"])


if __name__ == "__main__":
    main()
