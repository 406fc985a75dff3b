"""rollout.html as a person sees it: rendered by headless Chromium, compared with the timeline,
and read at common laptop and desktop sizes.

Run by ``nox -s browser`` with Debian's chromium package (``.ci/run`` installs
it) driven through Playwright; nothing is downloaded and the page may fetch
nothing. Screenshots at each size go to ``artifacts/`` (``AZPATCH_ARTIFACTS``),
which CI keeps.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from azpatch_fake import read_timeline
from azpatch_fake._tools._demo import run_demo

ZONE_COLOURS = {
    "none": "rgb(138, 143, 152)",
    "1": "rgb(31, 119, 180)",
    "2": "rgb(44, 160, 44)",
    "3": "rgb(255, 127, 14)",
}
BARS = """els => els.map(e => {
    const box = e.getBoundingClientRect();
    return {...e.dataset, x: box.x + scrollX, y: box.y + scrollY, width: box.width,
            height: box.height, fill: getComputedStyle(e).fill};
})"""
ROWS = """els => els.map(e => {
    const box = e.querySelector('rect.lane').getBoundingClientRect();
    return {region: e.dataset.region, phase: e.dataset.phase, top: box.y + scrollY,
            bottom: box.y + scrollY + box.height};
})"""


ARTIFACTS = Path(
    os.environ.get("AZPATCH_ARTIFACTS") or Path(__file__).resolve().parents[1] / "artifacts"
)
BOX = """e => { const b = e.getBoundingClientRect();
    return {left: b.left, top: b.top, right: b.right, bottom: b.bottom}; }"""


def _chromium() -> str:
    found = os.environ.get("AZPATCH_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail("needs Chromium: apt-get install chromium (Debian), or set AZPATCH_CHROMIUM")
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    result = run_demo(tmp_path_factory.mktemp("demo"), out=io.StringIO(), progress=io.StringIO())
    with result.timeline.open() as lines:
        return result.page, read_timeline(lines)


@pytest.fixture(scope="module")
def browser(demo: tuple[Path, list[dict[str, Any]]]) -> Iterator[Browser]:
    """Chromium, started after the demo ran (its event loop and Playwright's take turns)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def page(
    browser: Browser, demo: tuple[Path, list[dict[str, Any]]]
) -> Iterator[tuple[Page, list[str]]]:
    opened = browser.new_page(viewport={"width": 1400, "height": 900})
    requested: list[str] = []
    opened.on("request", lambda request: requested.append(request.url))
    opened.goto(demo[0].as_uri())
    yield opened, requested
    opened.close()


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_a_person_sees_the_halt_the_summary_and_the_whole_month_without_scrolling(
    browser: Browser, demo: tuple[Path, list[dict[str, Any]]], width: int, height: int
) -> None:
    opened = browser.new_page(viewport={"width": width, "height": height})
    opened.goto(demo[0].as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / f"rollout-{width}x{height}.png"))
    assert opened.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    for selector in (".halt", "table.summary", ".legend"):
        box = opened.eval_on_selector(selector, BOX)
        assert box["left"] >= 0, selector
        assert box["right"] <= width, selector
        assert box["top"] >= 0, selector
        assert box["bottom"] <= height, selector
    halt = opened.inner_text(".halt")
    assert "HALTED" in halt
    assert "westeurope-vm3 is unhealthy" in halt  # the VM by name, not a resource id
    chart = opened.eval_on_selector(".plot svg", BOX)
    assert chart["right"] <= width  # the month fits the window
    for label in opened.eval_on_selector_all(".labels .region", f"els => els.map({BOX})"):
        assert label["left"] >= 0
        assert label["right"] <= chart["left"]  # pinned beside the chart
    opened.close()


def test_every_mark_is_in_the_legend_and_every_time_is_utc(page: tuple[Page, list[str]]) -> None:
    legend = page[0].inner_text(".legend")
    for words in ("zone none", "zone 1", "unhealthy", "phase started", "phase completed"):
        assert words in legend
    assert "phase halted" in legend
    assert "midnight" in legend
    assert "All times UTC" in legend
    titles = page[0].eval_on_selector_all(
        "rect.bar title, line title", "els => els.map(e => e.textContent)"
    )
    assert titles
    for title in titles:  # one time zone: no local times with their offsets
        assert "UTC" in title
        assert re.search(r"[+-]\d\d:\d\d", title) is None, title
    days = page[0].eval_on_selector_all(".days span", "els => els.map(e => e.textContent)")
    assert days
    assert all(len(day.split()) == 2 for day in days)  # "Jan 13": a date at each midnight


