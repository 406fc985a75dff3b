"""The marketplace images that guest patching supports (publisher, offer, sku), compared
without case, as published in Microsoft's automatic VM guest patching documentation.

Source: MicrosoftDocs/azure-compute-docs, articles/virtual-machines/
automatic-vm-guest-patching.md ("Supported OS images", 2024-07 revision).
On-demand assessment and installation, and AutomaticByPlatform, are refused
for a marketplace image outside this table. Custom and gallery images (no
publisher) are accepted and left to the caller, as the orchestration rules'
default says. Extend the table when Microsoft does.
"""

from __future__ import annotations

from ._records import ImageRecord

__all__ = [
    "DEFAULT_IMAGES",
    "HOTPATCHABLE",
    "PREVIEW_2020",
    "SUPPORTED",
    "UNSUPPORTED_IMAGE_MESSAGE",
    "is_hotpatchable",
    "is_supported",
]

UNSUPPORTED_IMAGE_MESSAGE = (
    "The selected VM image is not supported for VM Guest patch operations."
    " Learn more at: https://aka.ms/VMGuestPatchingCompatibility"
)


def _skus(publisher: str, offer: str, *skus: str) -> set[tuple[str, str, str]]:
    return {(publisher.casefold(), offer.casefold(), sku.casefold()) for sku in skus}


