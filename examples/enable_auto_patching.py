"""Make every VM of a resource group AutomaticByPlatform where Azure allows it, assess, report.

    python examples/enable_auto_patching.py SUBSCRIPTION RESOURCE_GROUP

Credentials: azure-identity's DefaultAzureCredential (``pip install "azpatch[identity]"``).
A VM whose change Azure would refuse (an unsupported image, say) is reported,
not touched; exit code 1 when any VM was refused or has critical or security
patches missing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import azpatch


@dataclass(frozen=True)
class VmReport:
    name: str
    switched: bool
    reason: str  # why it was refused, or ""
    critical_and_security: int | None  # missing after the assessment; None if not assessed


def enable_and_assess(client: azpatch.Client, resource_group: str) -> list[VmReport]:
    reports = []
    for vm in client.virtual_machines.list(resource_group):
        name = vm.name or ""
        try:
            client.virtual_machines.set_patch_mode(
                resource_group, name, "AutomaticByPlatform", reboot_setting="IfRequired"
            )
        except azpatch.PatchModeTransitionError as refused:
            reports.append(
                VmReport(name, switched=False, reason=str(refused), critical_and_security=None)
            )
            continue
        result = client.virtual_machines.assess_patches(resource_group, name, timeout=1800)
        missing = result.critical_and_security_patch_count if result.succeeded else None
        reports.append(VmReport(name, switched=True, reason="", critical_and_security=missing))
    return reports


def report(reports: Sequence[VmReport]) -> str:
    lines = [f"{'VM':<24}{'AutomaticByPlatform':<22}critical+security missing"]
    for r in reports:
        state = "yes" if r.switched else f"refused: {r.reason}"
        missing = "" if r.critical_and_security is None else str(r.critical_and_security)
        lines.append(f"{r.name:<24}{state:<22}{missing}")
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    from azure.identity import DefaultAzureCredential  # noqa: PLC0415  (the identity extra)

    subscription, resource_group = argv
    with azpatch.Client(subscription, DefaultAzureCredential()) as client:
        reports = enable_and_assess(client, resource_group)
    print(report(reports))
    healthy = all(r.switched and r.critical_and_security == 0 for r in reports)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
