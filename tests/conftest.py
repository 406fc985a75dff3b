from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Every model is a separate parametrized case, so a few dozen examples each add up to
# thousands per run; the deadline is off because CI machines stall unpredictably.
settings.register_profile(
    "azpatch",
    max_examples=int(os.environ.get("AZPATCH_HYPOTHESIS_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("azpatch")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int) -> None:
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        terminalreporter.write_sep("!", "NO TESTS RAN: the selection matched no test", red=True)
