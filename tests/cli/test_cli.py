"""The ``azpatch`` command line against the fake's HTTP server: output, exit codes, secrets."""

from __future__ import annotations

import io
import json
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from azpatch._cli import EXIT_CODES, main
from azpatch_fake import FakeAzure, ImageRecord
from azpatch_fake._doors._server import serve

TOKEN = "secret-token-never-printed"


@pytest.fixture(scope="module")
def served() -> Iterator[FakeAzure]:
    """One server for the module; each test works on VMs of its own."""
    fake = FakeAzure(seed=1, retry_after=0)
    for name in ("win1", "win2", "flaky"):
        fake.add_vm("rg", name, os_type="Windows")
    fake.add_vm("rg", "lin1", os_type="Linux")
    fake.add_vm("rg", "odd", os_type="Linux", image=ImageRecord("Contoso", "appliance", "1"))
    fake.vm("rg", "flaky").fail_installs = True
    ready, stop = threading.Event(), threading.Event()
    options = {"ready": ready, "stop": stop, "time_scale": 5000.0, "port": 0}
    worker = threading.Thread(target=serve, args=(fake,), kwargs=options)
    worker.start()
    assert ready.wait(10)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AZPATCH_ACCESS_TOKEN", TOKEN)
        yield fake
    stop.set()
    worker.join(10)


def azpatch(fake: FakeAzure, command: str) -> tuple[int, str, str]:
    """Run ``azpatch COMMAND`` against ``fake``; (exit code, stdout, stderr)."""
    args = shlex.split(command)
    out, err = io.StringIO(), io.StringIO()
    common = ["--subscription", fake.subscription_id, "--endpoint", fake.base_url]
    code = main([*args[:2], *common, "--poll-interval", "0.02", *args[2:]], out=out, err=err)
    assert TOKEN not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def as_json(text: str) -> Any:
    return json.loads(text)


def test_show_patch_status_as_json_and_table(served: FakeAzure) -> None:
    code, out, _ = azpatch(served, "vm show-patch-status -g rg -n win1 -o json")
    assert code == 0
    status = as_json(out)
    assert status["name"] == "win1"
    assert status["patchMode"] == "AutomaticByOS"
    assert status["os"] == "Windows"
    code, table, _ = azpatch(served, "vm show-patch-status -g rg -n win1")
    assert "patchMode" in table
    assert "AutomaticByOS" in table


def test_assess_waits_and_reports_counts(served: FakeAzure) -> None:
    code, out, _ = azpatch(served, "vm assess -g rg -n win1 -o json")
    assert code == 0
    result = as_json(out)
    assert result["status"] == "Succeeded"
    assert result["criticalAndSecurity"] == 3


def test_assess_no_wait_gives_a_continuation_token(served: FakeAzure) -> None:
    code, out, _ = azpatch(served, "vm assess -g rg -n lin1 --no-wait -o json")
    assert code == 0
    accepted = as_json(out)
    assert accepted["status"] == "InProgress"
    assert accepted["continuationToken"]


def test_install_uses_the_vms_os_and_reports(served: FakeAzure) -> None:
    command = "vm install -g rg -n lin1 --classifications Critical Security"
    code, out, _ = azpatch(served, f"{command} --reboot-setting Never --max-duration PT2H -o json")
    assert code == 0, out
    assert as_json(out)["installed"] == 5  # one Critical and four Security packages


def test_a_failed_run_exits_1(served: FakeAzure) -> None:
    code, out, _ = azpatch(
        served,
        "vm install -g rg -n flaky --classifications Security --reboot-setting IfRequired -o json",
    )
    assert code == 1
    assert as_json(out)["status"] == "Failed"


def test_set_patch_mode_dry_run_writes_nothing(served: FakeAzure) -> None:
    code, out, _ = azpatch(
        served, "vm set-patch-mode -g rg -n win2 --mode AutomaticByPlatform --dry-run -o json"
    )
    assert code == 0
    assert as_json(out)["written"] is False
    assert served.vm("rg", "win2").patch_settings.patch_mode is None
    code, out, _ = azpatch(
        served, "vm set-patch-mode -g rg -n win2 --mode AutomaticByPlatform -o json"
    )
    assert code == 0
    assert as_json(out)["patchMode"] == "AutomaticByPlatform"


def test_a_refused_change_exits_2_with_arms_code(served: FakeAzure) -> None:
    code, out, err = azpatch(served, "vm set-patch-mode -g rg -n odd --mode AutomaticByPlatform")
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert "InvalidParameter" in err
    assert "Traceback" not in err


def test_a_missing_vm_exits_3_with_the_arm_error(served: FakeAzure) -> None:
    code, _, err = azpatch(served, "vm show-patch-status -g rg -n ghost")
    assert code == 3
    assert "ResourceNotFound" in err


def test_fleet_status_lists_every_vm_and_exits_1_until_compliant(served: FakeAzure) -> None:
    code, out, _ = azpatch(served, "fleet status -o json")
    rows = [row for row in as_json(out) if row["resourceGroup"] == "rg"]
    assert {row["name"] for row in rows} == {"win1", "win2", "flaky", "lin1", "odd"}
    assert code == 1  # nothing assessed yet
    code, table, _ = azpatch(served, "fleet status -g rg")
    assert table.splitlines()[0].split()[:2] == ["name", "resourceGroup"]


def test_enable_preview_registers_and_waits(served: FakeAzure) -> None:
    code, out, err = azpatch(served, "features enable-preview -o json")
    assert code == 0
    states = {row["name"]: row["state"] for row in as_json(out)}
    assert states["Microsoft.Compute"] == "Registered"
    assert "..." in err  # progress while waiting


