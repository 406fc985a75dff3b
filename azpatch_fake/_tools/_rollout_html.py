"""``rollout.html``: one self-contained page that draws a rollout from its timeline.

It reads top to bottom: the halt, if there was one, and why; a summary per phase
and region; a legend of every mark; then the chart. Time runs left to right,
fitted to the window's width, with a line at each UTC midnight; each row is a
region, rows grouped by phase in the rollout's order, its name pinned at the
left; each install run is a bar from its start to its health verdict, coloured
by availability zone. Every time on the page is UTC. Inline SVG and CSS only:
the page opens without a network. Every bar carries ``data-*`` attributes (vm,
region, phase, zone, update domain, start, end), so a test can compare the page
with the timeline.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from html import escape
from typing import Any

from .._world._off_peak import utc_seconds

__all__ = ["rollout_html"]

_ZONE_COLOURS = {None: "#8a8f98", "1": "#1f77b4", "2": "#2ca02c", "3": "#ff7f0e"}
_LANE, _GAP, _PHASE = 10, 8, 18  # pixels: a lane of bars, between regions, a phase's title
_PER_HOUR = 36.0  # chart units; the chart is then stretched or shrunk to the window's width
_MARKS = {
    "phase_started": "phase started",
    "phase_completed": "phase completed",
    "phase_halted": "phase halted",
}


def _runs(events: list[Mapping[str, Any]], rollout: str) -> list[dict[str, Any]]:
    started: dict[str, Mapping[str, Any]] = {}
    runs = []
    for event in events:
        if event.get("rollout") != rollout:
            continue
        if event["event"] == "install_started":
            started[event["vm"]] = event
        elif event["event"] == "install_finished" and event["vm"] in started:
            started[event["vm"]] = {**started[event["vm"]], "status": event["status"]}
        elif event["event"] == "health_verdict" and event["vm"] in started:
            first = started.pop(event["vm"])
            runs.append({**first, "end": event["time"], "healthy": event["healthy"]})
        elif event["event"] == "install_interrupted" and event["vm"] in started:
            first = started.pop(event["vm"])  # the VM stopped: no verdict (R21)
            runs.append({**first, "end": event["time"], "healthy": None, "status": "Pending"})
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
    chart = _Chart(begin, finish)
    labels, rows, y = [], [], 0
    for index, phase in enumerate(started["phases"]):
        labels.append(f'<div class="phase" style="top:{y}px">Phase {index + 1}</div>')
        y += _PHASE
        for region in phase:
            mine = [r for r in runs if r["location"] == region]
            height = _lanes(mine) * _LANE
            labels.append(f'<div class="region" style="top:{y}px">{escape(region)}</div>')
            rows.append(
                f'<g class="region" data-region="{escape(region)}" data-phase="{index + 1}">'
                f'<rect class="lane" x="0" y="{y}" width="{chart.width:.0f}" height="{height}"/>'
                + "".join(chart.bar(run, y) for run in mine)
                + "</g>"
            )
            y += height + _GAP
    marks = [
        chart.mark(e) for e in timeline if e.get("rollout") == rollout and e["event"] in _MARKS
    ]
    ticks, days = chart.midnights(y)
    body = (
        f"<h1>{escape(title)}: rollout {escape(rollout)}</h1>"
        + _halt(timeline, rollout)
        + _summary(started["phases"], runs, timeline, rollout)
        + _legend()
        + '<input type="checkbox" id="zoom"><label for="zoom">zoom in four times (the chart'
        " scrolls sideways, the regions stay)</label>"
        + f'<div class="chart"><div class="labels" style="height:{y}px">{"".join(labels)}</div>'
        f'<div class="plot"><div class="track"><svg viewBox="0 0 {chart.width:.0f} {y}"'
        f' width="100%" height="{y}" preserveAspectRatio="none"'
        ' xmlns="http://www.w3.org/2000/svg">'
        f"{''.join(ticks)}{''.join(rows)}{''.join(marks)}</svg>"
        f'<div class="days">{"".join(days)}</div></div></div></div>'
    )
    return _page(title, body)


class _Chart:
    """Chart units from UTC times; the SVG is stretched to the window's width."""

    def __init__(self, begin: float, finish: float) -> None:
        self.begin, self.finish = begin, finish
        self.width = (finish - begin) * _PER_HOUR / 3600

    def x(self, moment: str | float) -> float:
        at = utc_seconds(moment) if isinstance(moment, str) else moment
        return (at - self.begin) * _PER_HOUR / 3600

    def bar(self, run: Mapping[str, Any], top: int) -> str:
        start, end = self.x(run["time"]), self.x(run["end"])
        ud = run.get("update_domain")
        name = run["vm"].rsplit("/", 1)[-1]
        place = f"zone {run['zone'] or 'none'}" + (
            f", update domain {ud}" if ud is not None else ""
        )
        verdict = {True: "healthy", False: "UNHEALTHY", None: "stopped, no verdict"}
        label = (
            f"{name} ({place}): {_utc(run['time'])} to {_utc(run['end'])},"
            f" {run.get('status', '?')}, {verdict[run['healthy']]}"
        )
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
        outline = ' class="bar unhealthy"' if run["healthy"] is False else ' class="bar"'
        return (
            f'<rect{outline} {data} x="{start:.1f}" y="{top + run["lane"] * _LANE + 1}"'
            f' width="{max(end - start, 1.5):.1f}" height="{_LANE - 2}"'
            f' fill="{_ZONE_COLOURS.get(run["zone"], "#8a8f98")}">'
            f"<title>{escape(label)}</title></rect>"
        )

    def mark(self, event: Mapping[str, Any]) -> str:
        at = self.x(event["time"])
        what = f"{_MARKS[event['event']]}: phase {event['phase']} at {_utc(event['time'])}"
        return (
            f'<line class="{event["event"]}" data-phase="{event["phase"]}" x1="{at:.1f}"'
            f' y1="0" x2="{at:.1f}" y2="100%"><title>{escape(what)}</title></line>'
        )

    def midnights(self, bottom: int) -> tuple[list[str], list[str]]:
        """A line at each UTC midnight, and its date below the chart where there is room."""
        ticks, days = [], []
        first = datetime.fromtimestamp(self.begin, timezone.utc).replace(hour=0, minute=0, second=0)
        moment = first.timestamp() + 86400
        count = int((self.finish - moment) // 86400) + 1
        every = max(1, count // 15)  # at most about fifteen dates under the chart
        for day in range(count):
            at = self.x(moment + day * 86400)
            ticks.append(
                f'<line class="midnight" x1="{at:.1f}" y1="0" x2="{at:.1f}" y2="{bottom}"/>'
            )
            if day % every == 0:
                label = datetime.fromtimestamp(moment + day * 86400, timezone.utc).strftime("%b %d")
                days.append(f'<span style="left:{100 * at / self.width:.2f}%">{label}</span>')
        return ticks, days


def _halt(timeline: list[Mapping[str, Any]], rollout: str) -> str:
    halts = [e for e in timeline if e.get("rollout") == rollout and e["event"] == "phase_halted"]
    resumed = [
        e for e in timeline if e.get("rollout") == rollout and e["event"] == "rollout_resumed"
    ]
    if not halts:
        return '<p class="status">Not halted.</p>'
    lines = []
    for halt in halts:
        after = next((e for e in resumed if e["time"] >= halt["time"]), None)
        lifted = f"; resumed {_utc(after['time'])}" if after else "; not resumed in this timeline"
        lines.append(
            f"<b>HALTED</b> in phase {halt['phase']} at {_utc(halt['time'])} (R44):"
            f" {_named(halt['reason'])}{lifted}"
        )
    return f'<p class="halt">{"<br>".join(lines)}</p>'


def _summary(
    phases: list[list[str]],
    runs: list[dict[str, Any]],
    timeline: list[Mapping[str, Any]],
    rollout: str,
) -> str:
    """Per phase and region: patched, pending, failed, and the halt."""
    last: dict[str, Mapping[str, Any]] = {}
    for run in runs:  # in time order: a VM's last run decides
        last[run["vm"]] = run
    counts: dict[str, Counter[str]] = {}
    for final in last.values():
        status = str(final.get("status", "Pending"))
        bucket = {"Succeeded": "patched", "Failed": "failed"}.get(status, "pending")
        counts.setdefault(final["location"], Counter())[bucket] += 1
    halted = {
        e["phase"]: e
        for e in timeline
        if e.get("rollout") == rollout and e["event"] == "phase_halted"
    }
    rows = []
    for index, phase in enumerate(phases, 1):
        why = f"halted: {_named(halted[index]['reason'])}" if index in halted else ""
        for region in phase:
            got = counts.get(region, Counter())
            rows.append(
                f"<tr><td>{index}</td><td>{escape(region)}</td><td>{got['patched']}</td>"
                f"<td>{got['pending']}</td><td>{got['failed']}</td><td>{why}</td></tr>"
            )
    return (
        '<table class="summary"><tr><th>phase</th><th>region</th><th>patched</th>'
        "<th>pending</th><th>failed</th><th>halt</th></tr>" + "".join(rows) + "</table>"
    )


def _legend() -> str:
    zones = "".join(
        f'<span class="key" style="background:{colour}"></span>zone {zone or "none"}'
        for zone, colour in _ZONE_COLOURS.items()
    )
    return (
        f'<p class="legend">{zones}<span class="key unhealthy"></span>unhealthy after its update'
        "<br>A bar is one install run, from its start to its health verdict (hover for the VM,"
        ' its update domain, times and outcome).<span class="line started"></span>phase'
        ' started<span class="line completed"></span>phase completed'
        '<span class="line halted"></span>phase halted<span class="line midnight"></span>'
        "midnight. All times UTC.</p>"
    )


def _named(reason: str) -> str:
    """``reason`` with each VM's resource id cut to its name, escaped for the page."""
    return escape(_RESOURCE_ID.sub(r"\1", reason))


_RESOURCE_ID = re.compile(r"/subscriptions/[^\s]+/virtualMachines/([^\s/;,]+)")


def _utc(moment: str) -> str:
    return moment.replace("T", " ").replace("Z", " UTC")


def _page(title: str, body: str) -> str:
    style = (
        "body{font:13px system-ui,sans-serif;margin:12px 16px}h1{font-size:18px;margin:4px 0}"
        ".halt{background:#fdecea;border-left:4px solid #d62728;padding:6px 10px;margin:6px 0}"
        ".status{margin:6px 0}.summary{border-collapse:collapse;margin:6px 0}"
        ".summary td,.summary th{padding:1px 10px;text-align:left;border-bottom:1px solid #eee}"
        ".summary td:nth-child(n+3):nth-child(-n+5){text-align:right}.legend{margin:6px 0}"
        ".key{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;"
        "vertical-align:middle}.key.unhealthy{border:2px solid #d62728;width:8px;height:8px}"
        ".line{display:inline-block;width:0;height:12px;margin:0 4px 0 12px;"
        "vertical-align:middle;border-left:2px solid #444}.line.started{border-left-style:dashed}"
        ".line.completed{border-color:#2ca02c}.line.halted{border-color:#d62728}"
        ".line.midnight{border-color:#ccc;border-left-width:1px}"
        ".chart{display:grid;grid-template-columns:170px 1fr;margin-top:6px}"
        ".labels{position:relative}.labels div{position:absolute;left:0;font-size:12px;"
        "line-height:12px;white-space:nowrap}.labels .phase{font-weight:bold}"
        ".labels .region{left:12px}.plot{min-width:0;overflow-x:auto}"
        ".plot svg{display:block;overflow:visible}#zoom:checked~.chart .track{width:400%}"
        ".days{position:relative;height:16px;color:#666}"
        ".days span{position:absolute;top:2px;white-space:nowrap}"
        ".lane{fill:#f4f5f7}.midnight{stroke:#ddd}line{vector-effect:non-scaling-stroke}"
        ".phase_started{stroke:#444;stroke-dasharray:4 3}.phase_completed{stroke:#2ca02c}"
        ".phase_halted{stroke:#d62728;stroke-width:2}"
        ".bar.unhealthy{stroke:#d62728;stroke-width:2;vector-effect:non-scaling-stroke}"
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f'</title><meta name="viewport" content="width=device-width"><style>{style}</style>'
        f"</head><body>{body}</body></html>\n"
    )
