"""``python -m azpatch_fake serve``: the fake as a real HTTP server on loopback."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ._app import FakeAzure
from ._doors._server import DEFAULT_TIME_SCALE, serve
from ._world._world import DEFAULT_TENANT


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        from ._tools._demo import run_demo  # noqa: PLC0415  (drives the fake through azpatch)

        run_demo(arguments.out, seed=arguments.seed)
        return
    if arguments.command == "simulate":
        _simulate(parser, arguments)
        return
    if arguments.command == "plan":
        _plan(parser, arguments)
        return
    _serve(parser, arguments)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m azpatch_fake")
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser(
        "serve", help="serve a fake ARM over HTTP: an Azure emulator for any client"
    )
    server.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    server.add_argument("--port", type=int, default=0, help="0 picks a free port")
    server.add_argument("--seed", type=int, default=0)
    server.add_argument(
        "--time-scale",
        type=_positive,
        default=DEFAULT_TIME_SCALE,
        help="virtual seconds per real second (default: %(default)g, so an assessment or a"
        " short installation ends within a second; 1 for Azure's own pace)",
    )
    server.add_argument(
        "--retry-after",
        type=int,
        default=30,
        help="virtual seconds between polls the fake asks for; sent in real seconds, at least 1",
    )
    server.add_argument(
        "--subscription",
        action="append",
        default=[],
        metavar="ID",
        help="a subscription to create at start (repeatable; the first is the default)",
    )
    server.add_argument("--tenant", metavar="ID", default=DEFAULT_TENANT, help="the tenant id")
    server.add_argument(
        "--throttling",
        choices=("off", "azure"),
        default="off",
        help="azure: ARM's and Compute's request budgets, with their headers and 429s"
        " (default: off)",
    )
    server.add_argument(
        "--strict-subscriptions",
        action="store_true",
        help="answer SubscriptionNotFound for subscriptions never seen (default: create them)",
    )
    server.add_argument(
        "--require-auth",
        action="store_true",
        help="answer 401 unless the bearer token is one this emulator issued and is live",
    )
    server.add_argument(
        "--log-requests",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write one JSON line per request (no tokens, no bodies) to FILE, or stderr",
    )
    seeded = server.add_mutually_exclusive_group()
    seeded.add_argument(
        "--fleet",
        type=Path,
        metavar="FILE",
        help="start with the VMs of a fleet file (as simulate)",
    )
    seeded.add_argument(
        "--example-world",
        action="store_true",
        help="start with the demo's fleet: three subscriptions, paired regions, sets, zones",
    )
    server.add_argument(
        "--control-from",
        action="append",
        default=[],
        metavar="HOST",
        help="a client address besides loopback that may use the control plane (repeatable)",
    )
    server.add_argument("--tls-cert", help="PEM certificate, to serve https")
    server.add_argument("--tls-key", help="PEM key of --tls-cert")
    simulation = commands.add_parser(
        "simulate", help="run a fleet file on the virtual clock and write its timeline"
    )
    simulation.add_argument("--fleet", type=Path, required=True, help="the fleet file (JSON)")
    simulation.add_argument(
        "--until",
        type=_utc_time,
        required=True,
        help="ISO time to stop at, e.g. 2027-01-31T00:00:00Z",
    )
    simulation.add_argument(
        "--timeline",
        type=Path,
        required=True,
        help="the timeline: JSON Lines; gzip-compressed when the name ends in .gz, Parquet"
        ' when it ends in .parquet (the "parquet" extra)',
    )
    simulation.add_argument("--seed", type=int, default=0)
    what_if = commands.add_parser(
        "plan", help="predict each VM's install slot in one monthly rollout (what-if)"
    )
    what_if.add_argument("--fleet", type=Path, required=True, help="the fleet file (JSON)")
    what_if.add_argument("--month", required=True, help="the rollout, YYYY-MM")
    what_if.add_argument("--seed", type=int, default=0)
    what_if.add_argument("--output", choices=("table", "json"), default="table")
    demo = commands.add_parser(
        "demo", help="the main job on a fresh fake: opt in, switch, assess, a month of rollout"
    )
    demo.add_argument("--out", type=Path, default=Path(), help="where to write the results")
    demo.add_argument("--seed", type=int, default=0)
    return parser


def _world_factory(arguments: argparse.Namespace) -> Callable[[object], FakeAzure]:
    """What ``serve`` starts with, and what a control-plane reset starts again with: the
    fleet in the reset's body, else the world of the command line (empty, ``--fleet``'s
    or the example world)."""
    options: dict[str, Any] = {
        "tenant_id": arguments.tenant,
        "retry_after": arguments.retry_after,
        "strict_subscriptions": arguments.strict_subscriptions,
        "throttling": arguments.throttling,
    }
    chosen = list(arguments.subscription)
    if chosen:
        options["subscription_id"] = chosen[0]
    fleet_file = arguments.fleet
    if fleet_file is not None:  # read now: a missing or bad file stops the start
        with fleet_file.open(encoding="utf-8") as source:
            start_fleet: object = json.load(source)

    def make(fleet: object) -> FakeAzure:
        from ._tools._demo_world import demo_world  # noqa: PLC0415  (only these need them)
        from ._tools._fleet import load_fleet  # noqa: PLC0415

        if fleet is None and fleet_file is not None:
            fleet = start_fleet
        if fleet is not None:
            fake = load_fleet(fleet, seed=arguments.seed, options=options)
            if not chosen:  # the default: the first subscription that holds VMs
                holding = [s.subscription_id for s in fake.subscriptions() if s.vms]
                fake.subscription_id = holding[0] if holding else fake.subscription_id
        elif arguments.example_world:
            fake = demo_world(arguments.seed, {**options, "require_preview_registration": False})
        else:
            fake = FakeAzure(seed=arguments.seed, **options)
        for subscription in chosen[1:]:
            fake.add_subscription(subscription)
        return fake

    return make


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not above 0")
    return value


def _serve(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    if (arguments.tls_cert is None) != (arguments.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    try:
        make_world = _world_factory(arguments)
        fake = make_world(None)
    except (OSError, ValueError) as error:  # FleetError is a ValueError
        parser.exit(2, f"error: {error}\n")
    log = arguments.log_requests
    with contextlib.ExitStack() as files:
        request_log = (
            None
            if log is None
            else sys.stderr
            if log == "-"
            else files.enter_context(open(log, "a", encoding="utf-8"))
        )
        try:
            serve(
                fake,
                host=arguments.host,
                port=arguments.port,
                time_scale=arguments.time_scale,
                tls_cert=arguments.tls_cert,
                tls_key=arguments.tls_key,
                require_auth=arguments.require_auth,
                request_log=request_log,
                make_world=make_world,
                control_from=tuple(arguments.control_from),
            )
        except RuntimeError as error:
            parser.exit(2, f"error: {error}\n")


def _utc_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset, for example Z")
    return moment


def _simulate(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    from ._tools._fleet import FleetError  # noqa: PLC0415  (only this command needs them)
    from ._tools._simulate import run_command  # noqa: PLC0415

    try:
        run_command(
            arguments.fleet, arguments.until, arguments.timeline, arguments.seed, sys.stdout
        )
    except FleetError as error:
        parser.exit(2, f"{arguments.fleet}: {error}\n")
    except (OSError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")


def _plan(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    import attrs  # noqa: PLC0415

    from ._tools._fleet import FleetError  # noqa: PLC0415
    from ._tools._what_if import plan_rollout  # noqa: PLC0415

    try:
        with arguments.fleet.open(encoding="utf-8") as source:
            slots = plan_rollout(json.load(source), arguments.month, seed=arguments.seed)
    except (FleetError, OSError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    if arguments.output == "json":
        json.dump([attrs.asdict(slot) for slot in slots], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    for slot in slots:
        where = f"phase {slot.phase} {slot.local_start}" if slot.start else slot.hold
        sys.stdout.write(f"{slot.vm.rsplit('/', 1)[1]:<32}{slot.location:<22}{where}\n")


if __name__ == "__main__":
    main()
