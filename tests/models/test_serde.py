"""The converter's contract, case by case: names, enums, nulls, time values and errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from azpatch import InvalidArgumentError, ResponseValidationError, from_wire, to_wire
from azpatch import models as m

UTC = timezone.utc


def test_unknown_keys_are_ignored() -> None:
    status = from_wire(m.InstanceViewStatus, {"code": "PowerState/running", "newField": [1, 2]})
    assert status == m.InstanceViewStatus(code="PowerState/running")


def test_known_enum_values_become_members() -> None:
    settings = from_wire(m.PatchSettings, {"patchMode": "AutomaticByPlatform"})
    assert settings.patch_mode is m.WindowsVMGuestPatchMode.AUTOMATIC_BY_PLATFORM


def test_unknown_enum_values_stay_strings() -> None:
    settings = from_wire(m.PatchSettings, {"patchMode": "AutomaticByAI"})
    assert settings.patch_mode == "AutomaticByAI"
    assert type(settings.patch_mode) is str
    assert to_wire(settings) == {"patchMode": "AutomaticByAI"}


def test_wire_enums_compare_to_and_print_as_their_value() -> None:
    assert m.PatchOperationStatus.SUCCEEDED == "Succeeded"
    assert str(m.PatchOperationStatus.SUCCEEDED) == "Succeeded"
    assert f"{m.LinuxVMGuestPatchMode.IMAGE_DEFAULT}" == "ImageDefault"


@pytest.mark.parametrize("state", ["registered", "Registered", "REGISTERED"])
def test_feature_states_match_in_any_case(state: str) -> None:
    feature = from_wire(m.FeatureResult, {"properties": {"state": state}})
    assert feature.properties is not None
    assert feature.properties.state is m.SubscriptionFeatureRegistrationState.REGISTERED
    assert m.SubscriptionFeatureRegistrationState(state) is feature.properties.state


def test_case_sensitive_enums_keep_other_spellings_as_strings() -> None:
    settings = from_wire(m.PatchSettings, {"patchMode": "manual"})
    assert settings.patch_mode == "manual"
    assert settings.patch_mode is not m.WindowsVMGuestPatchMode.MANUAL


def test_provider_states_match_in_any_case() -> None:
    provider = from_wire(m.Provider, {"registrationState": "registering"})
    assert provider.registration_state is m.ProviderRegistrationState.REGISTERING


def test_authorization_profile_accepts_both_casings() -> None:
    pascal = from_wire(
        m.AuthorizationProfile, {"Requester": "ada", "ApprovedTime": "2021-07-01T00:00:00Z"}
    )
    camel = from_wire(
        m.AuthorizationProfile, {"requester": "ada", "approvedTime": "2021-07-01T00:00:00Z"}
    )
    assert pascal == camel
    assert to_wire(pascal) == {"requester": "ada", "approvedTime": "2021-07-01T00:00:00Z"}


def test_wire_names_that_are_not_camel_case() -> None:
    error = m.ApiError(inner_error=m.InnerError(exception_type="E", error_detail="d"))
    assert to_wire(error) == {"innererror": {"exceptiontype": "E", "errordetail": "d"}}
    windows = m.WindowsConfiguration(
        provision_vm_agent=True, enable_vm_agent_platform_updates=False
    )
    assert to_wire(windows) == {"provisionVMAgent": True, "enableVMAgentPlatformUpdates": False}
    view = m.VirtualMachineInstanceView(is_vm_in_standby_pool=True, hyper_v_generation="V2")
    assert to_wire(view) == {"hyperVGeneration": "V2", "isVMInStandbyPool": True}


def test_vm_properties_are_nested_on_the_wire() -> None:
    vm = m.VirtualMachine(
        name="vm1", location="westeurope", provisioning_state="Succeeded", zones=("1",)
    )
    assert to_wire(vm) == {
        "name": "vm1",
        "location": "westeurope",
        "zones": ["1"],
        "properties": {"provisioningState": "Succeeded"},
    }
    update = m.VirtualMachineUpdate(
        os_profile=m.OSProfile(
            linux_configuration=m.LinuxConfiguration(
                patch_settings=m.LinuxPatchSettings(patch_mode="AutomaticByPlatform")
            )
        )
    )
    assert to_wire(update) == {
        "properties": {
            "osProfile": {
                "linuxConfiguration": {"patchSettings": {"patchMode": "AutomaticByPlatform"}}
            }
        }
    }


def test_fields_never_set_are_omitted() -> None:
    assert to_wire(m.PatchSettings()) == {}
    assert to_wire(m.VirtualMachine()) == {}


def test_explicit_nulls_are_sent_when_asked_for() -> None:
    settings = m.PatchSettings(
        patch_mode=m.WindowsVMGuestPatchMode.AUTOMATIC_BY_OS,
        explicit_nulls=frozenset({"automatic_by_platform_settings"}),
    )
    assert to_wire(settings) == {"patchMode": "AutomaticByOS", "automaticByPlatformSettings": None}


def test_explicit_nulls_under_properties() -> None:
    vm = m.VirtualMachine(explicit_nulls=frozenset({"instance_view"}))
    assert to_wire(vm) == {"properties": {"instanceView": None}}


def test_nulls_on_the_wire_are_remembered_and_sent_back() -> None:
    body = {"status": "Succeeded", "error": None}
    summary = from_wire(m.AvailablePatchSummary, body)
    assert summary.error is None
    assert summary.explicit_nulls == {"error"}
    assert to_wire(summary) == body
    assert summary == m.AvailablePatchSummary(status=m.PatchOperationStatus.SUCCEEDED)


def test_explicit_nulls_must_name_unset_fields() -> None:
    with pytest.raises(InvalidArgumentError, match="explicit_nulls names colour, which is no"):
        to_wire(m.PatchSettings(explicit_nulls=frozenset({"colour"})))
    with pytest.raises(InvalidArgumentError, match=r"PatchSettings\.patch_mode: it is set"):
        to_wire(m.PatchSettings(patch_mode="Manual", explicit_nulls=frozenset({"patch_mode"})))


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (m.PatchSettings(patch_mode=5), "PatchSettings.patch_mode: expected an enum member"),  # type: ignore[arg-type]
        (
            m.VirtualMachineUpdate(
                os_profile=m.OSProfile(
                    windows_configuration=m.WindowsConfiguration(provision_vm_agent="yes")  # type: ignore[arg-type]
                )
            ),
            "os_profile.windows_configuration.provision_vm_agent: expected a boolean",
        ),
        (
            m.WindowsParameters(kb_numbers_to_include=("1", 2)),  # type: ignore[arg-type]
            r"kb_numbers_to_include\[1\]: expected a string",
        ),
        (m.OSProfile(linux_configuration=m.PatchSettings()), "expected a LinuxConfiguration"),  # type: ignore[arg-type]
        (m.InstanceViewStatus(time="yesterday"), "expected a datetime"),  # type: ignore[arg-type]
        (
            m.VirtualMachineInstallPatchesParameters(maximum_duration=timedelta(hours=-1)),
            "maximum_duration: a duration cannot be negative",
        ),
    ],
)
def test_hand_built_models_with_wrong_values_are_refused_before_sending(
    model: m.WireModel, message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message) as caught:
        to_wire(model)
    assert caught.value.code == "InvalidModel"


def test_lists_are_accepted_where_tuples_are_declared() -> None:
    parameters = m.WindowsParameters(kb_numbers_to_include=["5001"])  # type: ignore[arg-type]
    assert to_wire(parameters) == {"kbNumbersToInclude": ["5001"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-04-24T21:02:04.2556154Z", datetime(2020, 4, 24, 21, 2, 4, 255615, tzinfo=UTC)),
        ("2019-10-14T23:11:22+00:00", datetime(2019, 10, 14, 23, 11, 22, tzinfo=UTC)),
        ("2019-10-14T23:11:22Z", datetime(2019, 10, 14, 23, 11, 22, tzinfo=UTC)),
        ("2019-10-14T23:11:22.5Z", datetime(2019, 10, 14, 23, 11, 22, 500000, tzinfo=UTC)),
        (
            "2020-04-24T21:02:04.2556154+05:30",
            datetime(
                2020, 4, 24, 21, 2, 4, 255615, tzinfo=timezone(timedelta(hours=5, minutes=30))
            ),
        ),
        (
            "2020-04-24T21:02:04-08:00",
            datetime(2020, 4, 24, 21, 2, 4, tzinfo=timezone(timedelta(hours=-8))),
        ),
        ("2019-10-14T23:11:22", datetime(2019, 10, 14, 23, 11, 22, tzinfo=UTC)),
    ],
)
def test_datetimes_parse_on_every_python(text: str, expected: datetime) -> None:
    status = from_wire(m.InstanceViewStatus, {"time": text})
    assert status.time == expected
    assert status.time is not None
    assert status.time.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2020, 4, 24, 21, 2, 4, 255615, tzinfo=UTC), "2020-04-24T21:02:04.255615Z"),
        (datetime(2020, 4, 24, 21, 2, 4, tzinfo=UTC), "2020-04-24T21:02:04Z"),
        (datetime(2020, 4, 24, 21, 2, 4), "2020-04-24T21:02:04Z"),
        (
            datetime(2020, 4, 24, 21, 2, 4, tzinfo=timezone(timedelta(hours=1))),
            "2020-04-24T21:02:04+01:00",
        ),
    ],
)
def test_datetimes_serialize_as_arm_writes_them(value: datetime, text: str) -> None:
    assert to_wire(m.InstanceViewStatus(time=value)) == {"time": text}


@pytest.mark.parametrize(
    ("text", "expected", "canonical"),
    [
        ("PT4H", timedelta(hours=4), "PT4H"),
        ("PT04H00M00S", timedelta(hours=4), "PT4H"),
        ("P1DT2H", timedelta(days=1, hours=2), "P1DT2H"),
        ("PT90M", timedelta(minutes=90), "PT1H30M"),
        ("PT1H30M15.5S", timedelta(hours=1, minutes=30, seconds=15.5), "PT1H30M15.5S"),
        ("P2W", timedelta(weeks=2), "P14D"),
        ("PT0S", timedelta(0), "PT0S"),
    ],
)
def test_durations(text: str, expected: timedelta, canonical: str) -> None:
    params = from_wire(m.VirtualMachineInstallPatchesParameters, {"maximumDuration": text})
    assert params.maximum_duration == expected
    assert to_wire(params) == {"maximumDuration": canonical}


@pytest.mark.parametrize(
    ("model", "body", "path", "reason"),
    [
        (m.VirtualMachineInstanceView, [], "$", "expected an object, got an array"),
        (
            m.VirtualMachineInstanceView,
            {"patchStatus": {"availablePatchSummary": {"startTime": "yesterday"}}},
            "$.patchStatus.availablePatchSummary.startTime",
            "expected an ISO 8601 date-time",
        ),
        (
            m.VirtualMachineInstanceView,
            {"statuses": [{"code": "a"}, {"time": 5}]},
            "$.statuses[1].time",
            "expected an ISO 8601 date-time string, got a number",
        ),
        (
            m.VirtualMachineInstanceView,
            {"platformFaultDomain": True},
            "$.platformFaultDomain",
            "expected an integer, got a boolean",
        ),
        (
            m.VirtualMachine,
            {"properties": {"osProfile": {"windowsConfiguration": {"provisionVMAgent": "yes"}}}},
            "$.properties.osProfile.windowsConfiguration.provisionVMAgent",
            "expected a boolean, got a string",
        ),
        (
            m.VirtualMachine,
            {"properties": "nope"},
            "$.properties",
            "expected an object, got a string",
        ),
        (m.VirtualMachine, {"tags": {"env": 1}}, "$.tags.env", "expected a string, got a number"),
        (m.VirtualMachine, {"zones": "1"}, "$.zones", "expected an array, got a string"),
        (m.PatchSettings, {"patchMode": 1}, "$.patchMode", "expected a string, got a number"),
        (
            m.VirtualMachineInstallPatchesParameters,
            {"maximumDuration": "P1Y"},
            "$.maximumDuration",
            "expected an ISO 8601 duration such as PT4H",
        ),
        (
            m.OperationStatusResult,
            {"percentComplete": "50"},
            "$.percentComplete",
            "expected a number, got a string",
        ),
        (
            m.OperationStatusResult,
            {"properties": [1]},
            "$.properties",
            "expected an object, got an array",
        ),
        (
            m.FeatureOperationsListResult,
            {"value": [{"properties": {"state": None}}, {"properties": {"state": 3}}]},
            "$.value[1].properties.state",
            "expected a string, got a number",
        ),
    ],
)
def test_misfits_raise_validation_error_with_the_json_path(
    model: type[m.WireModel], body: Any, path: str, reason: str
) -> None:
    with pytest.raises(ResponseValidationError) as caught:
        from_wire(model, body)
    assert caught.value.path == path
    assert caught.value.reason == reason
    assert caught.value.model == model.__name__
    assert str(caught.value) == f"{model.__name__} at {path}: {reason}"


def test_validation_errors_do_not_repeat_the_value() -> None:
    with pytest.raises(ResponseValidationError) as caught:
        from_wire(m.VirtualMachine, {"name": {"secret": "hunter2"}})
    assert "hunter2" not in str(caught.value)


def test_float_fields_take_integers() -> None:
    status = from_wire(m.OperationStatusResult, {"percentComplete": 50})
    assert status.percent_complete == 50.0
    assert isinstance(status.percent_complete, float)


def test_models_are_frozen_and_keyword_only() -> None:
    settings = m.PatchSettings(patch_mode="Manual")
    with pytest.raises(AttributeError):
        settings.patch_mode = "AutomaticByOS"  # type: ignore[misc]
    with pytest.raises(TypeError):
        m.PatchSettings("Manual")  # type: ignore[misc]


def test_repr_shows_only_what_is_set() -> None:
    settings = m.PatchSettings(patch_mode="Manual", explicit_nulls=frozenset({"assessment_mode"}))
    assert repr(settings) == "PatchSettings(patch_mode='Manual')"
    assert repr(m.VirtualMachine()) == "VirtualMachine()"
