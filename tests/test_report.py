"""report.html: written by `journeysim run`, rebuilt by `journeysim report`, opened in a real browser."""

import re
import shutil
import subprocess

import matplotlib.image as mpimg
import pytest
from click.testing import CliRunner
from conftest import ROOT, linear_journey, scenario

from journeysim.cli import main
from journeysim.outputs.report import clock, verdicts

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHECK_IMAGES = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.images];
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  document.body.setAttribute('data-images', imgs.length);
  document.body.setAttribute('data-broken', broken.join(',') || 'none');
});
</script>"""


@pytest.fixture(scope="module")
def quickstart_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "quickstart"
    result = CliRunner().invoke(main, ["run", str(ROOT / "scenarios" / "quickstart.yaml"), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def image_sources(page: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', page)


def test_the_report_has_every_figure_the_verdict_and_no_external_resource(quickstart_report):
    page = (quickstart_report / "report.html").read_text()
    sources = image_sources(page)
    assert len(sources) == 6
    for source in sources:
        image = mpimg.imread(quickstart_report / source)
        assert image.shape[0] > 100 and image.shape[1] > 400 and image.std() > 0.01
    assert "quickstart" in page and "seed 42" in page and "platform ajo" in page
    assert re.search(r"cart-abandon: paused day 2, 00:00 \(hold mode\); [\d,]+ profiles held; resumed by hand day 3, 00:00", page)
    assert "http://" not in page and "https://" not in page


def test_report_rebuilds_the_same_page_from_saved_outputs(quickstart_report, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(quickstart_report, copy)
    for png in copy.glob("*.png"):
        png.unlink()
    (copy / "report.html").unlink()
    result = CliRunner().invoke(main, ["report", str(copy)])
    assert result.exit_code == 0, result.output
    assert (copy / "report.html").read_text() == (quickstart_report / "report.html").read_text()
    assert sorted(p.name for p in copy.glob("*.png")) == sorted(p.name for p in quickstart_report.glob("*.png"))


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make test installs Debian's chromium when it can)")
def test_the_report_opens_in_a_headless_browser_without_a_broken_image(quickstart_report, tmp_path):
    probe = quickstart_report / "report-probe.html"
    probe.write_text((quickstart_report / "report.html").read_text().replace("</body>", CHECK_IMAGES + "</body>"))
    try:
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--allow-file-access-from-files",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
            capture_output=True, text=True, timeout=120).stdout
    finally:
        probe.unlink()
    assert 'data-images="6"' in dom, dom[:500]
    assert 'data-broken="none"' in dom


def test_verdicts_speak_plainly_about_pauses_and_the_org_cap():
    summary = {"org": {"resume_rate_per_s": 5000.0}, "journeys": {"cart": {
        "pauses": [{"paused_at_s": 50400, "mode": "hold", "resumed_at_s": 57600, "resumed_by": "manual",
                    "held_at_resume": 12431, "drain_s": 3, "send_delay_s": {"max": 7200.0}}],
        "org_cap_discards_between_s": [50400, 52200], "discarded": {"org_cap": 3100, "paused_entry": 0}}}}
    lines = verdicts(summary)
    assert lines[0].startswith("cart: paused day 1, 14:00 (hold mode); 12,431 profiles held; resumed by hand day 1, 16:00")
    assert "drained in 3 s at 5,000/s" in lines[0]
    assert lines[1] == "cart: 3,100 discarded by the org cap between day 1, 14:00 and day 1, 14:30."
    assert clock(86400 + 3600 * 14 + 60 * 30) == "day 2, 14:30"


def test_a_run_without_a_pause_still_gets_a_full_report(simulate, tmp_path):
    out = tmp_path / "live"
    result = CliRunner().invoke(main, ["run", str(simulate.write(scenario(linear_journey()))), "--out", str(out), "--quiet"])
    assert result.exit_code == 0
    page = (out / "report.html").read_text()
    assert "No pause in this scenario" in page and len(image_sources(page)) == 6
