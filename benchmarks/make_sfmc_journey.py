"""Write a large synthetic Journey Builder definition: 100+ activities, nested decisions of up to 8 outcomes.

Shaped like the big real exports (one has 104 activities and 21 decisions): an entry event, sends,
waits of every kind, multi-criteria decisions nested breadth-first, random splits, engagement
splits, updates, custom activities, goals and exits, and the fields the simulation does not read
(metaData, stats, healthStats, notifiers, defaults). Deterministic: the same arguments write the
same file.

    python benchmarks/make_sfmc_journey.py                      # benchmarks/sfmc-large-journey.json
    python benchmarks/make_sfmc_journey.py --activities 300 --out /tmp/big.json
"""

from __future__ import annotations

import argparse
import json
import random
from collections import deque
from pathlib import Path

HERE = Path(__file__).resolve().parent
DE = "Event.DEAudience-3f9a1c2e-large"
SENDS = ["EMAILV2", "SMSSYNC", "MOBILEPUSH", "INAPPMESSAGE", "WHATSAPPACTIVITY"]


def condition(key: str, operator: str, *values: str) -> str:
    body = "".join(f"<Value><![CDATA[{v}]]></Value>" for v in values) or "<Value><![CDATA[]]></Value>"
    return f'<Condition Key="{key}" Operator="{operator}" IsEphemeralAttribute="true" UiMetaData="{{}}">{body}</Condition>'


def condition_set(operator: str, *children: str) -> str:
    return f'<ConditionSet Operator="{operator}" ConditionSetName="Individual Filter Grouping">{"".join(children)}</ConditionSet>'


def criterion(rng: random.Random, outcome: int) -> str:
    countries = ["FR", "US", "DE", "ES", "IT", "GB", "NL", "BE"]
    tiers = ["gold", "silver", "bronze"]
    simple = [condition(f"{DE}.Country", "Equal", countries[outcome % len(countries)]),
              condition(f"{DE}.Age", "GreaterThan", str(20 + 5 * outcome)),
              condition("Contact.Attribute.Loyalty.Tier", "Equal", tiers[outcome % 3]),
              condition(f"{DE}.Email", "Contains", ["gmail", "yahoo", "outlook"][outcome % 3]),
              condition("Contact.Attribute.Scores.Engagement", "Between", str(10 * outcome), str(10 * outcome + 15)),
              condition(f"{DE}.Phone", "IsNotNull")]
    picked = rng.sample(simple, 3)
    inner = condition_set("OR", picked[1], picked[2])
    return "<FilterDefinition>" + condition_set("AND", picked[0], inner) + "</FilterDefinition>"


