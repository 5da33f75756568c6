"""The GitHub Actions workflow `gettimes init` writes: valid, wired right, and its commands real.

Each `run:` step's gettimes command is run through the installed console script
against the site `init` made, with the values GitHub would fill in; only the steps
that install packages are skipped (publishing is done by `uses:` actions, not `run:`).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import article
from gettimes import __version__
from gettimes.workflows import GITHUB_WORKFLOW

FIXED_EPOCH = "1751252400"  # conftest.FIXED_NOW
PAGES_URL = "https://newsroom.github.io/daily"
# What GitHub substitutes for the expressions in the run steps.
EXPRESSIONS = {"steps.pages.outputs.base_url": PAGES_URL}


def gettimes(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "gettimes"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "gettimes.cli"]
    environment = {key: value for key, value in os.environ.items() if key != "GITHUB_WORKSPACE"}
    environment.update(SOURCE_DATE_EPOCH=FIXED_EPOCH, **env)
    return subprocess.run([*command, *args], cwd=cwd, env=environment, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, check=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workflow")
    assert gettimes("init", "site", cwd=folder).returncode == 0
    return folder / "site"


@pytest.fixture(scope="module")
def workflow(site: Path) -> dict[Any, Any]:
    loaded = yaml.safe_load((site / GITHUB_WORKFLOW).read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 (PyYAML) reads the bare key `on` as True; GitHub reads it as "on".
    found = workflow.get("on", workflow.get(True))
    assert isinstance(found, dict)
    return found


def run_steps(workflow: dict[Any, Any]) -> list[tuple[str, str, str]]:
    """(job, step name, one command line) for every line of every `run:` step."""
    found = []
    for job_name, job in workflow["jobs"].items():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                if line.strip():
                    found.append((job_name, step.get("name", ""), line.strip()))
    return found


def substitute(command: str) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in EXPRESSIONS, f"the test does not know what GitHub puts for ${{{{ {expression} }}}}"
        return EXPRESSIONS[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, command)


def gettimes_commands(workflow: dict[Any, Any]) -> list[tuple[str, list[str]]]:
    commands = []
    for job, name, line in run_steps(workflow):
        if line.startswith("python -m pip install"):
            continue
        words = shlex.split(substitute(line))
        assert words[0] == "gettimes", f"unexpected command in {job}/{name}: {line}"
        commands.append((name, words[1:]))
    return commands


# --- structure ---------------------------------------------------------------------

def test_the_workflow_is_valid_yaml_with_the_three_triggers(workflow: dict[Any, Any]) -> None:
    on = triggers(workflow)
    assert "pull_request" in on
    assert on["push"] == {"branches": ["main"]}
    (schedule,) = on["schedule"]
    minute, *rest = schedule["cron"].split()
    assert 0 <= int(minute) <= 59 and rest == ["*", "*", "*", "*"], "hourly by default"
    assert "workflow_dispatch" in on


def test_publishing_has_the_pages_permissions_and_runs_only_on_main(workflow: dict[Any, Any]) -> None:
    assert workflow["permissions"] == {"contents": "read"}, "the default token stays read-only"
    check, publish = workflow["jobs"]["check"], workflow["jobs"]["publish"]
    assert "permissions" not in check
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert publish["needs"] == "check"
    assert publish["if"] == "github.ref == 'refs/heads/main'"
    assert publish["environment"]["name"] == "github-pages"
    assert publish["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    uses = [step["uses"].split("@")[0] for step in publish["steps"] if "uses" in step]
    assert uses[-2:] == ["actions/upload-pages-artifact", "actions/deploy-pages"]
    assert "actions/configure-pages" in uses


def test_pull_requests_cancel_superseded_runs_but_main_does_not(workflow: dict[Any, Any]) -> None:
    assert workflow["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_the_site_installs_the_release_that_made_it(workflow: dict[Any, Any]) -> None:
    assert workflow["env"]["GETTIMES_VERSION"] == __version__
    installs = [line for _, _, line in run_steps(workflow) if "pip install" in line]
    assert installs == ['python -m pip install "gettimes==${GETTIMES_VERSION}"'] * 2


def test_every_job_checks_before_anything_is_published(workflow: dict[Any, Any]) -> None:
    steps = [(job, words) for job, words in
             [(job, shlex.split(substitute(line))) for job, _, line in run_steps(workflow)] if words[0] == "gettimes"]
    assert [words[:2] for job, words in steps if job == "check"] == [["gettimes", "check"]] * 2
    assert [words[1] for job, words in steps if job == "publish"] == ["build"]


# --- the commands are real ---------------------------------------------------------------

def test_each_gettimes_command_runs_against_the_new_site(site: Path, workflow: dict[Any, Any]) -> None:
    commands = gettimes_commands(workflow)
    assert [args[0] for _, args in commands] == ["check", "check", "build"]
    for name, args in commands:
        result = gettimes(*args, cwd=site)
        assert result.returncode == 0, f"{name}: gettimes {' '.join(args)}\n{result.stderr}"
        assert "::error" not in result.stdout
    upload = next(step for step in workflow["jobs"]["publish"]["steps"]
                  if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    index = site / upload["with"]["path"] / "index.html"
    assert index.is_file(), "the build writes where the upload step looks"
    assert f'"{PAGES_URL}/' in index.read_text("utf-8"), "links use the address GitHub Pages serves"
    assert (site / upload["with"]["path"] / "sitemap.xml").read_text("utf-8").count(PAGES_URL) > 1


def test_a_broken_article_fails_the_check_step_with_an_annotation(site: Path, workflow: dict[Any, Any]) -> None:
    story = site / "content/articles/2025/06/strike.md"
    story.parent.mkdir(parents=True, exist_ok=True)
    story.write_text(article("Port Strike Ends", category="Sprots"), encoding="utf-8")
    try:
        _, args = gettimes_commands(workflow)[0]
        result = gettimes(*args, cwd=site)
    finally:
        story.unlink()
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=content/articles/2025/06/strike.md,line=4::unknown category 'Sprots'; "
        "the categories are: World, Business, ICT, Opinion, Arts&Culture"
    ]


def test_the_future_check_catches_a_scheduled_article(site: Path, workflow: dict[Any, Any]) -> None:
    """A broken link in an article dated next week: the plain check skips it, the scheduled-article step does not."""
    story = site / "content/articles/2025/07/preview.md"
    story.parent.mkdir(parents=True, exist_ok=True)
    story.write_text(article("Rate Decision Preview", date="2025-07-07 09:00:00+09:00",
                             body="See [the earlier story](/article/no-such-story/).\n"), encoding="utf-8")
    try:
        (_, now), (_, future) = gettimes_commands(workflow)[:2]
        assert "--future" in future
        plain, scheduled = gettimes(*now, cwd=site), gettimes(*future, cwd=site)
    finally:
        story.unlink()
    assert plain.returncode == 0, plain.stdout
    assert scheduled.returncode == 1
    assert scheduled.stdout.splitlines() == [
        "::error file=content/articles/2025/07/preview.md,line=7::broken link to /article/no-such-story/"
    ]
