"""docs/patch-modes.md shows the tables the planner produces, not a copy that can drift."""

from __future__ import annotations

from tests.rules.transition_table import BEGIN, DOC, END, render


def test_the_documented_tables_are_the_planners() -> None:
    text = DOC.read_text()
    documented = text.partition(BEGIN)[2].partition(END)[0]
    assert documented.strip() == render().strip(), (
        "docs/patch-modes.md is out of date: run python tests/rules/transition_table.py"
    )
