"""The sessions CI runs: ``nox`` runs them all, as the README's Quick start says."""

from __future__ import annotations

from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.sessions = ["lint", "typecheck", "tests", "compat", "browser", "docs", "bench"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHONS = nox.project.python_versions(PYPROJECT)
NO_TESTS_RAN = 5


@nox.session
def lint(session: nox.Session) -> None:
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "typecheck"))
    # The oldest supported Python is the strictest target for the typing module.
    session.run("mypy", "--python-version", PYTHONS[0])


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "tests"))
    # An empty selection is reported by pytest and the banner in conftest, not failed on.
    session.run("pytest", *session.posargs, success_codes=[0, NO_TESTS_RAN])


@nox.session
def compat(session: nox.Session) -> None:
    """The official Azure SDK against the fake's HTTP server: clients we did not write."""
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "compat"))
    session.run("pytest", "compat", "-p", "no:azpatch_fake", *session.posargs)


@nox.session
def browser(session: nox.Session) -> None:
    """The demo's rollout.html rendered by headless Chromium, compared with its timeline."""
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "browser"))
    session.run("pytest", "browser", "-p", "no:azpatch_fake", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """The MkDocs site, strict: a broken link or reference fails it. Its samples run in tests."""
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "docs"))
    site = Path(session.create_tmp()) / "site"
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", str(site), env={"NO_MKDOCS_2_WARNING": "1"}
    )


@nox.session
def bench(session: nox.Session) -> None:
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.run("python", "benchmarks/run.py", *session.posargs)
