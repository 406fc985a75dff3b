"""The sessions CI runs: ``nox`` runs them all, as the README's Quick start says."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.sessions = [
    "lint",
    "typecheck",
    "tests",
    "plain_install",
    "compat",
    "browser",
    "docs",
]  # and ``nox -s bench`` (five minutes of benchmarks, timing nothing it could fail on)
nox.options.reuse_existing_virtualenvs = True
# A Python the tests need and the machine lacks fails its session, by name: never a skip that
# ends in success.
nox.options.error_on_missing_interpreters = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHONS = nox.project.python_versions(PYPROJECT)
_RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
NO_TESTS_RAN = 5
# uv makes a session's environment in a second rather than ten, where it is installed (CI
# installs it beside nox); sessions that run pip themselves keep virtualenv.
FAST = "uv|virtualenv"


def _find_pyenv_pythons() -> None:
    """Put the newest pyenv-installed patch release of each supported Python first on PATH,
    so that ``nox`` finds python3.10 to python3.13 with no PYENV_VERSION set."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = []
    for python in PYTHONS:
        releases = [
            path
            for path in root.glob(f"{python}.*")
            if re.fullmatch(rf"{re.escape(python)}\.\d+", path.name)
            and (path / "bin" / f"python{python}").exists()
        ]
        if releases:
            newest = max(releases, key=lambda path: int(path.name.rsplit(".", 1)[1]))
            found.append(str(newest / "bin"))
    os.environ["PATH"] = os.pathsep.join([*found, os.environ.get("PATH", "")])


_find_pyenv_pythons()


@nox.session(venv_backend=FAST)
def lint(session: nox.Session) -> None:
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(venv_backend=FAST)
def typecheck(session: nox.Session) -> None:
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "typecheck"))
    # The oldest supported Python is the strictest target for the typing module.
    session.run("mypy", "--python-version", PYTHONS[0])


@nox.session(python=PYTHONS, venv_backend=FAST)
def tests(session: nox.Session) -> None:
    """The suite on each Python; hypothesis's 30 examples a property on the Python that runs
    nox, 10 on the others, and the 10,000-VM fleet there only, 320 VMs on the others (a
    property's cases and a fleet's pacing do not depend on the version; CI's time does)."""
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "tests"))
    running = session.python == _RUNNING
    env = {
        "AZPATCH_HYPOTHESIS_EXAMPLES": os.environ.get(
            "AZPATCH_HYPOTHESIS_EXAMPLES", "30" if running else "10"
        ),
        "AZPATCH_FLEET_PER_REGION": os.environ.get(
            "AZPATCH_FLEET_PER_REGION", "63" if running else "2"
        ),
    }
    # An empty selection is reported by pytest and the banner in conftest, not failed on.
    # Both cores: the real-socket tests wait in real time, the fleet tests compute.
    session.run("pytest", "-n", "auto", *session.posargs, success_codes=[0, NO_TESTS_RAN], env=env)


@nox.session
def plain_install(session: nox.Session) -> None:
    """A new user's `pip install azpatch`: the built wheel, no extras, and pytest; nothing else.

    Their project (the examples, and the azpatch project of docs/testing.md) runs under the
    fixture with its own ini, as it would in their repository; ``serve`` names its extra.
    """
    out = Path(session.create_tmp())
    for old in out.glob("azpatch-*.whl"):
        old.unlink()
    session.run("python", "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), ".")
    wheel = str(next(out.glob("azpatch-*.whl")))
    session.install(wheel, "pytest")
    session.install("--force-reinstall", "--no-deps", wheel)  # the same version, rebuilt
    ini = out / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    session.run(
        "pytest",
        "-c",
        str(ini),
        "--rootdir",
        str(out),
        "-p",
        "no:cacheprovider",
        "examples",
        "compat/test_testing_page.py",
        "compat/test_plain_serve.py",
        *session.posargs,
    )


@nox.session
def compat(session: nox.Session) -> None:
    """Clients we did not write: the official Azure SDK for Python in-process under the
    fixture and against the emulator, and the Azure SDK for JavaScript against the emulator."""
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "compat"))
    # The Azure SDK for JavaScript, pinned by compat/js/package-lock.json, for the machine's node.
    session.run("npm", "ci", "--prefix", "compat/js", "--no-audit", "--no-fund", external=True)
    # The az CLI from PyPI in a virtual environment of the session's own (its pins would fight
    # the SDK's above), kept between runs; compat/test_az_cli.py drives it in a netns.
    az_home = Path(session.create_tmp()) / "az-cli"
    az = az_home / "bin" / "az"
    if not az.exists():
        session.run("python", "-m", "venv", str(az_home))
        pip = [str(az_home / "bin" / "python"), "-m", "pip", "install", "-q", "azure-cli"]
        session.run(*pip, external=True)
    session.run("pytest", "compat", *session.posargs, env={"AZPATCH_AZ": str(az)})


@nox.session
def browser(session: nox.Session) -> None:
    """The demo's rollout.html rendered by headless Chromium, compared with its timeline."""
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "browser"))
    session.run("pytest", "browser", "-p", "no:azpatch_fake", *session.posargs)


@nox.session(venv_backend=FAST)
def docs(session: nox.Session) -> None:
    """The MkDocs site, strict: a broken link or reference fails it. Its samples run in tests."""
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "docs"))
    site = Path(session.create_tmp()) / "site"
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", str(site), env={"NO_MKDOCS_2_WARNING": "1"}
    )
    session.log(f"the site is in {site}: open {site / 'index.html'}")


@nox.session
def bench(session: nox.Session) -> None:
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.run("python", "benchmarks/run.py", *session.posargs)