def test_no_credential_exits_4(served: FakeAzure, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZPATCH_ACCESS_TOKEN")
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # as if the extra were missing
    code, _, err = azpatch(served, "vm show-patch-status -g rg -n win1")
    assert code == 4
    assert "AZPATCH_ACCESS_TOKEN" in err


def test_no_subscription_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    err = io.StringIO()
    assert main(["vm", "show-patch-status", "-g", "rg", "-n", "x"], err=err) == 2
    assert "--subscription" in err.getvalue()


def test_the_exit_codes_are_documented() -> None:
    assert set(EXIT_CODES) == {0, 1, 2, 3, 4, 5, 130}


def test_python_dash_m_azpatch_shows_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "azpatch", "--help"], capture_output=True, text=True, check=True
    )
    assert "features" in done.stdout
    assert "fleet" in done.stdout


def test_a_vm_never_assessed_reads_never_in_a_table_and_null_in_json(served: FakeAzure) -> None:
    served.add_vm("rg2", "new1", os_type="Windows")
    code, table, _ = azpatch(served, "vm show-patch-status -g rg2 -n new1")
    assert code == 0
    cells = dict(line.split(None, 1) for line in table.splitlines() if len(line.split()) > 1)
    assert cells["assessedAt"] == cells["assessment"] == cells["lastInstall"] == "never"
    _, out, _ = azpatch(served, "vm show-patch-status -g rg2 -n new1 -o json")
    assert as_json(out)["assessedAt"] is None


def test_after_an_install_the_old_assessment_is_marked_stale_until_re_assessed(
    served: FakeAzure,
) -> None:
    served.add_vm("rg2", "new2", os_type="Linux")
    azpatch(served, "vm assess -g rg2 -n new2")
    install = "vm install -g rg2 -n new2 --classifications critical security --reboot-setting never"
    assert azpatch(served, install)[0] == 0
    _, out, _ = azpatch(served, "vm show-patch-status -g rg2 -n new2 -o json")
    status = as_json(out)
    assert (
        status["note"] == "re-assess to refresh: the last assessment predates the last installation"
    )
    assert status["compliant"] is None  # its counts are from before the install
    assert "." not in status["assessedAt"]  # whole seconds, the same in the table
    _, table, _ = azpatch(served, "vm show-patch-status -g rg2 -n new2")
    cells = dict(line.split(None, 1) for line in table.splitlines() if len(line.split()) > 1)
    assert cells["assessedAt"] == status["assessedAt"]
    assert cells["note"] == status["note"]
    azpatch(served, "vm assess -g rg2 -n new2")
    _, out, _ = azpatch(served, "vm show-patch-status -g rg2 -n new2 -o json")
    assert as_json(out)["note"] is None
    assert as_json(out)["compliant"] is True


def test_fleet_commands_run_every_vm_report_rows_and_resume(
    served: FakeAzure, tmp_path: Any
) -> None:
    for index in range(6):
        served.add_vm("fleet-cli", f"vm{index}", os_type="Windows" if index % 2 else "Linux")
    served.add_vm("fleet-cli", "no-agent", provision_vm_agent=False)
    code, out, err = azpatch(
        served, "fleet set-patch-mode -g fleet-cli --mode AutomaticByPlatform -o json"
    )
    rows = {row["name"]: row for row in as_json(out)}
    assert code == 1  # one refusal
    assert rows["no-agent"]["outcome"] == "refused"
    assert rows["vm0"]["outcome"] == "succeeded"
    assert "done" in err
    checkpoint = tmp_path / "assess.jsonl"
    code, out, _ = azpatch(served, f"fleet assess -g fleet-cli --resume {checkpoint} -o csv")
    lines = out.splitlines()
    assert lines[0].startswith("name,resourceGroup,subscription,outcome")
    assert len(lines) == 8
    code, again, _ = azpatch(served, f"fleet assess -g fleet-cli --resume {checkpoint} -o json")
    assert len(as_json(again)) == 7  # read back from the checkpoint, nothing sent again
    code, out, _ = azpatch(
        served,
        "fleet install -g fleet-cli --classifications Critical Security --reboot-setting IfRequired"
        " -o json --max-concurrency 4",
    )
    assert {row["outcome"] for row in as_json(out)} == {"succeeded"}
    code, out, _ = azpatch(served, "fleet status -g fleet-cli -o json")
    rows = {row["name"]: row for row in as_json(out)}
    assert rows["no-agent"]["notAutomaticByPlatform"].startswith("InvalidParameter")
    assert rows["vm0"]["notAutomaticByPlatform"] is None


def test_fleet_over_all_subscriptions_reads_every_one_the_credential_sees(
    served: FakeAzure,
) -> None:
    other = "0000aaaa-0000-0000-0000-000000000042"
    served.add_vm("elsewhere", "far", subscription_id=other)
    code, out, err = azpatch(served, "fleet status --subscription all -o json")
    rows = as_json(out)
    assert {row["subscription"] for row in rows} == {served.subscription_id, other}
    assert [row["name"] for row in rows if row["subscription"] == other] == ["far"]
    code, _, err = azpatch(served, "fleet assess --subscription all -g rg")
    assert code == 2
    assert "--subscription all" in err


def test_fleet_bad_options_exit_2_before_any_request(served: FakeAzure) -> None:
    for bad in ("--max-concurrency 0", "--max-concurrency x", "-o xml"):
        with pytest.raises(SystemExit) as exit_:
            azpatch(served, f"fleet assess -g rg {bad}")
        assert exit_.value.code == 2
    code, _, err = azpatch(served, "fleet assess --subscription nope -g rg")
    assert code == 2
    assert "target '/subscriptions/nope/resourceGroups/rg'" in err
