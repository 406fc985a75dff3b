"""One platform install run, computed up front (R26, R29 to R36, Q12, Q13)."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from azpatch_fake import Patch
from azpatch_fake._orchestration._install_run import plan_run

MINUTE = 60.0
RELEASED = datetime(2027, 1, 12, 17, tzinfo=timezone.utc)
CLASSIFICATIONS = ("Critical", "Security", "Definition", "UpdateRollUp", "ServicePack", "Other")


def patch(name: str, classification: str = "Security", reboot: str = "NeverReboots") -> Patch:
    return Patch(name, name, classification, RELEASED, reboot_behavior=reboot)


def run(available: list[Patch], **overrides: object):  # type: ignore[no-untyped-def]
    arguments: dict[str, object] = {
        "start": 0.0,
        "os_type": "Windows",
        "available": available,
        "reboot_setting": "IfRequired",
        "reboot_pending": False,
        "assessment": 2 * MINUTE,
        "overhead": 2 * MINUTE,
        "per_patch": MINUTE,
        "run_duration": 235 * MINUTE,
        "reboot_duration": 5 * MINUTE,
        "health_wait": 5 * MINUTE,
    }
    return plan_run(**(arguments | overrides))  # type: ignore[arg-type]


def test_r26_only_critical_and_security_are_installed() -> None:
    plan = run(
        [
            patch("cu"),
            patch("ssu", "Critical"),
            patch("def", "Definition"),
            patch("msrt", "UpdateRollUp"),
        ]
    )
    assert [p.name for p in plan.installed] == ["cu", "ssu"]
    assert [p.name for p in plan.not_selected] == ["def", "msrt"]
    assert plan.status == "Succeeded"


def test_r29_r30_windows_updates_stop_starting_15_minutes_before_the_end() -> None:
    # 4 minutes of assessment and overhead, then 10 minutes a patch: starts at 4, 14, 24, 34;
    # a 40-minute run lets no update start after minute 25.
    plan = run([patch(f"kb{i}") for i in range(4)], per_patch=10 * MINUTE, run_duration=40 * MINUTE)
    assert [p.name for p in plan.installed] == ["kb0", "kb1", "kb2"]
    assert [p.name for p in plan.pending] == ["kb3"]
    assert plan.window_exceeded
    assert plan.status == "CompletedWithWarnings"  # Q12


def test_r30_an_update_may_start_until_15_minutes_before_the_end() -> None:
    assert run([patch("kb")], run_duration=19 * MINUTE).installed  # starts at 4 <= 19 - 15
    assert run([patch("kb")], run_duration=18 * MINUTE).pending
    # Service packs (20 minutes) are never selected by the platform (R26).
    assert not run([patch("sp", "ServicePack")]).installed


def test_r31_linux_keeps_room_for_a_reboot_unless_it_is_never() -> None:
    patches = [patch(f"pkg{i}") for i in range(3)]
    tight = {"os_type": "Linux", "per_patch": 5 * MINUTE, "run_duration": 30 * MINUTE}
    assert len(run(patches, **tight).installed) == 2  # starts at 4 and 9; none after 10
    assert len(run(patches, reboot_setting="Never", **tight).installed) == 3  # none after 25


def test_r32_what_did_not_start_stays_pending_and_counts_add_up() -> None:
    plan = run([patch(f"kb{i}") for i in range(10)], run_duration=30 * MINUTE)
    assert len(plan.installed) + len(plan.pending) == 10
    assert plan.install_end <= 30 * MINUTE


def test_r36_if_required_reboots_when_a_patch_asks_within_the_cutoff() -> None:
    plan = run([patch("kernel", reboot="AlwaysRequiresReboot")])
    assert plan.reboot_status == "Completed"
    assert plan.reboot_end == plan.install_end + 5 * MINUTE
    assert plan.verdict_at == plan.reboot_end + 5 * MINUTE  # R44: five minutes of health wait


def test_r36_never_leaves_the_reboot_required() -> None:
    plan = run([patch("kernel", reboot="CanRequestReboot")], reboot_setting="Never")
    assert plan.reboot_status == "Required"
    assert plan.reboot_end is None


def test_r36_always_reboots_even_when_nothing_asks() -> None:
    assert run([patch("kb")], reboot_setting="Always").reboot_status == "Completed"
    assert run([patch("kb")]).reboot_status == "NotNeeded"


def test_r36_a_reboot_pending_before_the_run_is_done_by_if_required() -> None:
    assert run([], reboot_pending=True).reboot_status == "Completed"


def test_r30_no_reboot_in_the_last_ten_minutes() -> None:
    # Starts at minute 4 (no later than 20 - 15), ends at 14: six minutes left.
    kernel = [patch("kernel", reboot="AlwaysRequiresReboot")]
    plan = run(kernel, per_patch=10 * MINUTE, run_duration=20 * MINUTE)
    assert plan.installed
    assert plan.reboot_status == "Required"


def test_q13_unknown_reboot_setting_means_if_required() -> None:
    assert (
        run([patch("k", reboot="AlwaysRequiresReboot")], reboot_setting="Unknown").reboot_status
        == "Completed"
    )


def test_r35_failures_make_the_run_failed() -> None:
    assert run([patch("kb")], fail_installs=True).status == "Failed"
    assert run([patch("kb")], reboot_setting="Always", fail_reboots=True).status == "Failed"


@given(
    classifications=st.lists(st.sampled_from(CLASSIFICATIONS), max_size=30),
    per_patch=st.integers(1, 90),
    duration=st.integers(10, 300),
    os_type=st.sampled_from(["Windows", "Linux"]),
)
def test_r34_counts_always_add_up(
    classifications: list[str], per_patch: int, duration: int, os_type: str
) -> None:
    available = [patch(f"p{i}", c) for i, c in enumerate(classifications)]
    plan = run(
        available,
        os_type=os_type,
        per_patch=per_patch * MINUTE,
        run_duration=duration * MINUTE,
    )
    selected = [p for p in available if p.classification in ("Critical", "Security")]
    assert len(plan.installed) + len(plan.failed) + len(plan.pending) == len(selected)
    assert len(plan.not_selected) == len(available) - len(selected)
    assert plan.installed == tuple(selected[: len(plan.installed)])  # in order, then pending
    assert plan.window_exceeded == bool(plan.pending)
