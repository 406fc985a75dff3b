"""The code samples of docs/orchestration.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "orchestration.md"
SAMPLES = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_page_has_samples() -> None:
    assert SAMPLES


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_runs(sample: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(sample, str(DOC), "exec"), {})
    assert "Hold(rule='R28'" in capsys.readouterr().out
