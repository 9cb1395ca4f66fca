"""Regenerates tests/bad_scenarios/*.yaml and expected.tsv: a small valid scenario with one defect each.

Run: python tests/bad_scenarios/generate.py
"""
from pathlib import Path

BASE = """name: bad-{n}
seed: 1
platform: ajo
duration: 2d
population:
  size: 1000
  attributes:
    country: {{choice: {{FR: 0.5, US: 0.5}}}}
    age: {{uniform: [18, 80]}}
journeys:
  - key: cart
    start: entry
    nodes:
      entry:  {{type: event, arrivals: {{rate: 1/s}}, next: wait_1}}
      wait_1: {{type: wait, duration: {{fixed: 1h}}, next: is_fr}}
      is_fr:
        type: condition
        branches:
          - {{when: "country == 'FR'", next: push}}
          - {{otherwise: email}}
      push:   {{type: action, channel: push, next: done}}
      email:  {{type: action, channel: email, next: done}}
      done:   {{type: end}}
timeline:
  - at: 1d
    pause: {{journeys: [cart], mode: hold}}
  - at: 1d 6h
    resume: {{journeys: [cart]}}
"""

# (file stem, what is broken, replacements [(old, new)], expected key path, expected message part)
CASES = [
    ("top-level-typo", "a top-level key misspelt", [("seed: 1", "sed: 1")], "sed", "unknown key 'sed' (did you mean 'seed'?)"),
    ("node-key-typo", "a node key misspelt", [("{type: wait, duration:", "{type: wait, duraton:")], "journeys[0].nodes.wait_1.duraton", "unknown key 'duraton'"),
    ("seed-wrong-type", "seed is text", [("seed: 1", "seed: one")], "seed", "valid integer"),
    ("duration-is-a-list", "the scenario duration is a list", [("duration: 2d", "duration: [2d]")], "duration", "expected a duration"),
    ("unknown-node-type", "an unknown node type", [("type: end", "type: finish")], "journeys[0].nodes.done.type", "unknown node type 'finish'"),
    ("unknown-distribution", "a misspelt distribution", [("{fixed: 1h}", "{unifrom: [1h, 2h]}")], "journeys[0].nodes.wait_1.duration", "unknown distribution 'unifrom'"),
    ("bad-duration-text", "a duration that is not one", [("{fixed: 1h}", "{fixed: 1 hour}")], "journeys[0].nodes.wait_1.duration", "cannot read duration '1 hour'"),
    ("bad-rate-text", "a rate without a unit", [("rate: 1/s", "rate: fast")], "journeys[0].nodes.entry.arrivals.rate", "expected a positive rate"),
    ("dangling-next", "next names a node that does not exist", [("next: is_fr}", "next: is_french}")], "journeys[0].nodes.wait_1.next", "'is_french' is not a node"),
    ("dangling-branch", "a branch target that does not exist", [("{otherwise: email}", "{otherwise: mail}")], "journeys[0].nodes.is_fr.branches[1].otherwise", "'mail' is not a node"),
    ("missing-start", "start names no node", [("start: entry", "start: begin")], "journeys[0].start", "start node 'begin' is not among the nodes"),
    ("start-not-entry", "the start node is a wait", [("start: entry", "start: wait_1")], "journeys[0].start", "the start node must be an entry"),
    ("cycle-without-wait", "push and email loop with no wait", [("push, next: done}", "push, next: email}"), ("email, next: done}", "email, next: push}")], "journeys[0].nodes.push", "cycle without a wait"),
    ("expression-syntax", "a condition that does not parse", [("\"country == 'FR'\"", "\"country == == 'FR'\"")], "journeys[0].nodes.is_fr.branches[0].when", "syntax error"),
    ("expression-unknown-attribute", "an expression naming an unknown attribute", [("\"country == 'FR'\"", "\"contry == 'FR'\"")], "journeys[0].nodes.is_fr.branches[0].when", "unknown attribute 'contry'"),
    ("expression-call", "an expression that tries to run code", [("\"country == 'FR'\"", "\"__import__('os').system('id') == 0\"")], "journeys[0].nodes.is_fr.branches[0].when", "is not allowed"),
    ("expression-attribute-access", "an expression with attribute access", [("\"country == 'FR'\"", "\"country.lower() == 'fr'\"")], "journeys[0].nodes.is_fr.branches[0].when", "is not allowed"),
    ("expression-too-deep", "an expression nested too deeply", [("\"country == 'FR'\"", "\"" + "not " * 40 + "(country == 'FR')\"")], "journeys[0].nodes.is_fr.branches[0].when", "nested too deeply"),
    ("missing-population-file", "a population file that is not there", [("  size: 1000\n  attributes:\n    country: {choice: {FR: 0.5, US: 0.5}}\n    age: {uniform: [18, 80]}\n", "  file: nobody.csv\n")], "population.file", "cannot read population file"),
    ("population-size-and-file", "both size and file", [("  size: 1000\n", "  size: 1000\n  file: people.csv\n")], "population", "exactly one of 'size' or 'file'"),
    ("duplicate-key", "a node written twice", [("      done:   {type: end}\n", "      done:   {type: end}\n      done:   {type: end}\n")], "", "duplicate key 'done'"),
    ("top-level-list", "a list instead of a mapping", None, "", "a scenario is a mapping"),
    ("yaml-syntax", "broken indentation", [("    start: entry", "   start: entry")], "", "YAML"),
    ("tab-indentation", "a tab in the indentation", [("    start: entry", "\tstart: entry")], "", "YAML"),
    ("pause-twice", "pausing a journey that is already paused", [("  - at: 1d 6h\n    resume:", "  - at: 1d 6h\n    pause: {journeys: [cart], mode: hold}\n  - at: 1d 7h\n    resume:")], "timeline[1].pause", "it is paused"),
    ("resume-live", "resuming a journey that is live", [("    pause: {journeys: [cart], mode: hold}\n", "    resume: {journeys: [cart]}\n")], "timeline[0].resume", "it is live"),
    ("filter-outside-pause", "a global filter on a live journey", [("  - at: 1d\n", "  - at: 12h\n    global_filter: {journey: cart, exclude: \"age < 20\"}\n  - at: 1d\n")], "timeline[0].global_filter", "only be set while it is paused"),
    ("action-after-duration", "a timeline action after the end", [("  - at: 1d 6h", "  - at: 3d")], "timeline[1].at", "after the scenario's duration"),
    ("two-actions-in-one-item", "a timeline item with two actions", [("    resume: {journeys: [cart]}", "    resume: {journeys: [cart]}\n    stop: {journey: cart}")], "timeline[1]", "exactly one of pause, resume"),
    ("sfmc-no-version", "an SFMC pause with neither versionNumber nor allVersions", [("platform: ajo", "platform: sfmc"), ("    pause: {journeys: [cart], mode: hold}", "    pause: {journey: cart, body: {PausedDays: 2}}"), ("    resume: {journeys: [cart]}", "    resume: {journey: cart, versionNumber: 1}")], "timeline[0].pause", "errorcode 10005"),
    ("sfmc-unknown-body-field", "an SFMC body field that does not exist", [("platform: ajo", "platform: sfmc"), ("    pause: {journeys: [cart], mode: hold}", "    pause: {journey: cart, versionNumber: 1, body: {PauseDays: 2}}"), ("    resume: {journeys: [cart]}", "    resume: {journey: cart, versionNumber: 1}")], "timeline[0].pause.body.PauseDays", "unknown field 'PauseDays'"),
    ("sfmc-paused-days-range", "PausedDays out of 1..14", [("platform: ajo", "platform: sfmc"), ("    pause: {journeys: [cart], mode: hold}", "    pause: {journey: cart, versionNumber: 1, body: {PausedDays: 30}}"), ("    resume: {journeys: [cart]}", "    resume: {journey: cart, versionNumber: 1}")], "timeline[0].pause.body.PausedDays", "from 1 to 14"),
    ("split-weights", "random_split weights that do not sum to 1", [("type: condition\n        branches:\n          - {when: \"country == 'FR'\", next: push}\n          - {otherwise: email}", "type: random_split\n        branches:\n          - {weight: 0.5, next: push}\n          - {weight: 0.2, next: email}")], "journeys[0].nodes.is_fr", "weights must sum to 1"),
    ("condition-without-otherwise", "a condition with no otherwise", [("          - {otherwise: email}\n", "")], "journeys[0].nodes.is_fr", "ending with exactly one {otherwise: NODE}"),
    ("reaction-to-wait", "a reaction to a node that is not an action", [("      done:   {type: end}", "      opened: {type: reaction, to: wait_1, next: done}\n      done:   {type: end}")], "journeys[0].nodes.opened.to", "reacts to an action node"),
    ("jump-unknown-journey", "a jump into a journey that does not exist", [("      done:   {type: end}", "      go:     {type: jump, to: upsell}\n      done:   {type: end}")], "journeys[0].nodes.go.to", "no journey with key 'upsell'"),
    ("update-unknown-attribute", "update_profile of an attribute the population lacks", [("      done:   {type: end}", "      mark:   {type: update_profile, set: {vip: true}, next: done}\n      done:   {type: end}")], "journeys[0].nodes.mark.set.vip", "unknown attribute 'vip'"),
    ("probability-out-of-range", "a choice whose probabilities do not sum to 1", [("{FR: 0.5, US: 0.5}", "{FR: 0.5, US: 0.6}")], "population.attributes.country", "must sum to 1"),
    ("platform-unknown", "a platform without a preset", [("platform: ajo", "platform: braze-ish")], "platform", "Input should be"),
    ("population-too-large", "more profiles than this machine can hold", [("  size: 1000\n", "  size: 90000000000\n")], "population.size", "GiB"),
]

HERE = Path(__file__).parent
lines = []
for stem, why, repl, path, message in CASES:
    text = BASE.format(n=stem)
    if repl is None:
        text = "- name: a list\n- seed: 1\n"
    else:
        for old, new in repl:
            assert old in text, (stem, old)
            text = text.replace(old, new, 1)
    (HERE / f"{stem}.yaml").write_text(f"# broken: {why}\n" + text)
    lines.append(f"{stem}\t{path}\t{message}")
(HERE / "expected.tsv").write_text("# file\tkey path in the error\ta part of the message\n" + "\n".join(lines) + "\n")
(HERE / "empty.yaml").write_text("")
(HERE / "comments-only.yaml").write_text("# nothing but a comment\n")
(HERE / "binary-garbage.yaml").write_bytes(bytes(range(256)) * 4)
(HERE / "expected.tsv").write_text((HERE / "expected.tsv").read_text() + "empty\t\tempty scenario file\ncomments-only\t\tempty scenario file\nbinary-garbage\t\tnot a UTF-8 text file\n")
