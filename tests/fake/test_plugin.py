"""The pytest plugin, run in a pytester sandbox as a user's suite would run it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_marker_and_interception(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import datetime

        import httpx
        import pytest

        import azpatch


        def test_client_fixture(azpatch_fake, azpatch_client):
            azpatch_fake.add_vm("rg", "vm1", os_type="Windows")
            result = azpatch_client.virtual_machines.assess_patches("rg", "vm1")
            assert result.succeeded
            assert azpatch_fake.clock.slept  # polling waited in virtual time


        NEW_YEAR = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)


        @pytest.mark.azpatch_fake(seed=3, start=NEW_YEAR)
        def test_marker_configures_the_world(azpatch_fake):
            assert azpatch_fake.clock.now().year == 2027


        def test_code_that_builds_its_own_client_reaches_the_fake(azpatch_fake):
            azpatch_fake.add_vm("rg", "vm1")
            credential = azpatch.StaticTokenCredential("t")
            client = azpatch.Client(azpatch_fake.subscription_id, credential)
            assert client.virtual_machines.get("rg", "vm1").name == "vm1"


        def test_other_hosts_are_refused(azpatch_fake):
            with pytest.raises(AssertionError, match="GET https://example.com left the test"):
                httpx.get("https://example.com/")
            assert azpatch_fake.refused == ["GET https://example.com"]
            azpatch_fake.refused.clear()  # expected here: do not fail at teardown


        def test_async_client_fixture(azpatch_fake, azpatch_async_client):
            import asyncio

            azpatch_fake.add_vm("rg", "vm1")

            async def main():
                async with azpatch_async_client as client:
                    return await client.virtual_machines.get("rg", "vm1")

            assert asyncio.run(main()).name == "vm1"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=5)


def test_unhandled_requests_fail_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx


        def test_calls_an_unknown_route(azpatch_fake):
            path = "/subscriptions/x/providers/Microsoft.Network/foo"
            url = f"{azpatch_fake.base_url}{path}?api-version=2024-01-01"
            assert httpx.get(url).status_code == 404
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*requests the fake does not serve: GET https://management.azure.com/*"]
    )


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.azpatch_fake(**options):*"])


PLAIN_INSTALL = """
import sys

# What `pip install azpatch` brings, and nothing more: no respx, no Azure SDK, no requests.
for name in ("respx", "azure", "requests", "aiohttp"):
    sys.modules[name] = None
"""


def test_a_plain_install_is_enough_for_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(PLAIN_INSTALL)
    pytester.makepyfile(
        """
        import os

        import pytest

        import azpatch

        MINE = "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a"


        def nightly_assessment():
            subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
            credential = azpatch.StaticTokenCredential(os.environ["AZURE_ACCESS_TOKEN"])
            with azpatch.Client(subscription, credential) as client:
                return client.virtual_machines.assess_patches("rg", "vm1")


        def test_my_script(azpatch_fake, monkeypatch):
            monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", MINE)
            monkeypatch.setenv("AZURE_ACCESS_TOKEN", "t")
            azpatch_fake.add_vm("rg", "vm1", subscription_id=MINE)
            with pytest.raises(ImportError):
                import respx  # noqa: F401
            assert nightly_assessment().succeeded
            assert azpatch_fake.clock.monotonic() >= 120  # a 2-minute assessment, virtually
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_request_the_script_swallowed_still_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx


        def test_swallows_it(azpatch_fake):
            try:
                httpx.get("https://telemetry.example.com/ping")
            except Exception:
                pass  # the script under test hides the error


        def test_after_a_failed_test_nothing_is_intercepted():
            import azpatch._clock

            assert httpx.HTTPTransport.__dict__["handle_request"].__module__.startswith("httpx")
            assert isinstance(azpatch._clock.DEFAULT_CLOCK.current(), azpatch._clock.SystemClock)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*requests that left the test, refused before sending: GET https://telemetry.example.com"]
    )
