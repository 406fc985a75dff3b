"""The fake as a real HTTP server, for clients that are not Python or not in-process.

uvicorn serves the ASGI app of ``_asgi``: keep-alive, TLS, many connections,
a listen backlog of 2048, idle connections timed out, malformed HTTP answered
with 400 by its parser, and SIGINT or SIGTERM letting in-flight requests
finish. Virtual time follows the wall clock, ``time_scale`` times faster: at
the default of 600 an assessment (2 virtual minutes) or an installation of a
few patches (under 10) is over by the first poll, one second later.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from typing import IO, TYPE_CHECKING, Any, TextIO

from ._asgi import EmulatorApp
from ._control import ControlPlane, WorldFactory
from ._identity import MANAGED_IDENTITY_PATH, Identity

if TYPE_CHECKING:
    from .._app import FakeAzure

__all__ = ["DEFAULT_TIME_SCALE", "serve"]

DEFAULT_TIME_SCALE = 600.0
_NEEDS_UVICORN = (
    'python -m azpatch_fake serve needs uvicorn: pip install "azpatch[server]"'
    " (the fixture and fake.intercept() need nothing more than azpatch)"
)


def _banner(fake: FakeAzure, identity: Identity, *, ca_file: str | None) -> str:
    """What to print after ``listening on URL``: comments and lines a shell can eval."""
    url = fake.base_url
    subscriptions = fake.subscriptions()
    vms = sum(len(s.vms) for s in subscriptions)
    others = "no other" if fake.strict_subscriptions else "any other GUID is created on first use"
    lines = [
        f"# subscriptions: {' '.join(s.subscription_id for s in subscriptions)} ({others});"
        f" tenant {fake.tenant_id}; {vms} VMs",
        f"export AZURE_SUBSCRIPTION_ID={fake.subscription_id}",
        f"export AZURE_TENANT_ID={fake.tenant_id}",
        f"export AZPATCH_FAKE_URL={url}",
        f"export IDENTITY_ENDPOINT={url}{MANAGED_IDENTITY_PATH}",
        f"export IDENTITY_HEADER={identity.identity_header}",
        f"export AZURE_AUTHORITY_HOST={url}",
    ]
    if ca_file is not None:
        lines += [f"export REQUESTS_CA_BUNDLE={ca_file}", f"export SSL_CERT_FILE={ca_file}"]
    plain = "" if url.startswith("https") else ", enforce_https=False"
    lines += [
        "#",
        "# The official SDK for Python, after the exports above:",
        "#   from azure.identity import ManagedIdentityCredential",
        "#   from azure.mgmt.compute import ComputeManagementClient",
        "#   compute = ComputeManagementClient(ManagedIdentityCredential(),",
        '#       os.environ["AZURE_SUBSCRIPTION_ID"], base_url=os.environ["AZPATCH_FAKE_URL"])',
        f"#   print([vm.name for vm in compute.virtual_machines.list_all({plain.lstrip(', ')})])",
        "#",
        "# azpatch:",
        '#   azpatch.Client(os.environ["AZURE_SUBSCRIPTION_ID"],',
        '#       azpatch.StaticTokenCredential("t"), base_url=os.environ["AZPATCH_FAKE_URL"])',
        "#   AZPATCH_ACCESS_TOKEN=t azpatch fleet status --endpoint $AZPATCH_FAKE_URL"
        " --subscription $AZURE_SUBSCRIPTION_ID",
        "#",
        "# az CLI (https only: serve with --tls-cert; a throwaway config dir, never your own):",
        "#   export AZURE_CONFIG_DIR=$(mktemp -d) AZURE_CORE_COLLECT_TELEMETRY=false",
        "#   az cloud register -n AzpatchFake --endpoint-resource-manager $AZPATCH_FAKE_URL",
        "#   az cloud set -n AzpatchFake && az login --identity && az vm list -o table",
        "#   (a service principal: AZURE_CORE_INSTANCE_DISCOVERY=false az login"
        " --service-principal -u APP -p SECRET --tenant $AZURE_TENANT_ID)",
        "#",
        "# Any HTTP client:",
        "#   curl $AZPATCH_FAKE_URL/subscriptions?api-version=2022-12-01",
    ]
    return "\n".join(lines)


def serve(
    fake: FakeAzure,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    time_scale: float = DEFAULT_TIME_SCALE,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    require_auth: bool = False,
    request_log: TextIO | None = None,
    make_world: WorldFactory | None = None,
    control_from: tuple[str, ...] = (),
    ready: threading.Event | None = None,
    stop: threading.Event | None = None,
    out: IO[str] | None = None,
) -> None:
    """Serve ``fake`` until SIGINT or SIGTERM (or ``stop`` is set); print where it listens.

    ``make_world`` builds the world a control-plane reset starts again with (from the
    fleet in its body, if any); by default an empty one with ``fake``'s settings.
    """
    try:
        import uvicorn  # noqa: PLC0415  (the server extra)
    except ImportError:
        raise RuntimeError(_NEEDS_UVICORN) from None
    stream = out or sys.stdout
    identity = Identity(tenant=fake.tenant_id, require_auth=require_auth)
    control = ControlPlane(
        fake, make_world or _empty_world_like(fake), allowed_clients=control_from
    )
    app = EmulatorApp(control, time_scale=time_scale, identity=identity, request_log=request_log)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        ssl_certfile=tls_cert,
        ssl_keyfile=tls_key,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,  # requests take milliseconds; idle keep-alives do not count
    )
    scheme = "https" if tls_cert else "http"

    class _Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.should_exit:
                return
            bound = self.servers[0].sockets[0].getsockname()
            address = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
            fake.base_url = control.world.base_url = f"{scheme}://{address}:{bound[1]}"
            stream.write(f"listening on {fake.base_url}\n")
            stream.write(_banner(fake, identity, ca_file=tls_cert) + "\n")
            stream.flush()
            if ready is not None:
                ready.set()

    server = _Server(config)
    if stop is not None:  # uvicorn looks at should_exit every tenth of a second

        def when_stopped() -> None:
            stop.wait()
            server.should_exit = True

        threading.Thread(target=when_stopped, name="azpatch-fake-stop", daemon=True).start()
    if threading.current_thread() is threading.main_thread():
        # uvicorn shuts down gracefully, then raises the signal again: end with status 0.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, _exit_cleanly)
    asyncio.run(server.serve())


def _empty_world_like(fake: FakeAzure) -> WorldFactory:
    def fresh(fleet: object) -> FakeAzure:
        if fleet is not None:
            raise ValueError("this server loads no fleets: start it with python -m azpatch_fake")
        return type(fake)(
            seed=fake.seed,
            subscription_id=fake.subscription_id,
            tenant_id=fake.tenant_id,
            retry_after=fake.retry_after,
            strict_subscriptions=fake.strict_subscriptions,
        )

    return fresh


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)
