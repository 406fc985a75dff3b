"""Render the patch-mode transition tables of docs/patch-modes.md from the planner itself.

Run ``python tests/rules/transition_table.py`` to rewrite the tables; a test
fails when the page and the planner disagree, so the page cannot drift.
"""

from __future__ import annotations

from pathlib import Path

from azpatch import PatchRulesProfile, plan_patch_settings_change
from azpatch import models as m

DOC = Path(__file__).resolve().parents[2] / "docs" / "patch-modes.md"
BEGIN, END = "<!-- transition tables: begin -->", "<!-- transition tables: end -->"
WINDOWS = ("AutomaticByOS", "AutomaticByPlatform", "Manual")
LINUX = ("ImageDefault", "AutomaticByPlatform")
IMAGES = {
    "Windows": m.ImageReference(
        publisher="MicrosoftWindowsServer",
        offer="WindowsServer",
        sku="2022-datacenter-azure-edition",
    ),
    "Linux": m.ImageReference(
        publisher="Canonical", offer="0001-com-ubuntu-server-jammy", sku="22_04-lts-gen2"
    ),
}


def _vm(os_type: str, mode: str, eau: bool) -> m.VirtualMachine:
    if os_type == "Windows":
        profile = m.OSProfile(
            windows_configuration=m.WindowsConfiguration(
                enable_automatic_updates=eau, patch_settings=m.PatchSettings(patch_mode=mode)
            )
        )
    else:
        profile = m.OSProfile(
            linux_configuration=m.LinuxConfiguration(
                patch_settings=m.LinuxPatchSettings(patch_mode=mode)
            )
        )
    return m.VirtualMachine(
        os_profile=profile, storage_profile=m.StorageProfile(image_reference=IMAGES[os_type])
    )


def _cell(vm: m.VirtualMachine, target: str, os_type: str, profile: PatchRulesProfile) -> str:
    settings = (
        m.PatchSettings(patch_mode=target)
        if os_type == "Windows"
        else m.LinuxPatchSettings(patch_mode=target)
    )
    plan = plan_patch_settings_change(vm, settings, profile=profile)
    return "allowed" if plan.refusal is None else f"`{plan.refusal.code}`"


def render() -> str:
    lines = []
    for profile in ("ga", "preview-2020", "spec-strict"):
        lines += [f"### Profile `{profile}`", ""]
        for os_type, modes in (("Windows", WINDOWS), ("Linux", LINUX)):
            states = [(mode, eau) for mode in modes for eau in (True, False)]
            if os_type == "Linux":
                states = [(mode, True) for mode in modes]
            header = "| from \\ to | " + " | ".join(modes) + " |"
            lines += [f"{os_type}:", "", header, "|---" * (len(modes) + 1) + "|"]
            for mode, eau in states:
                vm = _vm(os_type, mode, eau)
                label = (
                    f"{mode} (EAU {'true' if eau else 'false'})" if os_type == "Windows" else mode
                )
                cells = [_cell(vm, target, os_type, profile) for target in modes]  # type: ignore[arg-type]
                lines.append(f"| {label} | " + " | ".join(cells) + " |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def rewrite() -> None:
    text = DOC.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{BEGIN}\n{render()}{END}{tail}")


if __name__ == "__main__":
    rewrite()
