"""The command line as a newcomer meets it, through its real entry point: bad input is refused
by the parser with exit code 2 and a message in the CLI's words, the help says what is valid,
and an endpoint nobody listens on is one line after a short retry."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from azpatch import __version__, default_clock
from azpatch._cli import main
from azpatch_fake import VirtualClock

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
VM = ["-g", "rg", "-n", "vm", "--subscription", SUBSCRIPTION]


def azpatch(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "", "AZPATCH_ACCESS_TOKEN": token} if token else {"PATH": ""}
    return subprocess.run(
        [sys.executable, "-m", "azpatch", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--poll-interval", "0", "'0': give a number of seconds above 0"),
        ("--poll-interval", "-1", "'-1': give a number of seconds above 0"),
        ("--timeout", "-5", "'-5': give a number of seconds above 0"),
        ("--timeout", "soon", "'soon' is not a number of seconds"),
        ("--timeout", "nan", "'nan': give a number of seconds above 0"),
        ("--endpoint", "not-a-url", "'not-a-url' is not a URL like https://management.azure.com"),
        (
            "--endpoint",
            "http://example.com",
            "'http://example.com': the token is sent only over https, or over http to this",
        ),
    ],
)
def test_a_bad_option_is_refused_by_the_parser_with_exit_code_2(
    option: str, value: str, says: str
) -> None:
    done = azpatch("vm", "assess", *VM, option, value, token="secret")
    assert done.returncode == 2
    assert f"argument {option}: {says}" in done.stderr
    assert "Traceback" not in done.stderr
    assert "base_url" not in done.stderr  # the CLI's words, not a Python parameter's


@pytest.mark.parametrize(
    "args",
    [
        ["vm", "set-patch-mode", *VM, "--mode", "Sometimes"],
        ["vm", "set-patch-mode", *VM, "--mode", "Manual", "--assessment-mode", "Daily"],
        [
            "vm",
            "install",
            *VM,
            "--classifications",
            "Critical",
            "Urgent",
            "--reboot-setting",
            "Never",
        ],
        ["vm", "install", *VM, "--classifications", "Critical", "--reboot-setting", "Maybe"],
        [
            "vm",
            "install",
            *VM,
            "--classifications",
            "Critical",
            "--reboot-setting",
            "Never",
            "--max-duration",
            "0",
        ],
    ],
)
def test_a_value_azure_does_not_name_is_refused_with_the_valid_ones(args: list[str]) -> None:
    done = azpatch(*args, token="secret")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "is not one of" in done.stderr or "give a duration above 0" in done.stderr


def test_version_and_help_say_what_is_valid_without_markup() -> None:
    version = azpatch("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"azpatch {__version__}"
    top = azpatch("--help").stdout
    assert "``" not in top
    assert "exit codes:" in top
    assert "AZPATCH_ACCESS_TOKEN" in top
    for group in ("features", "vm", "fleet"):
        assert group in top
    for group, commands in (
        ("vm", ("show-patch-status", "set-patch-mode", "assess", "install")),
        ("fleet", ("status",)),
        ("features", ("enable-preview",)),
    ):
        for command in commands:  # each says what it does, between its usage and its options
            text = azpatch(group, command, "--help").stdout
            described = text.split("\n\n")[1]
            assert not described.startswith("options:"), text
    mode = " ".join(azpatch("vm", "set-patch-mode", "--help").stdout.split())  # unwrapped
    assert "one of Manual, AutomaticByOS, AutomaticByPlatform, ImageDefault (any case)" in mode
    assert "one of IfRequired, Never, Always (any case)" in mode
    assert "$AZURE_SUBSCRIPTION_ID" in mode
    install = " ".join(azpatch("vm", "install", "--help").stdout.split())
    assert "UpdateRollUp" in install
    assert "Other" in install


def test_enable_preview_no_wait_help_says_what_it_does() -> None:
    text = azpatch("features", "enable-preview", "--help").stdout
    assert "continuation token" not in text
    assert "only ask for the two registrations" in text


def test_a_mode_in_any_case_is_accepted_and_parsed_to_azures_spelling() -> None:
    from azpatch._cli import _parser

    args = _parser().parse_args(
        ["vm", "set-patch-mode", *VM, "--mode", "automaticbyplatform", "--reboot-setting", "never"]
    )
    assert (args.mode, args.reboot_setting) == ("AutomaticByPlatform", "Never")
    args = _parser().parse_args(
        [
            "vm",
            "install",
            *VM,
            "--classifications",
            "critical",
            "SECURITY",
            "--reboot-setting",
            "ifrequired",
        ]
    )
    assert args.classifications == ["Critical", "Security"]
    assert args.reboot_setting == "IfRequired"


def test_nobody_listening_is_one_line_after_two_short_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as probe:  # a loopback port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AZPATCH_ACCESS_TOKEN", "secret")
    out, err = io.StringIO(), io.StringIO()
    clock = VirtualClock(datetime(2027, 1, 1, tzinfo=timezone.utc))
    with default_clock(clock):  # the retries' waits cost no real time
        code = main(["vm", "show-patch-status", *VM, "--endpoint", endpoint], out=out, err=err)
    assert code == 3
    assert err.getvalue() == (  # no line per retry
        f"error: cannot reach {endpoint}: connection refused (is --endpoint right?)\n"
    )
    assert len(clock.slept) == 2  # three attempts (CLI_RETRY), seconds apart at most
    assert sum(clock.slept) < 5
