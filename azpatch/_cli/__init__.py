"""``azpatch``: the command line, following the az CLI's conventions.

Credentials come from ``AZPATCH_ACCESS_TOKEN`` (for example from ``az account
get-access-token``) or, with the ``identity`` extra, from azure-identity's
``DefaultAzureCredential``. Errors are one line on stderr with ARM's code and
message; never a traceback, never a token. Exit codes are listed in
``EXIT_CODES`` and in docs/cli.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import IO, Any

import httpx

from .._client import Client
from .._credentials import StaticTokenCredential, TokenCredential
from .._exceptions import (
    AuthenticationError,
    AzpatchError,
    ConfigurationError,
    PermissionDeniedError,
    PollingTimeoutError,
    TransportError,
)
from .._policies import PollingPolicy, RetryPolicy
from ._arguments import (
    ASSESSMENT_MODES,
    CLASSIFICATIONS,
    PATCH_MODES,
    REBOOT_SETTINGS,
    count,
    duration,
    endpoint,
    one_of,
    seconds,
)
from ._commands import COMMANDS
from ._fleet import ALL_SUBSCRIPTIONS, FLEET_COMMANDS
from ._output import print_rows

__all__ = ["EXIT_CODES", "main"]

EXIT_CODES = {
    0: "done (and, for a patch run or the fleet, Succeeded and compliant)",
    1: "a patch run did not succeed; a VM of the fleet is not compliant, failed or was refused",
    2: "bad usage or a change Azure would refuse; nothing was written",
    3: "ARM or the network failed the request",
    4: "no credential, or it was refused (401, 403)",
    5: "the wait ended before the operation did",
    130: "interrupted",
}
TOKEN_VARIABLE = "AZPATCH_ACCESS_TOKEN"
# A command a person waits for: a refused connection is reported within seconds, and ARM's
# throttling is still waited out (Retry-After) twice.
CLI_RETRY = RetryPolicy(max_attempts=3, initial_backoff=0.5, max_backoff=2.0)
_LOG = logging.getLogger("azpatch")
SUBSCRIPTION_VARIABLE = "AZURE_SUBSCRIPTION_ID"
DESCRIPTION = (
    "Azure automatic VM guest patching from the shell, following the az CLI's conventions."
)
EPILOG = "\n".join(
    [
        f"credentials: ${TOKEN_VARIABLE}",
        "  (export AZPATCH_ACCESS_TOKEN=$(az account get-access-token --query accessToken -o tsv))",
        "  else DefaultAzureCredential (pip install 'azpatch[identity]')",
        "",
        "exit codes:",
        *(f"  {code:<4}{meaning}" for code, meaning in EXIT_CODES.items()),
    ]
)


# The client's own subscription when a fleet names none but ``all``: fleet runs name the
# subscription of each request themselves.
NO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def _common(*, fleet: bool) -> argparse.ArgumentParser:
    """The options every command takes; a fleet's take several subscriptions and CSV."""
    common = argparse.ArgumentParser(add_help=False)
    default = os.environ.get(SUBSCRIPTION_VARIABLE)
    if fleet:
        common.add_argument(
            "--subscription",
            action="append",
            help="a subscription id, or 'all' for every subscription you can see; repeat it"
            f" for several (default: ${SUBSCRIPTION_VARIABLE})",
        )
    else:
        common.add_argument(
            "--subscription",
            default=default,
            help=f"the subscription id (default: ${SUBSCRIPTION_VARIABLE})",
        )
    common.add_argument(
        "--endpoint",
        type=endpoint,
        default="https://management.azure.com",
        help="ARM's URL, or a fake's such as http://127.0.0.1:8443 (default: %(default)s)",
    )
    outputs = ("table", "json", "csv") if fleet else ("table", "json")
    common.add_argument("--output", "-o", choices=outputs, default="table")
    common.add_argument(
        "--timeout",
        type=seconds,
        default=3600.0,
        help="seconds to wait at most (default: %(default)g)",
    )
    common.add_argument(
        "--poll-interval",
        type=seconds,
        default=30.0,
        help="seconds between polls when Azure sends no Retry-After (default: %(default)g)",
    )
    return common


def _parser() -> argparse.ArgumentParser:
    common = _common(fleet=False)
    vm_args = argparse.ArgumentParser(add_help=False)
    vm_args.add_argument("--resource-group", "-g", required=True)
    vm_args.add_argument("--name", "-n", required=True, help="the VM's name")
    operation = argparse.ArgumentParser(add_help=False)
    operation.add_argument(
        "--no-wait",
        action="store_true",
        help="start the operation, print its status and a continuation token, and exit",
    )

    parser = argparse.ArgumentParser(
        prog="azpatch",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"azpatch {_version()}")
    groups = parser.add_subparsers(dest="group", required=True, metavar="GROUP")
    features = _group(groups, "features", "the subscription's guest patching preview")
    preview = _command(
        features,
        "enable-preview",
        "register InGuestAutoPatchVMPreview and InGuestPatchVMPreview, wait for both, then"
        " register Microsoft.Compute again (the preview's opt-in)",
        common,
    )
    preview.add_argument(
        "--no-wait",
        action="store_true",
        help="only ask for the two registrations and print their states; do not wait",
    )
    vm = _group(groups, "vm", "one VM's patch mode, assessments and installations")
    _command(
        vm,
        "show-patch-status",
        "the patch mode, the last assessment and the last installation",
        common,
        vm_args,
    )
    mode = _command(
        vm,
        "set-patch-mode",
        "change the patch mode, checked against Azure's rules before anything is written",
        common,
        vm_args,
    )
    _patch_mode_options(mode)
    _command(
        vm, "assess", "assess the VM's missing patches (assessPatches)", common, vm_args, operation
    )
    installing = _command(
        vm, "install", "install patches now (installPatches)", common, vm_args, operation
    )
    _install_options(installing)
    _fleet_commands(groups)
    return parser


