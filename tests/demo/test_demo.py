"""``python -m azpatch_fake demo`` and its rollout page, checked against the timeline."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from azpatch_fake import check_timeline, read_timeline
from azpatch_fake.__main__ import main
from azpatch_fake._tools._demo import run_demo
from azpatch_fake._tools._rollout_html import rollout_html


class _Page(HTMLParser):
    """What a reader of the page sees as data: bars, rows and the references it makes."""

    def __init__(self) -> None:
        super().__init__()
        self.bars: list[dict[str, str]] = []
        self.rows: list[str] = []
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "rect" and "bar" in found.get("class", "").split():
            self.bars.append(found)
        if tag == "g" and found.get("class") == "region":
            self.rows.append(found["data-region"])
        self.references += [found[key] for key in ("src", "href") if key in found]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    out = io.StringIO()
    result = run_demo(tmp_path_factory.mktemp("demo"), out=out, progress=io.StringIO())
    return result, out.getvalue()


def test_the_demo_tells_the_whole_story(demo: tuple[Any, str]) -> None:
    result, printed = demo
    assert result.switched + len(result.refused) == result.vms > 100
    assert {code for _, code, _ in result.refused} == {"InvalidParameter"}  # R9
    assert result.assessed == result.switched
    for step in (
        "1. Preview opt-in",
        "2. Switching",
        "3. On-demand",
        "4. The platform",
        "5. Summary",
    ):
        assert step in printed
    assert "HALTED" in printed
    assert "R44" in printed


def test_the_demo_timeline_keeps_every_invariant(demo: tuple[Any, str]) -> None:
    result, _ = demo
    with result.timeline.open() as lines:
        events = read_timeline(lines)
    assert check_timeline(events) == []
    assert {"rollout_started", "phase_halted", "install_started"} <= {e["event"] for e in events}


def test_the_page_draws_every_run_in_phase_order(demo: tuple[Any, str]) -> None:
    result, _ = demo
    with result.timeline.open() as lines:
        events = read_timeline(lines)
    page = _Page()
    page.feed(result.page.read_text())
    rollout = next(e for e in events if e["event"] == "rollout_started")
    assert page.rows == [region for phase in rollout["phases"] for region in phase]
    runs = {(e["vm"], e["time"]) for e in events if e["event"] == "install_started"}
    assert {(bar["data-vm"], bar["data-start"]) for bar in page.bars} == runs
    unhealthy = [bar for bar in page.bars if bar["data-healthy"] == "false"]
    assert len(unhealthy) == 1
    assert page.references == []  # self-contained: nothing to fetch


def test_a_timeline_without_a_rollout_gets_a_page_that_says_so() -> None:
    assert "No rollout" in rollout_html([])


def test_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo", "--out", str(tmp_path), "--seed", "1"])
    assert "6. Wrote" in capsys.readouterr().out
    assert (tmp_path / "rollout.html").is_file()
    assert (tmp_path / "timeline.jsonl").stat().st_size > 0
