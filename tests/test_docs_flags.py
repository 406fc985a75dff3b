"""Every command-line flag the README and docs/ mention is one that ``--help`` lists: a page
cannot name a flag that was renamed, removed or never existed."""

from __future__ import annotations

import argparse
import contextlib
import io
import re
from pathlib import Path

import pytest

from azpatch._cli import _parser as azpatch_parser
from azpatch_fake.__main__ import _parser as fake_parser

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
# Flags of other tools that the pages show: ruff, mypy and mkdocs, the az CLI.
OTHERS = {
    "--check",
    "--strict",
    "--query",
    "--identity",
    "--service-principal",
    "--endpoint-resource-manager",
    "--set",
}


def _helps(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> dict[str, str]:
    """The ``--help`` text of the parser and of each of its commands, by command line."""
    helps = {" ".join(path): parser.format_help()}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                helps |= _helps(sub, (*path, name))
    return helps


def _flags(helps: dict[str, str]) -> set[str]:
    return {flag for text in helps.values() for flag in FLAG.findall(text)}


def _real_help(argv: list[str], parse: argparse.ArgumentParser) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        parse.parse_args([*argv, "--help"])
    return out.getvalue()


AZPATCH = _flags(_helps(azpatch_parser()))
FAKE = _flags(_helps(fake_parser()))


def test_the_help_texts_walked_are_those_the_commands_print() -> None:
    assert _helps(azpatch_parser())["vm install"] == _real_help(["vm", "install"], azpatch_parser())
    assert "--classifications" in AZPATCH
    assert "--time-scale" in FAKE


def _mentions() -> list[tuple[str, int, str, str]]:
    """(page, line number, the tool its command runs or "", flag) for every flag mentioned:
    a command line (a code block's line, an inline code span) that runs ``azpatch`` or
    ``azpatch_fake`` names its own flags; a flag on its own may be either's, or another tool's."""
    found = []
    for page in PAGES:
        in_block = False
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```"):
                in_block = not in_block
                continue
            for command in [line] if in_block else re.findall(r"`([^`]+)`", line):
                if "azpatch_fake" in command:
                    tool = "fake"
                elif re.search(r"(?<![\w.-])azpatch (?:features|vm|fleet|--)", command):
                    tool = "azpatch"
                else:
                    tool = ""
                found += [(page.name, number, tool, flag) for flag in FLAG.findall(command)]
    return found


def test_every_flag_the_pages_mention_is_in_a_help() -> None:
    unknown = [
        f"{page}:{number}: {flag}"
        for page, number, tool, flag in _mentions()
        if flag not in {"azpatch": AZPATCH, "fake": FAKE}.get(tool, AZPATCH | FAKE | OTHERS)
    ]
    assert unknown == []


def test_the_check_catches_a_flag_that_does_not_exist() -> None:
    assert "--poll-every" not in AZPATCH | FAKE | OTHERS
    assert "--example-world" not in AZPATCH  # the emulator's, not the CLI's


def test_the_emulator_and_cli_pages_list_every_flag() -> None:
    helps = _helps(fake_parser())
    emulator = (ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    assert set(FLAG.findall(helps["serve"])) - {"--help"} <= set(FLAG.findall(emulator))
    cli = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert AZPATCH - {"--help"} <= set(FLAG.findall(cli))
