"""The conservation check (every run): each profile that arrived is in exactly one place, and the
counters agree with the rows. A finished run passes; a run whose rows or counters were tampered with
afterwards is caught, named by its journey."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import journeysim
from journeysim.engine import store as S
from journeysim.engine.simulation import Simulation
from journeysim.outputs.summary import conservation

ROOT = Path(__file__).resolve().parent.parent
ONE_JOURNEY = ROOT / "scenarios" / "bench-10m.yaml"
TWO_JOURNEYS = ROOT / "tests" / "spec_examples" / "org-cap-two-journeys.yaml"


def finished(path: Path, size: int) -> Simulation:
    sim = Simulation(journeysim.load(path, overrides={"population.size": size}), record_events=False, progress=False)
    sim.run()
    return sim


def rows(sim: Simulation, journey: int, state: int) -> np.ndarray:
    found = sim.store.rows_of(journey, (state,))
    assert found.size >= 2, "the scenario must leave rows in this state"
    return found


@pytest.fixture(params=[ONE_JOURNEY, TWO_JOURNEYS], ids=["one journey", "two journeys"])
def sim(request) -> Simulation:
    return finished(request.param, 20_000)


def label(sim: Simulation, journey: int) -> str:
    return sim.journeys_c[journey].label


def test_a_finished_run_is_conserved(sim):
    verdict = conservation(sim)
    assert verdict["ok"], verdict["problems"]
    for j in range(len(sim.recorder.journeys)):
        expected = int(np.count_nonzero(S.state_table(S.IN_JOURNEY)[sim.store.state[:sim.store.size]]
                                        & (sim.store.journey[:sim.store.size] == j)))
        assert verdict["per_journey"][label(sim, j)]["in_journey_at_end"] == expected


def test_a_finished_row_put_back_in_the_journey_is_caught(sim):
    done = rows(sim, 0, S.DONE)
    sim.store.state[done[0]] = S.ACTIVE
    verdict = conservation(sim)
    assert verdict["problems"] == [f"{label(sim, 0)}: exit/discard counters disagree with the rows",
                                   f"{label(sim, 0)}: arrived {sim.recorder.journeys[0].arrived} != "
                                   f"exited+discarded+in journey+queued {sim.recorder.journeys[0].arrived + 1}"]


def test_a_held_counter_that_disagrees_with_the_rows_is_caught(sim):
    journey = len(sim.recorder.journeys) - 1
    sim.recorder.journeys[journey].held_now += 1
    assert conservation(sim)["problems"] == [f"{label(sim, journey)}: held count "
                                             f"{sim.recorder.journeys[journey].held_now} disagrees with the rows"]


def test_an_arrival_never_looked_at_is_caught_only_once_arrivals_are_done(sim):
    done = rows(sim, 0, S.DONE)
    reason = sim.store.reason[done[0]]
    sim.store.state[done[0]] = S.PENDING
    sim.recorder.journeys[0].reasons[reason] -= 1
    problems = conservation(sim)["problems"]
    assert f"{label(sim, 0)}: 1 arrivals were never looked at" in problems
    assert not any("never looked at" in p for p in conservation(sim, arrivals_done=False)["problems"])


def test_a_profile_in_two_places_is_caught():
    sim = finished(ROOT / "scenarios" / "quickstart.yaml", 200_000)  # one entry per profile (no re-entry, no read)
    live = np.flatnonzero(S.state_table(S.IN_JOURNEY)[sim.store.state[:sim.store.size]])
    assert live.size >= 2 and conservation(sim)["ok"]
    sim.store.profile[live[1]] = sim.store.profile[live[0]]
    assert conservation(sim)["problems"] == [f"{label(sim, 0)}: a profile is in two places at once"]
