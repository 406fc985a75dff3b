"""The default phase plan of a rollout (R41 to R43, Q6).

Canary regions first, the pilot region second, then the others coloured
greedily on the pair conflict graph, smallest fleets first (ties by name),
so that no phase holds both regions of a pair.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._world._regions import CANARY_REGIONS, PILOT_REGIONS, conflicts

__all__ = ["plan_phases"]


def plan_phases(vm_counts: Mapping[str, int]) -> list[tuple[str, ...]]:
    """Phases over the regions with VMs; ``vm_counts`` maps region to eligible VMs."""
    present = {region for region, count in vm_counts.items() if count > 0}
    phases = [
        tuple(sorted(r for r in CANARY_REGIONS if r in present)),
        tuple(sorted(r for r in PILOT_REGIONS if r in present)),
    ]
    rest = sorted(
        present - set(CANARY_REGIONS) - set(PILOT_REGIONS), key=lambda r: (vm_counts[r], r)
    )
    colour: dict[str, int] = {}
    for region in rest:
        taken = {colour[p] for p in conflicts(region) if p in colour}
        colour[region] = next(c for c in range(len(rest) + 1) if c not in taken)
    for c in range(max(colour.values(), default=-1) + 1):
        phases.append(tuple(r for r in rest if colour[r] == c))
    return [phase for phase in phases if phase]
