"""``python -m azpatch_fake serve``: the fake as a real HTTP server on loopback."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ._app import FakeAzure
from ._server import serve


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m azpatch_fake")
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("serve", help="serve a fake ARM over HTTP")
    server.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    server.add_argument("--port", type=int, default=0, help="0 picks a free port")
    server.add_argument("--seed", type=int, default=0)
    server.add_argument(
        "--time-scale", type=float, default=1.0, help="virtual seconds per real second"
    )
    server.add_argument(
        "--retry-after", type=int, default=30, help="seconds between polls that the fake asks for"
    )
    server.add_argument("--tls-cert", help="PEM certificate, to serve https")
    server.add_argument("--tls-key", help="PEM key of --tls-cert")
    arguments = parser.parse_args(argv)
    if (arguments.tls_cert is None) != (arguments.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    serve(
        FakeAzure(seed=arguments.seed, retry_after=arguments.retry_after),
        host=arguments.host,
        port=arguments.port,
        time_scale=arguments.time_scale,
        tls_cert=arguments.tls_cert,
        tls_key=arguments.tls_key,
    )


if __name__ == "__main__":
    main()