def build(activities_wanted: int, seed: int) -> dict:
    rng = random.Random(seed)
    activities: list[dict] = []
    counter = {"n": 0}

    def add(kind: str, name: str, config: dict | None = None, outcomes: int = 1, **extra) -> dict:
        counter["n"] += 1
        key = f"{kind}-{counter['n']}"
        item = {"id": f"00000000-0000-4000-8000-{counter['n']:012d}", "key": key, "name": name, "description": "",
                "type": kind, "outcomes": [{"key": f"{key}-out-{o}", "arguments": {}, "metaData": {"invalid": False}}
                                           for o in range(outcomes)],
                "arguments": {}, "configurationArguments": config or {}, "metaData": {"isConfigured": True},
                "schema": {"arguments": {"endDate": {"dataType": "Date", "isNullable": False, "direction": "Out"}}}}
        item.update(extra)
        activities.append(item)
        return item

    def link(item: dict, outcome: int, target: dict) -> None:
        item["outcomes"][outcome]["next"] = target["key"]

    def segment(send_kind: str) -> tuple[dict, dict]:
        """A send then a wait; returns (first, last)."""
        send = add(send_kind, f"{send_kind.lower()} message", {"triggeredSend": {"emailId": rng.randint(1000, 9999)}})
        unit, amount = rng.choice([("HOURS", 6), ("DAYS", 1), ("DAYS", 2), ("MINUTES", 45), ("WEEKS", 1)])
        config = {"waitDuration": amount, "waitUnit": unit}
        if rng.random() < 0.2:
            config |= {"specifiedTime": "09:00", "timeZone": "Central European Standard Time"}
        wait = add("WAIT", f"wait {amount} {unit.lower()}", config, metaData={"uiType": "WAITBYDURATION"})
        link(send, 0, wait)
        return send, wait

    first, last = segment("EMAILV2")
    open_ends: deque[tuple[dict, int, int]] = deque([(last, 0, 0)])  # (activity, outcome, depth)
    decisions, width = 0, [8, 2, 3, 2, 4, 2, 3]
    while open_ends and len(activities) < activities_wanted:
        parent, outcome, depth = open_ends.popleft()
        if decisions < 21:
            k = width[decisions % len(width)]
            decisions += 1
            keys = [f"path_{o}" for o in range(k - 1)] + ["remainder_path"]
            split = add("MULTICRITERIADECISION", f"decision {decisions}",
                        {"criteria": {keys[o]: criterion(rng, o) for o in range(k - 1)}, "schemaVersionId": 252}, outcomes=k)
            for o, key in enumerate(keys):
                split["outcomes"][o]["key"] = key
            link(parent, outcome, split)
            for o in range(k):
                kind = SENDS[(decisions + o) % len(SENDS)]
                head, tail = segment(kind) if o == 0 else (add(kind, f"{kind.lower()} message"),) * 2
                link(split, o, head)
                open_ends.append((tail, 0, depth + 1))
        else:
            kind = rng.choice(["RANDOMSPLIT", "ENGAGEMENTDECISION", "UPDATECONTACTDATA", "REST", "STOWAIT"])
            if kind == "RANDOMSPLIT":
                step = add(kind, "random split", outcomes=2)
                step["outcomes"][0]["arguments"] = {"percentage": 80}
                step["outcomes"][1]["arguments"] = {"percentage": 20}
            elif kind == "ENGAGEMENTDECISION":
                sends = [a["key"] for a in activities if a["type"] == "EMAILV2"]
                step = add(kind, "opened?", {"refActivityCustomerKey": rng.choice(sends), "statsTypeId": 2, "statusUrlId": "0"}, outcomes=2)
                step["outcomes"][0]["arguments"] = {"when": True}
                step["outcomes"][1]["arguments"] = {"when": False}
            elif kind == "STOWAIT":
                step = add(kind, "send-time optimisation", {"params": {"slidingWindowHours": 24}})
            else:
                step = add(kind, kind.lower(), {"url": "https://example.invalid/hook"} if kind == "REST" else {"field": "Engaged"})
            link(parent, outcome, step)
            for o in range(len(step["outcomes"])):
                open_ends.append((step, o, depth + 1))
    unsubscribed = condition("Contact.Attribute.Prefs.Unsubscribed", "Equal", "true")
    purchased = condition("Contact.Attribute.Orders.Count", "GreaterThanOrEqual", "1")
    exit_xml = "<FilterDefinition>" + condition_set("AND", unsubscribed) + "</FilterDefinition>"
    goal_xml = "<FilterDefinition>" + condition_set("AND", purchased) + "</FilterDefinition>"
    return {
        "id": "3f9a1c2e-0000-4000-8000-000000000000", "key": "large-synthetic-journey", "name": "Large synthetic journey",
        "lastPublishedDate": "2026-11-01T00:00:00", "description": "Synthetic benchmark journey", "version": 7,
        "workflowApiVersion": 1.0, "createdDate": "2026-01-05T08:00:00", "modifiedDate": "2026-11-01T09:00:00",
        "activities": activities,
        "triggers": [{"key": "TRIGGER", "name": "Entry", "type": "APIEvent", "outcomes": [], "arguments": {},
                      "configurationArguments": {}, "metaData": {"eventDefinitionKey": "APIEvent-large"}}],
        "goals": [{"key": "goal", "name": "Purchased", "type": "ContactDecision", "configurationArguments": {"criteria": goal_xml},
                   "metaData": {"isExitCriteria": True, "conversionUnit": "percentage", "conversionValue": "20"}}],
        "exits": [{"key": "exit", "name": "Unsubscribed", "type": "ContactDecision", "configurationArguments": {"criteria": exit_xml}}],
        "notifiers": [], "stats": {"currentPopulation": 0, "cumulativePopulation": 0}, "healthStats": {"currentlyInCount": 0},
        "simulation": {}, "entryMode": "MultipleEntries", "definitionType": "Multistep", "defaults": {"email": []},
        "metaData": {"dataSource": "ContactsModel"}, "executionMode": "Production", "status": "Published",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activities", type=int, default=120, help="about how many activities (default 120)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "sfmc-large-journey.json")
    args = parser.parse_args()
    journey = build(args.activities, args.seed)
    args.out.write_text(json.dumps(journey, indent=1) + "\n")
    decisions = [a for a in journey["activities"] if a["type"] == "MULTICRITERIADECISION"]
    print(f"wrote {args.out}: {len(journey['activities'])} activities, {len(decisions)} decisions "
          f"(up to {max(len(d['outcomes']) for d in decisions)} outcomes)")


if __name__ == "__main__":
    main()