_WINDOWS = "MicrosoftWindowsServer"
_CIS = "Center-for-Internet-Security-Inc"
# The documentation's "Supported Windows Images (Hotpatchable)" table.
HOTPATCHABLE: frozenset[tuple[str, str, str]] = frozenset(
    _skus(
        _WINDOWS,
        "WindowsServer",
        "2025-datacenter-azure-edition",
        "2025-datacenter-azure-edition-core",
        "2025-datacenter-azure-edition-smalldisk",
        "2025-datacenter-azure-edition-core-smalldisk",
        "2022-datacenter-azure-edition-core-smalldisk",
        "2022-datacenter-azure-edition-core",
        "2022-datacenter-azure-edition-hotpatch",
        "2022-datacenter-azure-edition-hotpatch-smalldisk",
    )
)
# The preview's list (2021-02): Ubuntu 18.04, RHEL 7.x and five Windows Server SKUs.
PREVIEW_2020: frozenset[tuple[str, str, str]] = frozenset(
    _skus("Canonical", "UbuntuServer", "18.04-LTS")
    | _skus("RedHat", "RHEL", "7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.8", "7_9")
    | _skus(
        _WINDOWS,
        "WindowsServer",
        "2012-R2-Datacenter",
        "2016-Datacenter",
        "2016-Datacenter-Server-Core",
        "2019-Datacenter",
        "2019-Datacenter-Core",
    )
)
SUPPORTED: frozenset[tuple[str, str, str]] = PREVIEW_2020 | frozenset(
    _skus(
        _WINDOWS,
        "WindowsServer",
        "2008-R2-SP1",
        "2012-R2-Datacenter",
        "2012-R2-Datacenter-gensecond",
        "2012-R2-Datacenter-smalldisk",
        "2012-R2-Datacenter-smalldisk-g2",
        "2016-Datacenter",
        "2016-datacenter-gensecond",
        "2016-Datacenter-Server-Core",
        "2016-datacenter-smalldisk",
        "2016-datacenter-with-containers",
        "2019-Datacenter",
        "2019-Datacenter-Core",
        "2019-datacenter-gensecond",
        "2019-datacenter-smalldisk",
        "2019-datacenter-smalldisk-g2",
        "2019-datacenter-with-containers",
        "2022-datacenter",
        "2022-datacenter-azure-edition",
        "2022-datacenter-azure-edition-core",
        "2022-datacenter-azure-edition-core-smalldisk",
        "2022-datacenter-azure-edition-hotpatch",
        "2022-datacenter-azure-edition-hotpatch-smalldisk",
        "2022-datacenter-azure-edition-smalldisk",
        "2022-datacenter-core",
        "2022-datacenter-core-g2",
        "2022-datacenter-g2",
        "2022-datacenter-smalldisk",
        "2022-datacenter-smalldisk-g2",
        "2025-datacenter",
        "2025-datacenter-core",
        "2025-datacenter-core-smalldisk",
        "2025-datacenter-smalldisk",
        "2025-datacenter-azure-edition",
        "2025-datacenter-azure-edition-core",
        "2025-datacenter-azure-edition-core-smalldisk",
        "2025-datacenter-azure-edition-smalldisk",
    )
    | _skus(
        _WINDOWS, "WindowsServerHotpatch-previews", "windows-server-2022-azure-edition-hotpatch"
    )
    | _skus(
        _WINDOWS,
        "MicrosoftServerOperatingSystems-previews",
        "windows-server-2025-azure-edition-hotpatch",
    )
    | _skus(_CIS, "cis-windows-server-2019-v1-0-0-l2", "cis-ws2019-l2")
    | _skus(
        _CIS,
        "cis-windows-server",
        "cis-windows-server2019-l1-gen1",
        "cis-windows-server2022-l1-gen1",
        "cis-windows-server2022-l1-gen2",
        "cis-windows-server2022-l2-gen2",
    )
    | _skus(_CIS, "cis-windows-server-2022-l2", "cis-windows-server-2022-l2-gen2")
    | _skus(
        "AlmaLinux",
        "almalinux-hpc",
        "8-hpc-gen2",
        "8_5-hpc",
        "8_5-hpc-gen2",
        "8_6-hpc",
        "8_6-hpc-gen2",
        "8_7-hpc-gen1",
        "8_7-hpc-gen2",
        "8_10-hpc-gen1",
        "8_10-hpc-gen2",
    )
    | _skus(
        "Canonical",
        "UbuntuServer",
        "16.04-LTS",
        "16.04.0-LTS",
        "18.04-LTS",
        "18_04-LTS-arm64",
        "18_04-LTS-gen2",
    )
    | _skus(
        "Canonical",
        "ubuntu-24_04-lts",
        "cvm",
        "server",
        "server-arm64",
        "server-gen1",
        "ubuntu-pro",
        "ubuntu-pro-cvm",
    )
    | _skus("Canonical", "0001-com-ubuntu-confidential-vm-focal", "20_04-lts-cvm")
    | _skus("Canonical", "0001-com-ubuntu-confidential-vm-jammy", "22_04-lts-cvm")
    | _skus("Canonical", "0001-com-ubuntu-pro-bionic", "pro-18_04-lts")
    | _skus("Canonical", "0001-com-ubuntu-pro-focal", "pro-20_04-lts", "pro-20_04-lts-gen2")
    | _skus("Canonical", "0001-com-ubuntu-pro-jammy", "pro-22_04-lts-gen2")
    | _skus(
        "Canonical",
        "0001-com-ubuntu-server-focal",
        "20_04-lts",
        "20_04-lts-arm64",
        "20_04-lts-gen2",
    )
    | _skus(
        "Canonical",
        "0001-com-ubuntu-server-jammy",
        "22_04-lts",
        "22_04-lts-arm64",
        "22_04-lts-gen2",
    )
    | _skus(_CIS, "cis-rhel-7-v2-2-0-l1", "cis-redhat7-l1")
    | _skus(
        _CIS,
        "cis-rhel",
        "cis-redhat7-l2-gen1",
        "cis-redhat8-l1-gen1",
        "cis-redhat8-l1-gen2",
        "cis-redhat8-l2-gen1",
        "cis-redhat9-l1-gen2",
        "cis-redhat9-l2-gen2",
    )
    | _skus(_CIS, "cis-ubuntu-linux-2004-l1", "cis-ubuntu-linux-2004-l1")
    | _skus(_CIS, "cis-ubuntu-linux-2204-l1", "cis-ubuntu-linux-2204-l1")
    | _skus(
        _CIS,
        "cis-ubuntu",
        "cis-ubuntulinux2004-l1-gen1",
        "cis-ubuntulinux2204-l1-gen2",
        "cis-ubuntulinux2404-l1-gen1",
        "cis-ubuntulinux2404-l1-gen2",
    )
    | _skus("MicrosoftCblMariner", "azure-linux-3", "azure-linux-3-gen2")
    | _skus(
        "MicrosoftCblMariner",
        "cbl-mariner",
        "cbl-mariner-1",
        "1-gen2",
        "cbl-mariner-2",
        "cbl-mariner-2-arm64",
        "cbl-mariner-2-gen2",
        "cbl-mariner-2-gen2-fips",
    )
    | _skus("Microsoft-AKS", "aks", "aks-engine-ubuntu-1804-202112")
    | _skus("Microsoft-DSVM", "aml-workstation", "ubuntu-20", "ubuntu-20-gen2")
    | _skus(
        "Microsoft-DSVM",
        "ubuntu-hpc",
        "1804",
        "1804-ncv4",
        "2004",
        "2004-preview-ndv5",
        "2204",
        "2204-preview-ndv5",
    )
    | _skus(
        "Redhat",
        "RHEL",
        "7.2",
        "7.3",
        "7.4",
        "7.5",
        "7.6",
        "7.7",
        "7.8",
        "7_9",
        "7-lvm",
        "7-raw",
        "8",
        "8.1",
        "81gen2",
        "8.2",
        "82gen2",
        "8_3",
        "83-gen2",
        "8_4",
        "84-gen2",
        "8_5",
        "85-gen2",
        "8_6",
        "86-gen2",
        "8_7",
        "8_8",
        "8_10",
        "8-lvm",
        "8-lvm-gen2",
        "9_0",
        "9_1",
        "9_2",
        "9_3",
        "9_4",
        "9-lvm",
        "9-lvm-gen2",
    )
    | _skus("Redhat", "RHEL-RAW", "8-raw", "8-raw-gen2")
    | _skus("Redhat", "RHEL-ARM64", "8_6-arm64", "9_0-arm64", "9_1-arm64")
    | _skus("Redhat", "RHEL-SAP-APPS", "86sapapps-gen2", "88sapapps-gen2")
    | _skus("Redhat", "RHEL-SAP-HA", "86sapha-gen2", "88sapha-gen2")
    | _skus("SUSE", "sles-12-sp5", "gen1", "gen2")
    | _skus("SUSE", "sles-15-sp2", "gen1", "gen2")
    | _skus("SUSE", "sles-sap-15-sp4", "gen2")
    | _skus("SUSE", "sles-sap-15-sp5", "gen2")
)


# What a VM is created from when its request names no image.
DEFAULT_IMAGES = {
    "Windows": ImageRecord(
        "MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition"
    ),
    "Linux": ImageRecord("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"),
}


def is_hotpatchable(image: ImageRecord) -> bool:
    key = (image.publisher.casefold(), image.offer.casefold(), image.sku.casefold())
    return key in HOTPATCHABLE


def is_supported(image: ImageRecord) -> bool:
    """Whether guest patching supports ``image``; custom and gallery images are let through."""
    if not image.publisher:
        return True
    return (image.publisher.casefold(), image.offer.casefold(), image.sku.casefold()) in SUPPORTED
