"""The marketplace images guest patching supports: one table, easy to extend.

Rows are (publisher, offer, sku), compared without case, from Microsoft's
"Automatic VM guest patching" documentation (MicrosoftDocs/azure-compute-docs,
articles/virtual-machines/automatic-vm-guest-patching.md, "Supported OS
images", 2024-07). ``HOTPATCHABLE`` is the documentation's hotpatch table.
Add a row when Microsoft adds an image.
"""

from __future__ import annotations

__all__ = ["HOTPATCHABLE", "PREVIEW_2020", "SUPPORTED"]

Row = tuple[str, str, str]


def _rows(publisher: str, offer: str, skus: str) -> frozenset[Row]:
    return frozenset((publisher.casefold(), offer.casefold(), s.casefold()) for s in skus.split())


_WS = ("MicrosoftWindowsServer", "WindowsServer")
_CIS = "Center-for-Internet-Security-Inc"

HOTPATCHABLE: frozenset[Row] = _rows(
    *_WS,
    "2025-datacenter-azure-edition 2025-datacenter-azure-edition-core"
    " 2025-datacenter-azure-edition-smalldisk 2025-datacenter-azure-edition-core-smalldisk"
    " 2022-datacenter-azure-edition-core-smalldisk 2022-datacenter-azure-edition-core"
    " 2022-datacenter-azure-edition-hotpatch 2022-datacenter-azure-edition-hotpatch-smalldisk",
)

# The preview's seven SKUs (2021-02 revision); its "RHEL 7.x" row is the RHEL 7 images.
PREVIEW_2020: frozenset[Row] = (
    _rows("Canonical", "UbuntuServer", "18.04-LTS")
    | _rows("RedHat", "RHEL", "7.2 7.3 7.4 7.5 7.6 7.7 7.8 7_9")
    | _rows(
        *_WS,
        "2012-R2-Datacenter 2016-Datacenter 2016-Datacenter-Server-Core 2019-Datacenter"
        " 2019-Datacenter-Core",
    )
)

