"""Regenerates tests/bad_scenarios/*.yaml (and holes.csv): a small valid scenario with one defect each.

Run: python tests/bad_scenarios/generate.py
The message each file must get (key path and words) is in tests/test_bad_input.py, EXPECTED.
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

POPULATION = "  size: 1000\n  attributes:\n    country: {choice: {FR: 0.5, US: 0.5}}\n    age: {uniform: [18, 80]}\n"
NESTED = "[" * 100 + "]" * 100
BOMB = "[&a [x, x, x, x, x, x, x, x, x, x], " + ", ".join(f"&{b} [{', '.join([f'*{a}'] * 10)}]" for a, b in zip("abcdefgh", "bcdefghi")) + "]"

# (file stem, what is broken, replacements [(old, new)]); the message each must get is in EXPECTED.
CASES = [
    ("top-level-typo", "a top-level key misspelt", [("seed: 1", "sed: 1")]),
    ("node-key-typo", "a node key misspelt", [("{type: wait, duration:", "{type: wait, duraton:")]),
    ("seed-wrong-type", "seed is text", [("seed: 1", "seed: one")]),
    ("size-is-true", "the population size is YAML's true (pydantic would read 1)", [("size: 1000", "size: true")]),
    ("duration-is-a-list", "the scenario duration is a list", [("duration: 2d", "duration: [2d]")]),
    ("unknown-node-type", "an unknown node type", [("type: end", "type: finish")]),
    ("unknown-distribution", "a misspelt distribution", [("{fixed: 1h}", "{unifrom: [1h, 2h]}")]),
    ("bad-duration-text", "a duration that is not one", [("{fixed: 1h}", "{fixed: 1 hour}")]),
    ("bad-rate-text", "a rate without a unit", [("rate: 1/s", "rate: fast")]),
    ("dangling-next", "next names a node that does not exist", [("next: is_fr}", "next: is_french}")]),
    ("dangling-branch", "a branch target that does not exist", [("{otherwise: email}", "{otherwise: mail}")]),
    ("missing-start", "start names no node", [("start: entry", "start: begin")]),
    ("start-not-entry", "the start node is a wait", [("start: entry", "start: wait_1")]),
    ("cycle-without-wait", "push and email loop with no wait", [("push, next: done}", "push, next: email}"), ("email, next: done}", "email, next: push}")]),
    ("expression-syntax", "a condition that does not parse", [("\"country == 'FR'\"", "\"country == == 'FR'\"")]),
    ("expression-unknown-attribute", "an expression naming an unknown attribute", [("\"country == 'FR'\"", "\"contry == 'FR'\"")]),
    ("expression-call", "an expression that tries to run code", [("\"country == 'FR'\"", "\"__import__('os').system('id') == 0\"")]),
    ("expression-attribute-access", "an expression with attribute access", [("\"country == 'FR'\"", "\"country.lower() == 'fr'\"")]),
    ("expression-too-deep", "an expression nested too deeply", [("\"country == 'FR'\"", "\"" + "not " * 40 + "(country == 'FR')\"")]),
    ("missing-population-file", "a population file that is not there", [("  size: 1000\n  attributes:\n    country: {choice: {FR: 0.5, US: 0.5}}\n    age: {uniform: [18, 80]}\n", "  file: nobody.csv\n")]),
    ("population-size-and-file", "both size and file", [("  size: 1000\n", "  size: 1000\n  file: people.csv\n")]),
    ("duplicate-key", "a node written twice", [("      done:   {type: end}\n", "      done:   {type: end}\n      done:   {type: end}\n")]),
    ("top-level-list", "a list instead of a mapping", None),
    ("yaml-syntax", "broken indentation", [("    start: entry", "   start: entry")]),
    ("tab-indentation", "a tab in the indentation", [("    start: entry", "\tstart: entry")]),
    ("pause-twice", "pausing a journey that is already paused", [("  - at: 1d 6h\n    resume:", "  - at: 1d 6h\n    pause: {journeys: [cart], mode: hold}\n  - at: 1d 7h\n    resume:")]),
    ("resume-live", "resuming a journey that is live", [("    pause: {journeys: [cart], mode: hold}\n", "    resume: {journeys: [cart]}\n")]),
    ("filter-outside-pause", "a global filter on a live journey", [("  - at: 1d\n", "  - at: 12h\n    global_filter: {journey: cart, exclude: \"age < 20\"}\n  - at: 1d\n")]),
    ("action-after-duration", "a timeline action after the end", [("  - at: 1d 6h", "  - at: 3d")]),
    ("two-actions-in-one-item", "a timeline item with two actions", [("    resume: {journeys: [cart]}", "    resume: {journeys: [cart]}\n    stop: {journey: cart}")]),
    ("sfmc-no-version", "an SFMC pause with neither versionNumber nor allVersions", [("platform: ajo", "platform: sfmc"), ("    pause: {journeys: [cart], mode: hold}", "    pause: {journey: cart, body: {PausedDays: 2}}"), ("    resume: {journeys: [cart]}", "    resume: {journey: cart, versionNumber: 1}")]),
    ("sfmc-unknown-body-field", "an SFMC body field that does not exist", [("platform: ajo", "platform: sfmc"), ("    pause: {journeys: [cart], mode: hold}", "    pause: {journey: cart, versionNumber: 1, body: {PauseDays: 2}}"), ("    resume: {journeys: [cart]}", "    resume: {journey: cart, versionNumber: 1}")]),
    ("sfmc-paused-days-range", "PausedDays out of 1..14", [("platform: ajo", "platform: sfmc"), ("    pause: {journeys: [cart], mode: hold}", "    pause: {journey: cart, versionNumber: 1, body: {PausedDays: 30}}"), ("    resume: {journeys: [cart]}", "    resume: {journey: cart, versionNumber: 1}")]),
    ("split-weights", "random_split weights that do not sum to 1", [("type: condition\n        branches:\n          - {when: \"country == 'FR'\", next: push}\n          - {otherwise: email}", "type: random_split\n        branches:\n          - {weight: 0.5, next: push}\n          - {weight: 0.2, next: email}")]),
    ("condition-without-otherwise", "a condition with no otherwise", [("          - {otherwise: email}\n", "")]),
    ("reaction-to-wait", "a reaction to a node that is not an action", [("      done:   {type: end}", "      opened: {type: reaction, to: wait_1, next: done}\n      done:   {type: end}")]),
    ("jump-unknown-journey", "a jump into a journey that does not exist", [("      done:   {type: end}", "      go:     {type: jump, to: upsell}\n      done:   {type: end}")]),
    ("update-unknown-attribute", "update_profile of an attribute the population lacks", [("      done:   {type: end}", "      mark:   {type: update_profile, set: {vip: true}, next: done}\n      done:   {type: end}")]),
    ("probability-out-of-range", "a choice whose probabilities do not sum to 1", [("{FR: 0.5, US: 0.5}", "{FR: 0.5, US: 0.6}")]),
    ("ajo-pause-with-body", "an AJO pause given an SFMC request body SFMC itself refuses (a body is translated, V9)", [("    pause: {journeys: [cart], mode: hold}", "    pause: {journeys: [cart], body: {PausedDays: 2, Extend: true}}")]),
    ("platform-unknown", "a platform without a preset", [("platform: ajo", "platform: braze-ish")]),
    ("population-too-large", "more profiles than this machine can hold", [("  size: 1000\n", "  size: 90000000000\n")]),
    ("population-missing-value", "a population file with an empty cell (holes.csv, data row 2)", [(POPULATION, "  file: holes.csv\n")]),
    ("duration-too-long", "a duration of four centuries", [("duration: 2d", "duration: 20000w")]),
    ("too-many-samples", "a month sampled every second", [("duration: 2d", "duration: 30d\nreport_every: 1s")]),
    ("too-many-series-counts", "ten days sampled every second, over sixteen nodes", [("duration: 2d", "duration: 10d\nreport_every: 1s"),
     ("next: is_fr}", "next: w0}"), ("      is_fr:\n", "".join(f"      w{i}: {{type: wait, duration: {{fixed: 1m}}, next: w{i + 1 if i < 9 else 'x'}}}\n" for i in range(10)).replace("next: wx", "next: is_fr") + "      is_fr:\n")]),
    ("resolution-too-fine", "a nanosecond resolution", [("duration: 2d", "duration: 2d\nresolution: 0.000000001")]),
    ("cycle-through-until-wait", "a loop whose only wait is an 'until' wait (no time once its moment has passed)", [("push, next: done}", "push, next: again}\n      again:  {type: wait, until: 12h, next: push}")]),
    ("cycle-through-zero-wait", "a loop whose only wait can last 0s", [("push, next: done}", "push, next: again}\n      again:  {type: wait, duration: {exponential: {mean: 1h}}, next: push}")]),
    ("expression-text-vs-number", "text ordered against a number", [("\"country == 'FR'\"", "\"country > 30\"")]),
    ("expression-text-arithmetic", "arithmetic on text", [("\"country == 'FR'\"", "\"country * 2 == 'FRFR'\"")]),
    ("yes-as-node-name", "a next that YAML reads as a boolean", [("email, next: done}", "email, next: yes}")]),
    ("key-in-wrong-place", "an end node with a next", [("{type: end}", "{type: end, next: email}")]),
    ("update-list-value", "update_profile setting a list", [("      done:   {type: end}", "      mark:   {type: update_profile, set: {age: [30]}, next: done}\n      done:   {type: end}")]),
    ("key-is-a-list", "a mapping key written as a list", [("    age: {uniform: [18, 80]}", "    [age, score]: {uniform: [18, 80]}")]),
    ("nested-too-deeply", "a description nested 100 lists deep", [("seed: 1", "seed: 1\ndescription: " + NESTED)]),
    ("alias-bomb", "aliases of aliases that expand to a billion values", [("seed: 1", "seed: 1\ndescription: " + BOMB)]),
    ("recursive-alias", "an alias inside its own anchor", [("seed: 1", "seed: 1\ndescription: &d [*d]")]),
    ("control-character", "a bell character (U+0007) in the name", [("name: bad-", "name: bad-\x07")]),
    ("integer-too-long", "a seed of 5,000 digits (past Python's 4,300-digit limit)", [("seed: 1", "seed: " + "9" * 5000)]),
    ("global-filter-key-typo", "journeys (a pause's key) in a global filter, which takes journey", [("  - at: 1d 6h", "  - at: 1d 1h\n    global_filter: {journeys: cart, exclude: \"age < 20\"}\n  - at: 1d 6h")]),
    ("choice-yaml-boolean", "Norway's code NO unquoted among country codes (YAML reads it as false)", [("{FR: 0.5, US: 0.5}", "{FR: 0.3, NO: 0.3, US: 0.4}")]),
    ("condition-when-all", "a condition branch written 'all' (an audience, not a condition)", [("{when: \"country == 'FR'\", next: push}", "{when: all, next: push}")]),
]

HERE = Path(__file__).parent
for stem, why, repl in CASES:
    text = BASE.format(n=stem)
    if repl is None:
        text = "- name: a list\n- seed: 1\n"
    else:
        for old, new in repl:
            assert old in text, (stem, old)
            text = text.replace(old, new, 1)
    (HERE / f"{stem}.yaml").write_text(f"# broken: {why}\n" + text)
(HERE / "holes.csv").write_text("country,age\nFR,30\n,41\nUS,52\n")
(HERE / "empty.yaml").write_text("")
(HERE / "comments-only.yaml").write_text("# nothing but a comment\n")
(HERE / "binary-garbage.yaml").write_bytes(bytes(range(256)) * 4)
