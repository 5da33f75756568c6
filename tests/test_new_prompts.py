"""`gettimes new` asks for what is missing on a terminal, and never anywhere else.

click's runner stands in for the terminal: `--interactive` tells `new` to ask as it
does when standard input is a terminal, and `input=` is what the editor types.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gettimes.cli import main

FIXED_EPOCH = "1751252400"  # 2025-06-30 12:00 in Asia/Seoul
FOLDER = "content/articles/2025/06"

AUTHORS = """\
- name: JANE DOE
  title: Business Reporter
- name: KIM MIN-SEO
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "site"], env={"SOURCE_DATE_EPOCH": FIXED_EPOCH}).exit_code == 0
    site = tmp_path / "site"
    (site / "data/authors.yaml").write_text(AUTHORS, encoding="utf-8")
    monkeypatch.chdir(site)
    return site


def new(*args: str, typed: str | None = None) -> Result:
    result = CliRunner().invoke(main, ["new", *args], input=typed, env={"SOURCE_DATE_EPOCH": FIXED_EPOCH})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def front_matter(site: Path, slug: str) -> list[str]:
    text = (site / FOLDER / f"{slug}.md").read_text("utf-8")
    return text.split("---\n")[1].splitlines()


def test_asks_for_every_missing_field_with_numbered_lists(site: Path) -> None:
    result = new("--interactive", typed="Markets Rally on Rate Hopes\n2\n1\nStocks, Bonds\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Headline: Markets Rally on Rate Hopes\n"
        "Category:\n  1) World\n  2) Business\n  3) ICT\n  4) Opinion\n  5) Arts&Culture\n"
        "Choose 1-5 or type a name: 2\n"
        "Reporter:\n  1) JANE DOE\n  2) KIM MIN-SEO\n"
        "Choose 1-2, type a name, or press Enter for none: 1\n"
        "Tags, separated by commas (Enter for none): Stocks, Bonds\n"
        f"Wrote {FOLDER}/markets-rally-on-rate-hopes.md\n"
        "It is a draft, shown only in a preview: run 'gettimes serve --drafts' and open the address it prints. "
        "To publish it, delete the line 'draft: true' and commit the file.\n"
    )
    assert front_matter(site, "markets-rally-on-rate-hopes") == [
        'title: "Markets Rally on Rate Hopes"',
        "date: 2025-06-30 12:00:00+09:00",
        'category: "Business"',
        'author: "JANE DOE"',
        'tags: ["Stocks", "Bonds"]',
        "draft: true",
    ]


def test_names_are_accepted_in_any_case_and_a_new_reporter_by_name(site: Path) -> None:
    result = new("--interactive", typed="Chip Exports\narts&culture\nPARK JI-HOON\n\n")
    assert result.exit_code == 0, result.output
    assert front_matter(site, "chip-exports")[2:4] == ['category: "Arts&Culture"', 'author: "PARK JI-HOON"']


def test_enter_leaves_the_optional_fields_out(site: Path) -> None:
    result = new("--interactive", typed="Quiet Day\nworld\n\n\n")
    assert result.exit_code == 0, result.output
    assert front_matter(site, "quiet-day") == [
        'title: "Quiet Day"', "date: 2025-06-30 12:00:00+09:00", 'category: "World"', "draft: true"]


def test_a_wrong_answer_is_asked_again(site: Path) -> None:
    result = new("--interactive", typed="Retail Sales\n9\nSprots\n\n3\n3\n2\n\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Error: '9' is not a number from 1 to 5 or one of the names listed") == 1
    assert result.stdout.count("Error: 'Sprots' is not a number from 1 to 5 or one of the names listed") == 1
    assert result.stdout.count("Choose 1-5 or type a name:") == 4  # 9, Sprots, an empty answer, 3
    # Any name may be typed for a reporter, but a number must be one on the list.
    assert result.stdout.count("Error: '3' is not a number from 1 to 2 or one of the names listed") == 1
    assert front_matter(site, "retail-sales")[2:4] == ['category: "ICT"', 'author: "KIM MIN-SEO"']


def test_only_what_is_missing_is_asked(site: Path) -> None:
    result = new("--interactive", "--author", "KIM MIN-SEO", "--tags", "Chips", typed="Foundry Orders\n3\n")
    assert result.exit_code == 0, result.output
    assert "Reporter" not in result.stdout and "Tags" not in result.stdout
    assert front_matter(site, "foundry-orders")[2:5] == [
        'category: "ICT"', 'author: "KIM MIN-SEO"', 'tags: ["Chips"]']


def test_title_and_category_given_means_no_questions(site: Path) -> None:
    """A script on a terminal gives both and is never stopped by a question."""
    result = new("Budget Vote", "--category", "World", "--interactive", typed="")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {FOLDER}/budget-vote.md\n")


def test_options_for_scripts_including_summary(site: Path) -> None:
    result = new("Budget Vote", "-c", "world", "-a", "JANE DOE", "-t", "Budget, Parliament",
                 "-s", "Lawmakers pass the budget: 98% in favour.")
    assert result.exit_code == 0, result.output
    assert front_matter(site, "budget-vote")[2:6] == [
        'category: "World"', 'author: "JANE DOE"', 'tags: ["Budget", "Parliament"]',
        'summary: "Lawmakers pass the budget: 98% in favour."']


def test_without_a_terminal_a_missing_category_is_a_usage_error(site: Path) -> None:
    result = new("Budget Vote", typed="World\n")  # the runner's input is not a terminal
    assert result.exit_code == 2
    assert "Missing option '--category' / '-c'" in result.stderr
    assert "Category" not in result.stdout
    assert not (site / FOLDER / "budget-vote.md").exists()


def test_without_a_terminal_a_missing_title_is_a_usage_error(site: Path) -> None:
    result = new("--category", "World")
    assert result.exit_code == 2
    assert "Missing argument 'TITLE'" in result.stderr


def test_no_interactive_never_asks(site: Path) -> None:
    result = new("--no-interactive", typed="A Title\n1\n")
    assert result.exit_code == 2
    assert "Headline" not in result.stdout


def test_without_authors_yaml_the_reporter_is_typed(site: Path) -> None:
    (site / "data/authors.yaml").unlink()
    result = new("--interactive", typed="Port Traffic\n1\nLEE SO-YEON\n\n")
    assert result.exit_code == 0, result.output
    assert "Reporter (Enter for none): LEE SO-YEON" in result.stdout
    assert 'author: "LEE SO-YEON"' in front_matter(site, "port-traffic")


def test_asking_outside_a_site_reports_the_missing_configuration(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = new("--interactive", typed="A Title\n")
    assert result.exit_code == 1
    assert result.stderr.startswith("gettimes.yaml: no gettimes.yaml here")
    assert list(tmp_path.iterdir()) == []


def test_the_console_script_without_a_terminal_does_not_wait(site: Path) -> None:
    """Standard input at its end, as in CI or a cron job: a usage error, not a prompt waiting forever."""
    script = Path(sys.executable).parent / "gettimes"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "gettimes.cli"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
    result = subprocess.run([*command, "new", "Budget Vote"], cwd=site, env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert "Missing option '--category' / '-c'" in result.stderr