SUPPORTED: frozenset[Row] = HOTPATCHABLE.union(
    PREVIEW_2020,
    _rows(
        *_WS,
        "2008-R2-SP1 2012-R2-Datacenter 2012-R2-Datacenter-gensecond 2012-R2-Datacenter-smalldisk"
        " 2012-R2-Datacenter-smalldisk-g2 2016-Datacenter 2016-datacenter-gensecond"
        " 2016-Datacenter-Server-Core 2016-datacenter-smalldisk 2016-datacenter-with-containers"
        " 2019-Datacenter 2019-Datacenter-Core 2019-datacenter-gensecond 2019-datacenter-smalldisk"
        " 2019-datacenter-smalldisk-g2 2019-datacenter-with-containers 2022-datacenter"
        " 2022-datacenter-azure-edition 2022-datacenter-azure-edition-smalldisk"
        " 2022-datacenter-core 2022-datacenter-core-g2 2022-datacenter-g2"
        " 2022-datacenter-smalldisk 2022-datacenter-smalldisk-g2 2025-datacenter"
        " 2025-datacenter-core 2025-datacenter-core-smalldisk 2025-datacenter-smalldisk",
    ),
    _rows(
        "MicrosoftWindowsServer",
        "WindowsServerHotpatch-previews",
        "windows-server-2022-azure-edition-hotpatch",
    ),
    _rows(
        "MicrosoftWindowsServer",
        "MicrosoftServerOperatingSystems-previews",
        "windows-server-2025-azure-edition-hotpatch",
    ),
    _rows(_CIS, "cis-windows-server-2019-v1-0-0-l2", "cis-ws2019-l2"),
    _rows(
        _CIS,
        "cis-windows-server",
        "cis-windows-server2019-l1-gen1 cis-windows-server2022-l1-gen1"
        " cis-windows-server2022-l1-gen2 cis-windows-server2022-l2-gen2",
    ),
    _rows(_CIS, "cis-windows-server-2022-l2", "cis-windows-server-2022-l2-gen2"),
    _rows(
        "AlmaLinux",
        "almalinux-hpc",
        "8-hpc-gen2 8_5-hpc 8_5-hpc-gen2 8_6-hpc 8_6-hpc-gen2 8_7-hpc-gen1 8_7-hpc-gen2"
        " 8_10-hpc-gen1 8_10-hpc-gen2",
    ),
    _rows(
        "Canonical",
        "UbuntuServer",
        "16.04-LTS 16.04.0-LTS 18.04-LTS 18_04-LTS-arm64 18_04-LTS-gen2",
    ),
    _rows(
        "Canonical",
        "ubuntu-24_04-lts",
        "cvm server server-arm64 server-gen1 ubuntu-pro ubuntu-pro-cvm",
    ),
    _rows("Canonical", "0001-com-ubuntu-confidential-vm-focal", "20_04-lts-cvm"),
    _rows("Canonical", "0001-com-ubuntu-confidential-vm-jammy", "22_04-lts-cvm"),
    _rows("Canonical", "0001-com-ubuntu-pro-bionic", "pro-18_04-lts"),
    _rows("Canonical", "0001-com-ubuntu-pro-focal", "pro-20_04-lts pro-20_04-lts-gen2"),
    _rows("Canonical", "0001-com-ubuntu-pro-jammy", "pro-22_04-lts-gen2"),
    _rows("Canonical", "0001-com-ubuntu-server-focal", "20_04-lts 20_04-lts-arm64 20_04-lts-gen2"),
    _rows("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts 22_04-lts-arm64 22_04-lts-gen2"),
    _rows(_CIS, "cis-rhel-7-v2-2-0-l1", "cis-redhat7-l1"),
    _rows(
        _CIS,
        "cis-rhel",
        "cis-redhat7-l2-gen1 cis-redhat8-l1-gen1 cis-redhat8-l1-gen2 cis-redhat8-l2-gen1"
        " cis-redhat9-l1-gen2 cis-redhat9-l2-gen2",
    ),
    _rows(_CIS, "cis-ubuntu-linux-2004-l1", "cis-ubuntu-linux-2004-l1"),
    _rows(_CIS, "cis-ubuntu-linux-2204-l1", "cis-ubuntu-linux-2204-l1"),
    _rows(
        _CIS,
        "cis-ubuntu",
        "cis-ubuntulinux2004-l1-gen1 cis-ubuntulinux2204-l1-gen2 cis-ubuntulinux2404-l1-gen1"
        " cis-ubuntulinux2404-l1-gen2",
    ),
    _rows("MicrosoftCblMariner", "azure-linux-3", "azure-linux-3-gen2"),
    _rows(
        "MicrosoftCblMariner",
        "cbl-mariner",
        "cbl-mariner-1 1-gen2 cbl-mariner-2 cbl-mariner-2-arm64 cbl-mariner-2-gen2"
        " cbl-mariner-2-gen2-fips",
    ),
    _rows("Microsoft-AKS", "aks", "aks-engine-ubuntu-1804-202112"),
    _rows("Microsoft-DSVM", "aml-workstation", "ubuntu-20 ubuntu-20-gen2"),
    _rows(
        "Microsoft-DSVM",
        "ubuntu-hpc",
        "1804 1804-ncv4 2004 2004-preview-ndv5 2204 2204-preview-ndv5",
    ),
    _rows(
        "Redhat",
        "RHEL",
        "7.2 7.3 7.4 7.5 7.6 7.7 7.8 7_9 7-lvm 7-raw 8 8.1 81gen2 8.2 82gen2 8_3 83-gen2 8_4"
        " 84-gen2 8_5 85-gen2 8_6 86-gen2 8_7 8_8 8_10 8-lvm 8-lvm-gen2 9_0 9_1 9_2 9_3 9_4"
        " 9-lvm 9-lvm-gen2",
    ),
    _rows("Redhat", "RHEL-RAW", "8-raw 8-raw-gen2"),
    _rows("Redhat", "RHEL-ARM64", "8_6-arm64 9_0-arm64 9_1-arm64"),
    _rows("Redhat", "RHEL-SAP-APPS", "86sapapps-gen2 88sapapps-gen2"),
    _rows("Redhat", "RHEL-SAP-HA", "86sapha-gen2 88sapha-gen2"),
    _rows("SUSE", "sles-12-sp5", "gen1 gen2"),
    _rows("SUSE", "sles-15-sp2", "gen1 gen2"),
    _rows("SUSE", "sles-sap-15-sp4", "gen2"),
    _rows("SUSE", "sles-sap-15-sp5", "gen2"),
)
