"""``rollout.html``: one self-contained page that draws a rollout from its timeline.

Time runs left to right; each row is a region, rows grouped by phase in the
rollout's order; each install run is a bar from its start to its health
verdict, coloured by availability zone and labelled with its update domain,
so the availability-first order shows at a glance. Inline SVG and CSS only:
the page opens without a network. Every bar carries ``data-*`` attributes
(vm, region, phase, zone, update domain, start, end), so a test can compare
the page with the timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from html import escape
from typing import Any

from .._world._off_peak import utc_seconds

__all__ = ["rollout_html"]

_ZONE_COLOURS = {None: "#8a8f98", "1": "#1f77b4", "2": "#2ca02c", "3": "#ff7f0e"}
_LANE, _GAP, _LEFT, _TOP = 10, 8, 190, 40
_PER_HOUR = 36  # pixels: a 20-minute run is a 12-pixel bar; the page scrolls sideways


def _runs(events: list[Mapping[str, Any]], rollout: str) -> list[dict[str, Any]]:
    started: dict[str, Mapping[str, Any]] = {}
    runs = []
    for event in events:
        if event.get("rollout") != rollout:
            continue
        if event["event"] == "install_started":
            started[event["vm"]] = event
        elif event["event"] == "health_verdict" and event["vm"] in started:
            first = started.pop(event["vm"])
            runs.append({**first, "end": event["time"], "healthy": event["healthy"]})
        elif event["event"] == "install_interrupted" and event["vm"] in started:
            first = started.pop(event["vm"])  # the VM stopped: no verdict (R21)
            runs.append({**first, "end": event["time"], "healthy": None})
    return runs


def _lanes(runs: list[dict[str, Any]]) -> int:
    """Give each run of one region a lane where it overlaps no other; return how many."""
    ends: list[float] = []
    for run in sorted(runs, key=lambda r: r["time"]):
        start = utc_seconds(run["time"])
        lane = next((i for i, end in enumerate(ends) if end <= start), len(ends))
        if lane == len(ends):
            ends.append(0.0)
        ends[lane] = utc_seconds(run["end"])
        run["lane"] = lane
    return max(len(ends), 1)


def rollout_html(events: Iterable[Mapping[str, Any]], *, title: str = "Rollout") -> str:
    """The page for the first rollout in ``events`` (timeline dicts, in time order)."""
    timeline = list(events)
    started = next((e for e in timeline if e["event"] == "rollout_started"), None)
    if started is None:
        return _page(title, "<p>No rollout in this timeline.</p>")
    rollout = started["rollout"]
    runs = _runs(timeline, rollout)
    begin = utc_seconds(started["time"])
    finish = max([utc_seconds(r["end"]) for r in runs] + [begin + 86400.0])
    scale = _PER_HOUR / 3600
    width = (finish - begin) * scale

    def x(moment: str) -> float:
        return _LEFT + (utc_seconds(moment) - begin) * scale

    rows, y = [], _TOP
    for index, phase in enumerate(started["phases"]):
        rows.append(f'<text class="phase" x="4" y="{y + 12}">Phase {index + 1}</text>')
        y += 18
        for region in phase:
            mine = [r for r in runs if r["location"] == region]
            height = _lanes(mine) * _LANE
            rows.append(
                f'<g class="region" data-region="{escape(region)}" data-phase="{index + 1}">'
                f'<text x="12" y="{y + min(height, 2 * _LANE) - 2}">{escape(region)}</text>'
                f'<rect class="lane" x="{_LEFT}" y="{y}" width="{width:.0f}" height="{height}"/>'
            )
            rows.extend(_bar(run, x, y) for run in mine)
            rows.append("</g>")
            y += height + _GAP
    rows.extend(_marks(timeline, rollout, x, y))
    rows.extend(_axis(begin, finish, y))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_LEFT + width + 20:.0f}"'
        f' height="{y + 30}">'
    )
    legend = "".join(
        f'<span class="key" style="background:{colour}"></span>zone {zone or "none"} '
        for zone, colour in _ZONE_COLOURS.items()
    )
    body = (
        f"<h1>{escape(title)}: rollout {escape(rollout)}</h1>"
        f'<p class="legend">{legend}&nbsp; bars: install run to health verdict, labelled with'
        " the update domain; red outline: unhealthy after the update</p>"
        f"{svg}{''.join(rows)}</svg>"
    )
    return _page(title, body)


def _bar(run: Mapping[str, Any], x: Callable[[str], float], top: int) -> str:
    start, end = x(run["time"]), x(run["end"])
    y = top + run["lane"] * _LANE + 1
    ud = run.get("update_domain")
    name = run["vm"].rsplit("/", 1)[-1]
    label = f"{name} zone {run['zone'] or 'none'}" + (f" UD {ud}" if ud is not None else "")
    outline = "" if run["healthy"] is not False else ' stroke="#d62728" stroke-width="2"'
    attributes = {
        "vm": run["vm"],
        "region": run["location"],
        "phase": run["phase"],
        "zone": run["zone"] or "none",
        "update-domain": "" if ud is None else ud,
        "start": run["time"],
        "end": run["end"],
        "healthy": {True: "true", False: "false", None: "unknown"}[run["healthy"]],
    }
    data = " ".join(f'data-{key}="{escape(str(value))}"' for key, value in attributes.items())
    text = (
        f'<text class="ud" x="{start + 1:.1f}" y="{y + _LANE - 3}">{ud}</text>'
        if ud is not None and end - start > 8
        else ""
    )
    return (
        f'<rect class="bar" {data} x="{start:.1f}" y="{y}" width="{max(end - start, 1.5):.1f}"'
        f' height="{_LANE - 2}" fill="{_ZONE_COLOURS.get(run["zone"], "#8a8f98")}"{outline}>'
        f"<title>{escape(label)}: {run['local_time']} to {run['end']}</title></rect>{text}"
    )


def _marks(
    timeline: list[Mapping[str, Any]], rollout: str, x: Callable[[str], float], bottom: int
) -> list[str]:
    marks = []
    for event in timeline:
        kind = event["event"]
        if event.get("rollout") != rollout or kind not in (
            "phase_started",
            "phase_completed",
            "phase_halted",
        ):
            continue
        at = x(event["time"])
        marks.append(
            f'<line class="{kind}" data-phase="{event["phase"]}" x1="{at:.1f}" y1="{_TOP - 10}"'
            f' x2="{at:.1f}" y2="{bottom}"><title>{kind} {event["phase"]}'
            f" at {event['time']}</title></line>"
        )
    return marks


def _axis(begin: float, finish: float, y: int) -> list[str]:
    """A line a day, labelled with the UTC date."""
    ticks = []
    day = 0
    while begin + day * 86400 <= finish:
        moment = begin + day * 86400
        label = datetime.fromtimestamp(moment, timezone.utc).strftime("%b %d")
        at = _LEFT + (moment - begin) * _PER_HOUR / 3600
        ticks.append(
            f'<line class="tick" x1="{at:.1f}" y1="{_TOP - 10}" x2="{at:.1f}" y2="{y}"/>'
            f'<text class="day" x="{at + 2:.1f}" y="{y + 14}">{label}</text>'
        )
        day += 1
    return ticks


def _page(title: str, body: str) -> str:
    style = (
        "body{font:13px system-ui,sans-serif;margin:16px}h1{font-size:18px}"
        "svg text{font-size:11px;fill:#222}.phase{font-weight:bold}"
        ".lane{fill:#f4f5f7}.tick{stroke:#ddd}.day{fill:#666}"
        ".phase_started{stroke:#444;stroke-dasharray:4 3}.phase_completed{stroke:#2ca02c}"
        ".phase_halted{stroke:#d62728;stroke-width:2}.ud{fill:#fff;font-size:8px}"
        ".key{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;"
        "vertical-align:middle}"
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{style}</style></head><body>{body}</body></html>\n"
    )
