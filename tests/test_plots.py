"""Each plot returns an Axes with the expected lines or bars for a small known result."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from conftest import linear_journey, pause, resume, scenario  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402

from journeysim import plots  # noqa: E402


@pytest.fixture(scope="module")
def paused(tmp_path_factory):
    from conftest import Runner
    doc = scenario(timeline=[pause("300s"), resume("600s")], org={"held_cap": 5, "cap_check_every": "60s"})
    return Runner(tmp_path_factory.mktemp("plots"))(doc, events=False)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from conftest import Runner
    return Runner(tmp_path_factory.mktemp("plots"))(scenario(linear_journey()), events=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_states_draws_a_line_per_state_and_marks_the_pause(paused):
    ax = plots.plot_states(paused)
    labels = [line.get_label() for line in ax.get_lines()]
    assert "j: held" in labels and "j: waiting" in labels and "resume" in labels
    assert ax.get_xlabel() == "time since start (minutes)" and ax.get_title()


def test_plot_drain_draws_the_step_the_documented_rate_and_the_live_moment(paused):
    ax = plots.plot_drain(paused)
    drawn = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in drawn] == ["j, resumed 0.2 h: 6 held", "documented 5,000/s"]
    step = drawn[0]
    assert list(step.get_ydata()) == [6, 0]  # 6 held before the 360 s check found the cap of 5; released in 1 s


def test_plot_org_cap_marks_checks_and_those_over_the_cap(paused):
    ax = plots.plot_org_cap(paused)
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [s.get_label() for s in scatters] == ["cap check", "check at or over the cap"]
    over = paused.summary["org"]["cap_exceeded_checks"]
    assert len(scatters[1].get_offsets()) == over > 0
    assert any(line.get_label() == "cap 5" for line in ax.get_lines())


def test_plot_reasons_draws_one_bar_per_reason_that_happened(paused):
    ax = plots.plot_reasons(paused)
    s = paused.summary["journeys"]["j"]
    expected = sum(1 for v in {**s["exited"], **s["discarded"]}.values() if v)
    assert len(ax.patches) == expected == 3  # end, paused_entry, org_cap


def test_plot_send_delay_draws_a_cdf_per_pause(paused):
    ax = plots.plot_send_delay(paused)
    (line,) = ax.get_lines()
    assert line.get_ydata()[0] == 0 and line.get_ydata()[-1] == 100


def test_plot_status_draws_every_status_span(paused):
    ax = plots.plot_status(paused)
    spans = sum(len(c.get_paths()) for c in ax.collections)
    assert spans == 4  # live, paused, resuming, live
    assert [t.get_text() for t in ax.get_yticklabels()] == ["j"]


@pytest.mark.parametrize("name", list(plots.FIGURES))
def test_no_plot_fails_on_a_run_without_any_pause(live, name):
    ax = plots.FIGURES[name](live)
    assert ax.get_figure() is not None


def test_plots_draw_on_a_given_axes(paused):
    fig, axes = plt.subplots(2, 3)
    for ax, plot in zip(axes.flat, plots.FIGURES.values()):
        assert plot(paused, ax=ax) is ax
