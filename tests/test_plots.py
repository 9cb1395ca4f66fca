"""Each plot returns an Axes with the expected lines or bars for a small known result, and none
fails on a run without any pause. Behaviour IDs: R6 (release rate, measured drain), L2 (org cap checks).

The known result: 100 arrivals every 10 s, a 100 s wait, one action; paused at 300 s, resumed at
600 s, an org cap of 5 held profiles checked every 60 s.
"""

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from conftest import Runner, linear_journey, pause, resume, scenario  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import journeysim  # noqa: E402
from journeysim import plots  # noqa: E402


@pytest.fixture(scope="module")
def paused(tmp_path_factory):
    doc = scenario(timeline=[pause("300s"), resume("600s")], org={"held_cap": 5, "cap_check_every": "60s"})
    return Runner(tmp_path_factory.mktemp("plots"))(doc, events=False)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    return Runner(tmp_path_factory.mktemp("plots"))(scenario(linear_journey()), events=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def texts(ax) -> str:
    return " | ".join(t.get_text() for t in ax.texts)


def test_plot_states_draws_a_line_per_state_and_marks_the_pause_and_the_resume(paused):
    ax = plots.plot_states(paused)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["held", "waiting", "resume"]
    assert ax.get_xlabel() == "time since start (minutes)" and ax.get_ylabel() == "profiles"
    assert ax.get_title() == "Profiles by state over time"
    (resume_line,) = [line for line in ax.get_lines() if line.get_label() == "resume"]
    assert resume_line.get_xdata()[0] == 10  # 600 s
    assert "paused" in legend_texts(ax)


def test_plot_states_names_the_journey_when_there_are_several(simulate):
    result = simulate(scenario(linear_journey("a"), linear_journey("b")), events=False)
    labels = [line.get_label() for line in plots.plot_states(result).get_lines()]
    assert labels == ["a: waiting", "b: waiting"]


def test_plot_drain_draws_the_measured_drain_the_documented_rate_and_the_live_moment(paused):
    """R6: 6 held at the resume, 5,000/s at 1 s resolution: all released 1 s after it, then live."""
    pause_summary = paused.summary["journeys"]["j"]["pauses"][0]
    assert pause_summary["drain_curve"] == {"after_resume_s": [0, 1], "held": [6, 0]}
    ax = plots.plot_drain(paused)
    measured, documented = [line for line in ax.get_lines() if line.get_linestyle() in ("-", "--")]
    assert measured.get_label() == "j: 6 held, resumed +0d 00:10"
    assert list(measured.get_ydata()) == [6, 0] and list(measured.get_xdata()) == [0, 1]
    assert list(documented.get_xdata()) == [0, 6 / 5000] and list(documented.get_ydata()) == [6, 0]
    assert legend_texts(ax) == ["j: 6 held, resumed +0d 00:10", "documented rate 5,000/s", "back to live"]
    assert "live after 1s" in texts(ax)
    assert ax.get_xlabel() == "time after the resume (seconds)"


def test_plot_drain_shows_a_journey_waiting_for_an_org_wide_rate(simulate):
    """R6 with an org-wide rate: the second journey's held profiles wait until the first's are out."""
    doc = scenario(linear_journey("a", count=200, every="1s"), linear_journey("b", count=200, every="1s"),
                   timeline=[pause("150s", journeys=("a", "b")), resume("300s", journeys=("a", "b"))], size=500,
                   org={"resume_rate": "20/s", "resume_rate_scope": "org"})
    result = simulate(doc, events=False)
    a, b = (result.summary["journeys"][k]["pauses"][0] for k in "ab")
    assert a["held_at_resume"] == b["held_at_resume"] == 100  # arrivals 50 s to 149 s reach the action while paused
    assert a["drain_curve"] == {"after_resume_s": [0, 1, 2, 3, 4, 5], "held": [100, 80, 60, 40, 20, 0]}
    assert b["drain_curve"] == {"after_resume_s": list(range(11)), "held": [100] * 6 + [80, 60, 40, 20, 0]}
    assert (a["drain_s"], b["drain_s"]) == (5, 10)
    ax = plots.plot_drain(result)
    assert len([line for line in ax.get_lines() if line.get_linestyle() == "-"]) == 2
    assert "documented rate 20/s (org-wide)" in legend_texts(ax)


def test_plot_drain_without_a_release_rate_says_so(simulate):
    doc = scenario(timeline=[pause("300s"), resume("600s")], policy={"release_rate_limited": False})
    result = simulate(doc, events=False)
    assert result.summary["journeys"]["j"]["pauses"][0]["drain_curve"] == {"after_resume_s": [0, 0], "held": [10, 0]}
    ax = plots.plot_drain(result)
    assert not any(t.startswith("documented") for t in legend_texts(ax))
    assert "release not rate-limited" in texts(ax)


def test_plot_org_cap_marks_checks_those_over_the_cap_and_the_org_cap_discards(paused):
    """L2: checks every 60 s; those at or over the cap of 5 in red; the org_cap discard window shaded."""
    ax = plots.plot_org_cap(paused)
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [s.get_label() for s in scatters] == ["check at or over the cap"]  # 6 held from 360 s to the resume
    org = paused.summary["org"]
    assert len(scatters[0].get_offsets()) == org["cap_exceeded_checks"] == len(org["checks_with_held"]) == 5
    assert [line.get_label() for line in ax.get_lines()] == ["held, org-wide (sampled)", "cap 5"]
    discarded = paused.summary["journeys"]["j"]["discarded"]["org_cap"]
    assert f"j: {discarded:,} discarded (org_cap)" in legend_texts(ax)


def test_plot_org_cap_keeps_a_far_away_cap_off_the_scale(simulate):
    result = simulate(scenario(timeline=[pause("300s"), resume("600s")], org={"cap_check_every": "60s"}), events=False)
    ax = plots.plot_org_cap(result)
    (checks,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert checks.get_label() == "cap check (every 1 min)" and len(checks.get_offsets()) == 5  # 360 s to 600 s
    assert [line.get_label() for line in ax.get_lines()] == ["held, org-wide (sampled)"]
    assert "cap 10,000,000" in texts(ax) and "off the scale" in texts(ax)
    assert ax.get_ylim()[1] < 100


def test_plot_reasons_draws_one_bar_per_reason_that_happened(paused):
    ax = plots.plot_reasons(paused)
    s = paused.summary["journeys"]["j"]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["end", "paused_entry", "org_cap"]
    assert [int(b.get_height()) for b in bars] == [s["exited"]["end"], s["discarded"]["paused_entry"], s["discarded"]["org_cap"]]


def test_plot_send_delay_draws_a_cdf_per_pause(paused):
    ax = plots.plot_send_delay(paused)
    (line,) = ax.get_lines()
    pause_summary = paused.summary["journeys"]["j"]["pauses"][0]
    assert list(line.get_ydata()) == [5.0 * k for k in range(21)]
    assert line.get_xdata()[-1] == pause_summary["send_delay_s"]["max"] / 60  # minutes
    assert ax.get_xlabel().endswith("(minutes)")


def test_plot_send_delay_falls_back_to_the_percentiles_of_an_older_summary(paused):
    summary = json.loads(json.dumps(paused.summary))
    del summary["journeys"]["j"]["pauses"][0]["send_delay_quantiles_s"]
    (line,) = plots.plot_send_delay(journeysim.Result(summary, paused.timeseries)).get_lines()
    assert list(line.get_ydata()) == [50, 95, 100]


def test_plot_status_draws_every_status_span(paused):
    ax = plots.plot_status(paused)
    spans = sum(len(c.get_paths()) for c in ax.collections)
    assert spans == 5  # live, paused, resuming (1 s), live, finished (every arrival came and left)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["j"]
    assert legend_texts(ax) == ["live", "paused", "resuming", "finished"]


def test_plot_status_shows_a_journey_that_finished(live):
    assert live.summary["journeys"]["j"]["status_at_end"] == "finished"
    ax = plots.plot_status(live)
    assert legend_texts(ax) == ["live", "finished"]


@pytest.mark.parametrize("name", list(plots.FIGURES))
def test_no_plot_fails_on_a_run_without_any_pause(live, name):
    ax = plots.FIGURES[name](live)
    assert ax.get_figure() is not None and (ax.get_title() or ax.get_title(loc="left"))
    if name in ("drain", "send_delay"):
        assert texts(ax) == "no pause in this run"


@pytest.mark.parametrize("name", list(plots.FIGURES))
def test_every_plot_works_from_saved_outputs_alone(paused, tmp_path, name):
    """What `journeysim report DIR` has: summary.json and timeseries.parquet, nothing in memory."""
    (tmp_path / "s.json").write_text(json.dumps(paused.summary))
    paused.timeseries.to_parquet(tmp_path / "t.parquet")
    saved = journeysim.Result(json.loads((tmp_path / "s.json").read_text()), pd.read_parquet(tmp_path / "t.parquet"))
    assert plots.FIGURES[name](saved).get_title(loc="center") or name == "status"


def test_plots_draw_on_a_given_axes_and_never_show(paused, monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("a plot called plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    fig, axes = plt.subplots(2, 3, figsize=(18, 8), layout="constrained")
    for ax, plot in zip(axes.flat, plots.FIGURES.values()):
        assert plot(paused, ax=ax) is ax
    assert len(fig.axes) == 6


def test_time_axes_are_in_hours_or_days_for_long_runs():
    assert plots.time_unit(90 * 60) == (60.0, "minutes")
    assert plots.time_unit(2 * 86400) == (3600.0, "hours")
    assert plots.time_unit(30 * 86400) == (86400.0, "days")
    assert plots.short_time_unit(6) == (1.0, "seconds")
