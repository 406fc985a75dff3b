"""Azure regions as the orchestrator needs them: local time zone, geo-pairs, rollout role.

Pairs are Microsoft's directed edges ("X's secondary is Y", orchestration rules
section b, 2025-09; sovereign clouds from the 2022-12 list). R42 and Q18 use
their undirected union as the conflict graph. Time zones are the region's
physical location (Q1), so off-peak hours follow its daylight saving.
"""

from __future__ import annotations

import attrs

__all__ = [
    "CANARY_REGIONS",
    "PILOT_REGIONS",
    "PUBLIC_REGIONS",
    "REGIONS",
    "Region",
    "conflicts",
    "region",
]


@attrs.frozen
class Region:
    name: str  # the ARM location, e.g. "eastus"
    display_name: str
    time_zone: str  # IANA
    cloud: str = "public"


def _regions(cloud: str, rows: str) -> dict[str, Region]:
    found = {}
    for row in rows.strip().splitlines():
        display, time_zone = (part.strip() for part in row.split("|"))
        name = display.replace(" ", "").casefold()
        found[name] = Region(name, display, time_zone, cloud)
    return found


REGIONS: dict[str, Region] = {
    **_regions(
        "public",
        """
        East US | America/New_York
        East US 2 | America/New_York
        East US 2 EUAP | America/New_York
        Central US | America/Chicago
        Central US EUAP | America/Chicago
        North Central US | America/Chicago
        South Central US | America/Chicago
        West Central US | America/Denver
        West US | America/Los_Angeles
        West US 2 | America/Los_Angeles
        West US 3 | America/Phoenix
        Canada Central | America/Toronto
        Canada East | America/Toronto
        Brazil South | America/Sao_Paulo
        Brazil Southeast | America/Sao_Paulo
        Mexico Central | America/Mexico_City
        Chile Central | America/Santiago
        North Europe | Europe/Dublin
        West Europe | Europe/Amsterdam
        UK South | Europe/London
        UK West | Europe/London
        France Central | Europe/Paris
        France South | Europe/Paris
        Germany West Central | Europe/Berlin
        Germany North | Europe/Berlin
        Norway East | Europe/Oslo
        Norway West | Europe/Oslo
        Sweden Central | Europe/Stockholm
        Sweden South | Europe/Stockholm
        Switzerland North | Europe/Zurich
        Switzerland West | Europe/Zurich
        Poland Central | Europe/Warsaw
        Italy North | Europe/Rome
        Spain Central | Europe/Madrid
        Austria East | Europe/Vienna
        Belgium Central | Europe/Brussels
        Denmark East | Europe/Copenhagen
        East Asia | Asia/Hong_Kong
        Southeast Asia | Asia/Singapore
        Australia East | Australia/Sydney
        Australia Southeast | Australia/Melbourne
        Australia Central | Australia/Sydney
        Australia Central 2 | Australia/Sydney
        Central India | Asia/Kolkata
        South India | Asia/Kolkata
        West India | Asia/Kolkata
        Japan East | Asia/Tokyo
        Japan West | Asia/Tokyo
        Korea Central | Asia/Seoul
        Korea South | Asia/Seoul
        Indonesia Central | Asia/Jakarta
        Malaysia West | Asia/Kuala_Lumpur
        New Zealand North | Pacific/Auckland
        South Africa North | Africa/Johannesburg
        South Africa West | Africa/Johannesburg
        UAE North | Asia/Dubai
        UAE Central | Asia/Dubai
        Qatar Central | Asia/Qatar
        Israel Central | Asia/Jerusalem
        """,
    ),
    **_regions(
        "china",
        """
        China North | Asia/Shanghai
        China East | Asia/Shanghai
        China North 2 | Asia/Shanghai
        China East 2 | Asia/Shanghai
        China North 3 | Asia/Shanghai
        China East 3 | Asia/Shanghai
        """,
    ),
    **_regions(
        "usgov",
        """
        US Gov Virginia | America/New_York
        US Gov Texas | America/Chicago
        US Gov Arizona | America/Phoenix
        US DoD East | America/New_York
        US DoD Central | America/Chicago
        """,
    ),
}
PUBLIC_REGIONS = tuple(name for name, r in REGIONS.items() if r.cloud == "public")
CANARY_REGIONS = ("eastus2euap", "centraluseuap")  # R43: phase 1
PILOT_REGIONS = ("westcentralus",)  # R43: phase 2

# "X's secondary is Y", as listed (section b).
PAIR_EDGES = (
    ("eastasia", "southeastasia"),
    ("southeastasia", "eastasia"),
    ("australiaeast", "australiasoutheast"),
    ("australiasoutheast", "australiaeast"),
    ("australiacentral", "australiacentral2"),
    ("australiacentral2", "australiacentral"),
    ("brazilsouth", "southcentralus"),
    ("brazilsoutheast", "brazilsouth"),
    ("canadacentral", "canadaeast"),
    ("canadaeast", "canadacentral"),
    ("northeurope", "westeurope"),
    ("westeurope", "northeurope"),
    ("francecentral", "francesouth"),
    ("francesouth", "francecentral"),
    ("germanywestcentral", "germanynorth"),
    ("germanynorth", "germanywestcentral"),
    ("centralindia", "southindia"),
    ("southindia", "centralindia"),
    ("westindia", "southindia"),
    ("japaneast", "japanwest"),
    ("japanwest", "japaneast"),
    ("koreacentral", "koreasouth"),
    ("koreasouth", "koreacentral"),
    ("norwayeast", "norwaywest"),
    ("norwaywest", "norwayeast"),
    ("southafricanorth", "southafricawest"),
    ("southafricawest", "southafricanorth"),
    ("swedencentral", "swedensouth"),
    ("swedensouth", "swedencentral"),
    ("switzerlandnorth", "switzerlandwest"),
    ("switzerlandwest", "switzerlandnorth"),
    ("uaenorth", "uaecentral"),
    ("uaecentral", "uaenorth"),
    ("uksouth", "ukwest"),
    ("ukwest", "uksouth"),
    ("eastus", "westus"),
    ("westus", "eastus"),
    ("eastus2", "centralus"),
    ("centralus", "eastus2"),
    ("northcentralus", "southcentralus"),
    ("southcentralus", "northcentralus"),
    ("westus2", "westcentralus"),
    ("westcentralus", "westus2"),
    ("westus3", "eastus"),
    ("chinanorth", "chinaeast"),
    ("chinanorth2", "chinaeast2"),
    ("chinanorth3", "chinaeast3"),
    ("usgovvirginia", "usgovtexas"),
    ("usgovarizona", "usgovtexas"),
    ("usdodeast", "usdodcentral"),
)


def _conflict_graph() -> dict[str, frozenset[str]]:
    graph: dict[str, set[str]] = {name: set() for name in REGIONS}
    for a, b in PAIR_EDGES:
        graph[a].add(b)
        graph[b].add(a)
    return {name: frozenset(partners) for name, partners in graph.items()}


_CONFLICTS = _conflict_graph()


def region(location: str) -> Region:
    """The region of an ARM location; unknown locations are unpaired and use UTC."""
    key = location.replace(" ", "").casefold()
    return REGIONS.get(key) or Region(key, location, "UTC", "unknown")


def conflicts(location: str) -> frozenset[str]:
    """Regions never in install together with ``location`` for one rollout (R42, Q18)."""
    return _CONFLICTS.get(location.replace(" ", "").casefold(), frozenset())