def _seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_the_page_fetches_nothing(page: tuple[Page, list[str]], demo: Any) -> None:
    _, requested = page
    assert requested == [demo[0].as_uri()]


def test_every_run_of_the_timeline_is_a_bar_on_the_page(
    page: tuple[Page, list[str]], demo: Any
) -> None:
    bars = page[0].eval_on_selector_all("rect.bar", BARS)
    runs = {(e["vm"], e["time"]) for e in demo[1] if e["event"] == "install_started"}
    assert {(bar["vm"], bar["start"]) for bar in bars} == runs
    assert all(bar["width"] > 0 and bar["height"] > 0 for bar in bars)


def test_time_runs_left_to_right_at_one_scale(page: tuple[Page, list[str]]) -> None:
    bars = page[0].eval_on_selector_all("rect.bar", BARS)
    ordered = sorted(bars, key=lambda bar: _seconds(bar["start"]))
    first, last = ordered[0], ordered[-1]
    per_second = (last["x"] - first["x"]) / (_seconds(last["start"]) - _seconds(first["start"]))
    for bar in bars:
        expected = first["x"] + (_seconds(bar["start"]) - _seconds(first["start"])) * per_second
        assert bar["x"] == pytest.approx(expected, abs=1.0)
        length = (_seconds(bar["end"]) - _seconds(bar["start"])) * per_second
        assert bar["width"] == pytest.approx(max(length, 1.5), abs=1.0)


def test_rows_follow_the_phases_and_hold_their_regions_bars(
    page: tuple[Page, list[str]], demo: Any
) -> None:
    rows = page[0].eval_on_selector_all("g.region", ROWS)
    plan = next(e for e in demo[1] if e["event"] == "rollout_started")["phases"]
    assert [row["region"] for row in sorted(rows, key=lambda r: r["top"])] == [
        region for phase in plan for region in phase
    ]
    band = {row["region"]: row for row in rows}
    for bar in page[0].eval_on_selector_all("rect.bar", BARS):
        row = band[bar["region"]]
        assert row["top"] <= bar["y"]
        assert bar["y"] + bar["height"] <= row["bottom"] + 1


def test_zones_show_as_colours_and_the_unhealthy_vm_stands_out(
    page: tuple[Page, list[str]], demo: Any
) -> None:
    bars = page[0].eval_on_selector_all("rect.bar", BARS)
    assert {bar["fill"] for bar in bars} <= set(ZONE_COLOURS.values())
    for bar in bars:
        assert bar["fill"] == ZONE_COLOURS[bar["zone"]]
    unhealthy = {e["vm"] for e in demo[1] if e["event"] == "health_verdict" and not e["healthy"]}
    outlined = page[0].eval_on_selector_all(
        "rect.bar[data-healthy=false]", "els => els.map(e => e.dataset.vm)"
    )
    assert set(outlined) == unhealthy != set()


def test_zooming_in_widens_the_chart_and_keeps_the_regions_in_view(
    browser: Browser, demo: tuple[Path, list[dict[str, Any]]]
) -> None:
    opened = browser.new_page(viewport={"width": 1366, "height": 768})
    opened.goto(demo[0].as_uri())
    before = opened.eval_on_selector(".plot svg", BOX)
    opened.click("label[for=zoom]")
    after = opened.eval_on_selector(".plot svg", BOX)
    assert after["right"] - after["left"] == pytest.approx(4 * (before["right"] - before["left"]))
    assert opened.evaluate("document.documentElement.scrollWidth") <= 1366  # only the chart
    opened.eval_on_selector(".plot", "e => { e.scrollLeft = e.scrollWidth; }")
    for label in opened.eval_on_selector_all(".labels .region", f"els => els.map({BOX})"):
        assert label["left"] >= 0  # pinned while the chart scrolls
    opened.screenshot(path=str(ARTIFACTS / "rollout-1366x768-zoomed.png"))
    opened.close()