def _fleet_commands(groups: Any) -> None:
    common = _common(fleet=True)
    common.add_argument(
        "--resource-group",
        "-g",
        action="append",
        help="only this resource group's VMs, in each subscription; repeat it for several",
    )
    common.add_argument(
        "--max-concurrency",
        type=count,
        default=32,
        help="requests in flight at most; the run paces itself to ARM's budgets below it"
        " (default: %(default)s)",
    )
    resumable = argparse.ArgumentParser(add_help=False)
    resumable.add_argument(
        "--resume",
        metavar="FILE",
        help="a checkpoint: written as the run goes; a run stopped halfway resumes from it",
    )
    fleet = _group(groups, "fleet", "every VM of subscriptions or resource groups, in parallel")
    _command(
        fleet,
        "status",
        "patch compliance of every VM, and why it is not AutomaticByPlatform",
        common,
    )
    _command(fleet, "assess", "assess every VM (assessPatches)", common, resumable)
    installing = _command(
        fleet, "install", "install patches on every VM (installPatches)", common, resumable
    )
    _install_options(installing)
    mode = _command(
        fleet,
        "set-patch-mode",
        "change every VM's patch mode where the rules allow; refusals are rows, not errors",
        common,
        resumable,
    )
    _patch_mode_options(mode)


def _patch_mode_options(parser: argparse.ArgumentParser) -> None:
    _choice(parser, "--mode", PATCH_MODES, "MODE", required=True)
    _choice(parser, "--assessment-mode", ASSESSMENT_MODES, "MODE")
    _choice(parser, "--reboot-setting", REBOOT_SETTINGS, "SETTING", "AutomaticByPlatform's")
    parser.add_argument("--dry-run", action="store_true", help="check against the rules only")


def _install_options(parser: argparse.ArgumentParser) -> None:
    _choice(parser, "--classifications", CLASSIFICATIONS, "CLASS", nargs="+", required=True)
    _choice(parser, "--reboot-setting", REBOOT_SETTINGS, "SETTING", required=True)
    parser.add_argument(
        "--max-duration",
        type=duration,
        default=timedelta(hours=2),
        help="minutes (90) or ISO 8601 (PT1H30M); default: 2 hours",
    )


def _choice(
    parser: argparse.ArgumentParser,
    flag: str,
    values: tuple[str, ...],
    metavar: str,
    what: str = "",
    **options: Any,
) -> None:
    """An option taking Azure's names for something, in any case, and listing them."""
    many = "any" if options.get("nargs") else "one"
    parser.add_argument(
        flag,
        type=one_of(values),
        choices=values,
        metavar=metavar,
        help=f"{what + ': ' if what else ''}{many} of {', '.join(values)} (any case)",
        **options,
    )


def _group(groups: Any, name: str, description: str) -> Any:
    parser = groups.add_parser(name, help=description, description=description)
    return parser.add_subparsers(dest="command", required=True, metavar="COMMAND")


def _command(
    commands: Any, name: str, description: str, *parents: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        parents=parents,
        help=description,
        description=description,
        epilog="exit codes and credentials: azpatch --help",
    )
    return parser


def _version() -> str:
    from importlib.metadata import version  # noqa: PLC0415  (only for --version and --help)

    return version("azpatch")


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
    if not _LOG.handlers:  # the library's warnings (each retry) are not the CLI's output
        _LOG.addHandler(logging.NullHandler())
    try:
        if args.group == "fleet" and not args.subscription:
            default = os.environ.get(SUBSCRIPTION_VARIABLE)
            args.subscription = [default] if default else None
        if not args.subscription:
            raise _Refused(
                2, f"no subscription: pass --subscription or set {SUBSCRIPTION_VARIABLE}"
            )
        first = args.subscription
        if isinstance(first, list):  # a fleet's: any named one, else the default
            named = [s for s in first if s.casefold() != ALL_SUBSCRIPTIONS]
            first = (named or [os.environ.get(SUBSCRIPTION_VARIABLE) or NO_SUBSCRIPTION])[0]
        with Client(
            first,
            _credential(),
            base_url=args.endpoint,
            retry=CLI_RETRY,
            polling=PollingPolicy(
                interval=args.poll_interval, min_interval=min(args.poll_interval, 1.0)
            ),
        ) as client:
            command = FLEET_COMMANDS[args.command] if args.group == "fleet" else None
            command = command or COMMANDS[(args.group, args.command)]
            rows, code, single = command(client, args, err)
    except _Refused as refused:
        err.write(f"error: {refused}\n")
        return refused.code
    except AzpatchError as error:
        unreachable = isinstance(error, TransportError) and not error.may_have_reached_server
        err.write(f"error: {_unreachable(args.endpoint) if unreachable else error}\n")
        token = getattr(error, "continuation_token", None)
        if token:
            err.write(f"continuation token: {token}\n")
        return _exit_code(error)
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130
    print_rows(rows, args.output, out, single=single)
    return code


def _unreachable(endpoint: str) -> str:
    """Why connecting failed, in the system's words (one more attempt, to ask it)."""
    url = httpx.URL(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.host, port), timeout=3).close()
    except OSError as error:
        reason = (error.strerror or str(error) or type(error).__name__).lower()
    else:
        reason = "the connection failed, then worked: try again"
    return f"cannot reach {endpoint}: {reason} (is --endpoint right?)"


def run() -> None:
    """The console script."""
    sys.exit(main())
