"""report.html: written by `journeysim run`, rebuilt by `journeysim report`, opened in a real browser.

Behaviour IDs in the verdicts: R6 (release rate), L2 (org cap), P1 (discard mode).
The figures are inline SVG (issue 15: cheaper to draw than PNGs, sharp at any zoom, one file to share).
"""

import html
import json
import re
import shutil
import subprocess

import matplotlib.image as mpimg
import pytest
from click.testing import CliRunner
from conftest import ROOT, linear_journey, scenario

from journeysim.cli import main
from journeysim.outputs.report import between, verdicts
from journeysim.outputs.verdict import glance

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHECK_IMAGES = """<script>
window.addEventListener('load', () => {
  const figures = [...document.querySelectorAll('figure svg')];
  const broken = figures.filter(f => { const box = f.getBoundingClientRect(); return !(box.width > 400 && box.height > 100)
                                       || f.querySelectorAll('text').length < 3; }).map(f => f.parentNode.id);
  document.body.setAttribute('data-images', figures.length);
  document.body.setAttribute('data-broken', broken.join(',') || 'none');
});
</script>"""
TITLES = ["Profiles by state over time", "Resume drain: held profiles still to release", "Org held-profile count against the cap",
          "Exits (green) and discards (red) by reason", "Send delay caused by the pause", "Journey status"]


