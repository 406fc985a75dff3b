"""The az CLI against the emulator, run inside a network namespace that holds only loopback
(``unshare -rn``, started by compat/test_az_cli.py): nothing az tries can leave the machine,
not Azure, not the VM metadata address. Prints one JSON object: each command's output.

Every az call goes through ``az()``, which always sets the throwaway config dir, the
emulator's CA bundle and identity variables, and turns telemetry off.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SUBSCRIPTION = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"  # invented here: created on first use
# The compat clients' Windows VM, created in AutomaticByOS so that az can switch it.
VM = json.loads((Path(__file__).parents[1] / "windows_vm.json").read_text(encoding="utf-8"))
VM["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] = (
    "AutomaticByOS"
)
VM["properties"]["osProfile"]["computerName"] = "vm1"


def main(az_binary: str, cert: str, key: str) -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    command = [sys.executable, "-m", "azpatch_fake", "serve", "--require-auth"]
    command += ["--subscription", SUBSCRIPTION, "--tls-cert", cert, "--tls-key", key]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    server.stdout.readline()
    exports: dict[str, str] = {}
    while "AZURE_AUTHORITY_HOST" not in exports:
        name, _, value = server.stdout.readline().removeprefix("export ").strip().partition("=")
        exports[name] = value
    url = exports["AZPATCH_FAKE_URL"]
    with tempfile.TemporaryDirectory() as config:
        environment = {
            **os.environ,
            **exports,
            "AZURE_CONFIG_DIR": config,
            "REQUESTS_CA_BUNDLE": cert,
            "AZURE_CORE_COLLECT_TELEMETRY": "false",
            "AZURE_CORE_ONLY_SHOW_ERRORS": "true",
            "AZURE_CORE_NO_COLOR": "true",
        }

        def az(*arguments: str) -> dict[str, Any]:
            ran = subprocess.run(
                [az_binary, *arguments, "--output", "json"],
                env=environment,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            output = json.loads(ran.stdout) if ran.stdout.strip() else None
            return {"rc": ran.returncode, "out": output, "err": ran.stderr.strip()}

        vm_file = Path(config) / "vm.json"
        vm_file.write_text(json.dumps(VM), encoding="utf-8")
        vm_url = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers"
        vm_url += "/Microsoft.Compute/virtualMachines/vm1?api-version=2024-07-01"
        mode = "osProfile.windowsConfiguration.patchSettings.patchMode"
        results = {
            "cloud": az(
                "cloud", "register", "-n", "AzpatchFake", "--endpoint-resource-manager", url
            ),
            "cloud_set": az("cloud", "set", "-n", "AzpatchFake"),
            "login": az("login", "--identity"),
            "feature_register": az(
                "feature",
                "register",
                "--namespace",
                "Microsoft.Compute",
                "--name",
                "InGuestPatchVMPreview",
            ),
            "feature_show": az(
                "feature",
                "show",
                "--namespace",
                "Microsoft.Compute",
                "--name",
                "InGuestPatchVMPreview",
                "--query",
                "properties.state",
            ),
            "provider_register": az("provider", "register", "--namespace", "Microsoft.Compute"),
            "provider_show": az(
                "provider", "show", "-n", "Microsoft.Compute", "--query", "registrationState"
            ),
            "group_create": az(
                "group", "create", "-n", "rg", "-l", "westeurope", "--query", "name"
            ),
            "group_exists": az("group", "exists", "-n", "rg"),
            "vm_put": az(
                "rest",
                "--method",
                "put",
                "--url",
                vm_url,
                "--body",
                f"@{vm_file}",
                "--query",
                "name",
            ),
            "vm_show": az("vm", "show", "-g", "rg", "-n", "vm1", "--query", mode),
            "instance_view": az(
                "vm",
                "get-instance-view",
                "-g",
                "rg",
                "-n",
                "vm1",
                "--query",
                "instanceView.vmAgent.vmAgentVersion",
            ),
            "vm_list": az("vm", "list", "-g", "rg", "--query", "[].name"),
            "assess": az(
                "vm",
                "assess-patches",
                "-g",
                "rg",
                "-n",
                "vm1",
                "--query",
                "[status, criticalAndSecurityPatchCount]",
            ),
            "install": az(
                "vm",
                "install-patches",
                "-g",
                "rg",
                "-n",
                "vm1",
                "--maximum-duration",
                "PT4H",
                "--reboot-setting",
                "IfRequired",
                "--classifications-to-include-win",
                "Critical",
                "Security",
                "--query",
                "[status, installedPatchCount]",
            ),
            "update": az(
                "vm",
                "update",
                "-g",
                "rg",
                "-n",
                "vm1",
                "--set",
                f"{mode}=AutomaticByPlatform",
                "--query",
                mode,
            ),
            "refused": az("vm", "update", "-g", "rg", "-n", "vm1", "--set", f"{mode}=Manual"),
            "after": az("vm", "show", "-g", "rg", "-n", "vm1", "--query", mode),
        }
        # A service principal through the client-credentials endpoint; az checks an unknown
        # authority with login.microsoftonline.com unless instance discovery is off.
        environment["AZURE_CORE_INSTANCE_DISCOVERY"] = "false"
        results["sp_login"] = az(
            "login",
            "--service-principal",
            "-u",
            "my-app",
            "-p",
            "s3cret",
            "--tenant",
            exports["AZURE_TENANT_ID"],
        )
        results["sp_list"] = az("vm", "list", "--query", "[].name")
    server.terminate()
    server.wait(10)
    print(json.dumps(results))


if __name__ == "__main__":
    main(*sys.argv[1:4])
