"""``azpatch``: the command line, following the az CLI's conventions.

Credentials come from ``AZPATCH_ACCESS_TOKEN`` (for example from ``az account
get-access-token``) or, with the ``identity`` extra, from azure-identity's
``DefaultAzureCredential``. Errors are one line on stderr with ARM's code and
message; never a traceback, never a token. Exit codes are listed in
``EXIT_CODES`` and in docs/cli.md.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import IO

from .._client import Client
from .._credentials import StaticTokenCredential, TokenCredential
from .._exceptions import (
    AuthenticationError,
    AzpatchError,
    ConfigurationError,
    PermissionDeniedError,
    PollingTimeoutError,
)
from .._policies import PollingPolicy
from ._commands import COMMANDS
from ._output import print_rows

__all__ = ["EXIT_CODES", "main"]

EXIT_CODES = {
    0: "done (and, for a patch run or the fleet, Succeeded and compliant)",
    1: "a patch run did not succeed, or a VM of the fleet is not compliant",
    2: "bad usage or a change Azure would refuse; nothing was written",
    3: "ARM or the network failed the request",
    4: "no credential, or it was refused (401, 403)",
    5: "the wait ended before the operation did",
    130: "interrupted",
}
TOKEN_VARIABLE = "AZPATCH_ACCESS_TOKEN"
_DURATION = re.compile(r"^P?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$", re.IGNORECASE)


def _duration(text: str) -> timedelta:
    """Minutes (``90``) or ISO 8601 (``PT1H30M``)."""
    if text.isdigit():
        return timedelta(minutes=int(text))
    match = _DURATION.match(text)
    if not match or not any(match.groups()):
        raise argparse.ArgumentTypeError(f"{text!r} is neither minutes nor an ISO 8601 duration")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--subscription", default=os.environ.get("AZURE_SUBSCRIPTION_ID"))
    common.add_argument(
        "--endpoint", default="https://management.azure.com", help="ARM, or a fake's URL"
    )
    common.add_argument("--output", "-o", choices=("table", "json"), default="table")
    common.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait at most")
    common.add_argument(
        "--poll-interval",
        type=float,
        default=30.0,
        help="seconds between polls when Azure does not say (Retry-After wins)",
    )
    vm_args = argparse.ArgumentParser(add_help=False)
    vm_args.add_argument("--resource-group", "-g", required=True)
    vm_args.add_argument("--name", "-n", required=True)
    no_wait = argparse.ArgumentParser(add_help=False)
    no_wait.add_argument(
        "--no-wait", action="store_true", help="start it, print its continuation token"
    )

    parser = argparse.ArgumentParser(prog="azpatch", description=__doc__.splitlines()[0])
    groups = parser.add_subparsers(dest="group", required=True)
    features = groups.add_parser("features").add_subparsers(dest="command", required=True)
    features.add_parser(
        "enable-preview", parents=[common, no_wait], help="register the guest patching preview"
    )
    vm = groups.add_parser("vm").add_subparsers(dest="command", required=True)
    vm.add_parser("show-patch-status", parents=[common, vm_args])
    mode = vm.add_parser("set-patch-mode", parents=[common, vm_args])
    mode.add_argument("--mode", required=True)
    mode.add_argument("--assessment-mode")
    mode.add_argument("--reboot-setting", choices=("IfRequired", "Never", "Always"))
    mode.add_argument("--dry-run", action="store_true", help="check against the rules only")
    vm.add_parser("assess", parents=[common, vm_args, no_wait])
    installing = vm.add_parser("install", parents=[common, vm_args, no_wait])
    installing.add_argument("--classifications", nargs="+", required=True)
    installing.add_argument(
        "--reboot-setting", choices=("IfRequired", "Never", "Always"), required=True
    )
    installing.add_argument("--max-duration", type=_duration, default=timedelta(hours=2))
    fleet = groups.add_parser("fleet").add_subparsers(dest="command", required=True)
    status = fleet.add_parser("status", parents=[common], help="patch compliance of every VM")
    status.add_argument("--resource-group", "-g")
    return parser


def _credential() -> TokenCredential:
    token = os.environ.get(TOKEN_VARIABLE)
    if token:
        return StaticTokenCredential(token)
    try:
        from azure.identity import (  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
            DefaultAzureCredential,
        )
    except ImportError:
        raise _Refused(
            4,
            f"no credential: set {TOKEN_VARIABLE} (az account get-access-token --query"
            " accessToken -o tsv) or install azpatch[identity]",
        ) from None
    credential: TokenCredential = DefaultAzureCredential()
    return credential


class _Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _exit_code(error: AzpatchError) -> int:
    if isinstance(error, (AuthenticationError, PermissionDeniedError)):
        return 4
    if isinstance(error, PollingTimeoutError):
        return 5
    if isinstance(error, ConfigurationError):
        return 2
    return 3


def main(
    argv: Sequence[str] | None = None, *, out: IO[str] | None = None, err: IO[str] | None = None
) -> int:
    """Run one command; returns its exit code (``azpatch`` exits with it)."""
    out, err = out or sys.stdout, err or sys.stderr
    args = _parser().parse_args(argv)
    try:
        if not args.subscription:
            raise _Refused(2, "no subscription: pass --subscription or set AZURE_SUBSCRIPTION_ID")
        with Client(
            args.subscription,
            _credential(),
            base_url=args.endpoint,
            polling=PollingPolicy(
                interval=args.poll_interval, min_interval=min(args.poll_interval, 1.0)
            ),
        ) as client:
            rows, code, single = COMMANDS[(args.group, args.command)](client, args, err)
    except _Refused as refused:
        err.write(f"error: {refused}\n")
        return refused.code
    except AzpatchError as error:
        err.write(f"error: {error}\n")
        token = getattr(error, "continuation_token", None)
        if token:
            err.write(f"continuation token: {token}\n")
        return _exit_code(error)
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130
    print_rows(rows, args.output, out, single=single)
    return code


def run() -> None:
    """The console script."""
    sys.exit(main())