@pytest.fixture(scope="module")
def quickstart_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "quickstart"
    result = CliRunner().invoke(main, ["run", str(ROOT / "scenarios" / "quickstart.yaml"), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def inline_figures(page: str) -> list[str]:
    """Each figure of the page: its inline <svg> element."""
    return re.findall(r"<figure id=\"fig-[a-z_]+\">\s*(<svg\b.*?</svg>)", page, re.DOTALL)


def test_the_report_has_every_figure_the_verdict_and_no_external_resource(quickstart_report):
    page = (quickstart_report / "report.html").read_text()
    figures = inline_figures(page)
    assert len(figures) == 6
    for svg, title in zip(figures, TITLES):
        # titled for screen readers, sized in points, the title and axis labels kept as text, lines drawn
        assert f'aria-label="{html.escape(title)}"' in svg and re.search(r'viewBox="0 0 [4-9]\d\d(\.\d+)? [1-9]\d\d', svg)
        assert f">{html.escape(title)}</text>" in svg and svg.count("<path") > 5
    assert "time since start (days)" in page and "time after the resume (seconds)" in page
    assert [p.name for p in quickstart_report.iterdir() if p.suffix in (".png", ".svg")] == []  # one self-contained page
    summary = json.loads((quickstart_report / "summary.json").read_text())
    assert f"<h1>{summary['scenario']}</h1>" in page and html.escape(summary["description"]) in page
    assert "seed 42" in page and "platform ajo" in page
    assert re.search(r"<li>cart-abandon: paused \+1d 00:00 in hold mode for 1d; [\d,]+ profiles held; "
                     r"resumed by hand \+2d 00:00; released in 1s at 5,000/s; held sends went out", page)
    assert "<h3>Pauses</h3>" in page and "held at resume" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_report_rebuilds_the_same_page_from_saved_outputs(quickstart_report, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(quickstart_report, copy)
    (copy / "report.html").unlink()
    result = CliRunner().invoke(main, ["report", str(copy)])
    assert result.exit_code == 0, result.output
    assert (copy / "report.html").read_bytes() == (quickstart_report / "report.html").read_bytes()  # figures included


def chromium(*args: str, profile) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--allow-file-access-from-files",
         f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/ensure-chromium.sh installs Debian's chromium when it can)")
def test_the_report_opens_in_a_headless_browser_without_a_broken_image(quickstart_report, tmp_path):
    probe = quickstart_report / "report-probe.html"
    probe.write_text((quickstart_report / "report.html").read_text().replace("</body>", CHECK_IMAGES + "</body>"))
    try:
        dom = chromium("--virtual-time-budget=5000", "--dump-dom", probe.as_uri(), profile=tmp_path / "profile").stdout
    finally:
        probe.unlink()
    assert 'data-images="6"' in dom, dom[:500]
    assert 'data-broken="none"' in dom


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/ensure-chromium.sh installs Debian's chromium when it can)")
def test_a_headless_browser_screenshot_of_the_report_is_not_blank(quickstart_report, tmp_path):
    shot = tmp_path / "shot.png"
    chromium("--window-size=1100,2400", "--hide-scrollbars", f"--screenshot={shot}", (quickstart_report / "report.html").as_uri(),
             profile=tmp_path / "profile")
    image = mpimg.imread(shot)
    assert image.shape[:2] == (2400, 1100)
    # text, tables and figures: far from a blank page, and the figures' colours are there (the held-line red)
    assert image.std() > 0.1
    red = (image[..., 0] > 0.8) & (image[..., 1] < 0.5) & (image[..., 2] < 0.4)
    assert red.sum() > 200


def test_verdicts_speak_plainly_about_pauses_and_the_org_cap():
    """R6 and L2: the sentence of the issue, '12,431 profiles held; resumed ...; 3,100 discarded by the org cap ...'."""
    summary = {"org": {"resume_rate_per_s": 5000.0}, "duration_s": 86400, "journeys": {"cart": {
        "pauses": [{"paused_at_s": 50400, "mode": "hold", "resumed_at_s": 57600, "resumed_by": "manual",
                    "held_at_resume": 12431, "drain_s": 3, "send_delay_s": {"p50": 3600.0, "max": 7200.0}}],
        "org_cap_discards_between_s": [50400, 52200], "discarded": {"org_cap": 3100, "paused_entry": 0}}}}
    assert verdicts(summary) == [
        "cart: paused +0d 14:00 in hold mode for 2h; 12,431 profiles held; resumed by hand +0d 16:00; "
        "released in 3s at 5,000/s; held sends went out up to 2h late (half within 1h); "
        "3,100 discarded by the org cap between +0d 14:00 and +0d 14:30."]
    assert between(84600, 88200) == "between +0d 23:30 and +1d 00:30"


def test_verdicts_name_the_rate_that_applied_and_the_discard_mode():
    """R6 (org-wide rate, no rate limit) and P1 (discard mode)."""
    pause = {"paused_at_s": 0, "mode": "hold", "resumed_at_s": 3600, "resumed_by": "auto", "held_at_resume": 10,
             "drain_s": 0, "send_delay_s": {"p50": 0.0, "max": 0.0}}
    journey = {"pauses": [pause], "discarded": {"org_cap": 0}}
    unlimited = {"org": {}, "policy": {"release_rate_limited": False}, "journeys": {"j": journey}}
    assert "resumed automatically (its pause time ran out) +0d 01:00; released all at once" in verdicts(unlimited)[0]
    shared = {"org": {"resume_rate_per_s": 20.0, "resume_rate_scope": "org"}, "journeys": {"j": journey}}
    assert "released in 0s at 20/s shared across the org" in verdicts(shared)[0]
    discard = {"org": {}, "journeys": {"j": {"pauses": [{**pause, "mode": "discard", "held_at_resume": 0}],
                                             "discarded": {"discard_mode": 7, "paused_entry": 3}}}}
    assert verdicts(discard) == ["j: paused +0d 00:00 in discard mode for 1h; 7 profiles discarded at the stop point "
                                 "instead of held; resumed automatically (its pause time ran out) +0d 01:00.",
                                 "j: also discarded 3 (paused entry)."]


def test_a_run_without_a_pause_still_gets_a_full_report(simulate, tmp_path):
    out = tmp_path / "live"
    result = CliRunner().invoke(main, ["run", str(simulate.write(scenario(linear_journey()))), "--out", str(out), "--quiet"])
    assert result.exit_code == 0
    page = (out / "report.html").read_text()
    assert "No pause in this scenario" in page and len(inline_figures(page)) == 6


def test_the_verdict_answers_the_five_questions_at_a_glance():
    """Issue 10 item 13 (L2, R6, V7): held, drain, org cap (and the peak against the cap), send delay, entrants turned away."""
    pause = {"paused_at_s": 50400, "mode": "hold", "resumed_at_s": 57600, "resumed_by": "manual", "held_at_resume": 12431,
             "drain_s": 3, "live_at_s": 57603, "sent_after_hold": 12000, "send_delay_s": {"p50": 3600.0, "max": 7200.0}}
    summary = {"org": {"held_peak": 10_600_000, "held_cap": 10_000_000, "cap_checks": 48, "cap_exceeded_checks": 2},
               "journeys": {"cart": {"pauses": [pause], "org_cap_discards_between_s": [50400, 52200],
                                     "discarded": {"org_cap": 3100, "paused_entry": 812}}}}
    assert glance(summary) == [
        ("held", "12,431 held at the resume; peak 10,600,000 held at once"),
        ("drain", "3s, live again +0d 16:00:03"),
        ("org cap", "3,100 dropped (discarded.org_cap) between +0d 14:00 and +0d 14:30; "
                    "peak 10,600,000 held against a cap of 10,000,000 (600,000 over); 2 of 48 checks at or over the cap"),
        ("send delay", "up to 2h late, half within 1h"),
        ("turned away", "812 entrants turned away while paused (discarded.paused_entry)"),
    ]
    pause["held_at_resume_outcome"] = {"sent": 12000, "exited": {}, "discarded": {"global_filter": 431}, "still_held": 0,
                                       "in_journey_unsent": 0}
    assert glance(summary)[0] == ("held", "12,431 held at the resume, 12,000 of them sent; peak 10,600,000 held at once")


def test_the_cap_answer_is_on_the_first_screen_of_the_report_and_of_the_printed_summary(tmp_path):
    """Issue 10 item 13 (L2): before the per-pause sentences, the tables and the figures; the first lines printed."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(ROOT / "scenarios" / "org-cap-small.yaml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    cap = "26,623 dropped (discarded.org_cap)"
    assert cap in "\n".join(result.stdout.splitlines()[:8])
    assert "peak 53,377 held against a cap of 50,000 (3,377 over)" in result.stdout
    page = (out / "report.html").read_text()
    body = page[page.index("<body>"):]
    assert body.index(cap) < min(body.index("<ul>"), body.index("<h2>Summary"), body.index("<svg"))
