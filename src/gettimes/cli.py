"""The `gettimes` command: parse options, call one library function, report, pick the exit code."""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from gettimes import __version__
from gettimes.build import BuildOptions, Progress, build_site, check_site, cycle_collector_off
from gettimes.diagnostics import Diagnostic, SiteError, UsageError
from gettimes.focus import Focus
from gettimes.report_format import FORMATS, github_annotations, json_document
from gettimes.scaffold import ScaffoldError, article_choices, init_site, new_article
from gettimes.workflows import GITHUB_WORKFLOW


def build_clock() -> datetime:
    """The build time: now, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):  # not a number, or a year out of range
            raise click.UsageError("SOURCE_DATE_EPOCH must be a whole number of seconds") from None
    return datetime.now(UTC)


def _base_url_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A malformed --base-url is a bad option value (exit 2), not a problem in the site."""
    if value is None:
        return None
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or any(char.isspace() for char in url):
        raise click.BadParameter(f"'{value}' is not an absolute http(s) URL such as https://staging.example.com")
    return url


def _print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    colour = sys.stderr.isatty()
    for diagnostic in diagnostics:
        text = str(diagnostic)
        if colour:
            text = click.style(text, fg="red" if diagnostic.severity == "error" else "yellow")
        click.echo(text, err=True)


def _fail(error: SiteError) -> None:
    _print_diagnostics(error.report.warnings)
    _print_diagnostics(error.report.errors)
    count = len(error.report.errors)
    click.echo(f"gettimes: {count} error{'s' if count != 1 else ''}; nothing was written", err=True)
    sys.exit(error.exit_code)


class _TerminalProgress:
    """`Rendering 1200/13000 pages, 2100 pages/s, ETA 6 s` on a terminal; silent elsewhere.

    The rate counts from the first report, made as rendering starts, not from the start of the
    command: loading a large archive takes seconds before the first page is made."""

    def __init__(self) -> None:
        self.first: tuple[float, int] | None = None  # when the first report came, and how many were done then
        self.shown = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.first is None:
            self.first = (now, done)
        elif now - self.shown < 0.2 and done < total:
            return
        self.shown = now
        started, done_then = self.first
        line = f"Rendering {done}/{total} pages"
        if done > done_then:
            rate = (done - done_then) / max(now - started, 1e-6)
            line += f", {rate:,.0f} pages/s, ETA {(total - done) / rate:.0f} s"
        end = "\n" if done == total else ""
        click.echo(f"\r{line}   {end}", err=True, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gettimes")
def main() -> None:
    """gettimes: a static site generator for news publishers."""


@main.command()
@click.option("--drafts", is_flag=True, help="Build articles marked draft: true.")
@click.option("--future", is_flag=True, help="Build articles dated in the future.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: output_dir from gettimes.yaml, or public).")
@click.option("--base-url", callback=_base_url_option, help="Override base_url, e.g. for a staging host.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: one per core).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update .gettimes-cache/.")
def build(drafts: bool, future: bool, output: Path | None, base_url: str | None, jobs: int | None,
          no_cache: bool) -> None:
    """Build the site into its output folder."""
    options = BuildOptions(build_clock(), drafts, future, output, base_url, jobs, cache=not no_cache)
    progress: Progress | None = _TerminalProgress() if sys.stderr.isatty() else None
    try:
        with cycle_collector_off():
            result = build_site(Path.cwd(), options, progress)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    except SiteError as exc:
        _fail(exc)
        return
    _print_diagnostics(result.warnings)
    click.echo(
        f"Built {result.pages} pages in {result.seconds:.2f} s: {result.written} files written, "
        f"{result.unchanged} unchanged, {result.removed} removed -> {result.output_dir.name}/"
    )


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--drafts", is_flag=True, help="Check drafts as if they were published.")
@click.option("--future", is_flag=True, help="Check future-dated articles as if published.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: path:line: message; github: GitHub Actions annotations; json: one JSON document.")
def check(files: tuple[Path, ...], drafts: bool, future: bool, output_format: str) -> None:
    """Validate content, templates and internal links; write nothing.

    Given FILES (articles, pages, folders), report only the problems in them and in
    the files they affect, such as the other article of a duplicate slug.
    """
    options = BuildOptions(build_clock(), drafts, future)
    try:
        focus = Focus.of(Path.cwd(), files)
        full = check_site(Path.cwd(), options, None if focus.whole_site else focus.covers)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    report = focus.select(full)
    errors, warnings = len(report.errors), len(report.warnings)
    summary = (f"gettimes check: {errors} error{'s' if errors != 1 else ''}, "
               f"{warnings} warning{'s' if warnings != 1 else ''}")
    if output_format == "json":
        click.echo(json_document(report), nl=False)
    elif output_format == "github":
        for line in github_annotations(report, _workspace_prefix(Path.cwd())):
            click.echo(line)
        click.echo(summary, err=True)
    else:
        _print_diagnostics(report.warnings)
        _print_diagnostics(report.errors)
        click.echo(summary, err=bool(errors))
    hidden = len(full.errors) - errors
    if hidden:
        click.echo(f"gettimes check: {hidden} more error{'s' if hidden != 1 else ''} in other files, not shown "
                   "(run 'gettimes check' without file names to list them; until they are fixed, "
                   "links may go unchecked)", err=True)
    if errors:
        sys.exit(1)


def _workspace_prefix(site: Path) -> str:
    """The site folder's path in the repository GitHub Actions checked out, so annotations find their files."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return ""
    site, top = site.resolve(), Path(workspace).resolve()
    if site == top or not site.is_relative_to(top):
        return ""
    return site.relative_to(top).as_posix()


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a working site in DIRECTORY (default: here)."""
    try:
        written = init_site(directory, build_clock())
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"Created a gettimes site in {directory} ({len(written)} files).")
    click.echo(f"Next: cd {directory} && gettimes serve")
    if any(path.as_posix().endswith(GITHUB_WORKFLOW) for path in written):
        click.echo(f"On GitHub, {GITHUB_WORKFLOW} checks pull requests and publishes the main branch "
                   "to GitHub Pages every hour (Settings > Pages > Source: GitHub Actions).")


def _pick(names: tuple[str, ...], others: bool) -> Callable[[str], str]:
    """Read an answer to a numbered list: a number, or a listed name in any case; other names only if allowed."""

    def convert(value: str) -> str:
        text = value.strip()
        if text.isdigit():  # a number is a choice from the list, never a name
            if 1 <= int(text) <= len(names):
                return names[int(text) - 1]
        else:
            for name in names:
                if name.casefold() == text.casefold():
                    return name
            if others or not text:
                return text
        raise click.UsageError(f"'{text}' is not a number from 1 to {len(names)} or one of the names listed")

    return convert


def _ask_from_list(label: str, names: tuple[str, ...], optional: bool) -> str:
    """Show `names` numbered and ask for one; an optional answer may be empty or a name not listed."""
    if not names:
        return str(click.prompt(f"{label} (Enter for none)", default="", show_default=False)).strip()
    click.echo(f"{label}:")
    for number, name in enumerate(names, 1):
        click.echo(f"  {number}) {name}")
    hint = f"Choose 1-{len(names)}" + (", type a name, or press Enter for none" if optional else " or type a name")
    answer = click.prompt(hint, value_proc=_pick(names, others=optional), default="" if optional else None,
                          show_default=False)
    return str(answer)


@main.command()
@click.argument("title", required=False)
@click.option("--category", "-c", help="One of the configured categories.")
@click.option("--author", "-a", help="The reporter's name, as in data/authors.yaml.")
@click.option("--tags", "-t", help="Comma-separated tags.")
@click.option("--summary", "-s", help="One or two sentences for lists and feeds (default: the first paragraph).")
@click.option("--interactive/--no-interactive", default=None,
              help="Ask for a missing title, category, reporter and tags (default: only when standard input "
                   "is a terminal).")
@click.pass_context
def new(ctx: click.Context, title: str | None, category: str | None, author: str | None, tags: str | None,
        summary: str | None, interactive: bool | None) -> None:
    """Write a new draft article dated now.

    Given TITLE and --category, it asks nothing, as scripts need. Leave either out
    on a terminal and it asks for each field not given, listing the categories of
    gettimes.yaml and the reporters of data/authors.yaml to choose from.
    """
    if interactive is None:
        interactive = sys.stdin.isatty()
    try:
        if interactive and (title is None or category is None):
            choices = article_choices(Path.cwd())
            if title is None:
                title = str(click.prompt("Headline")).strip()
            if category is None:
                category = _ask_from_list("Category", choices.categories, optional=False)
            if author is None:
                author = _ask_from_list("Reporter", choices.reporters, optional=True)
            if tags is None:
                tags = str(click.prompt("Tags, separated by commas (Enter for none)", default="",
                                        show_default=False))
        if title is None:
            raise click.UsageError("Missing argument 'TITLE' (the headline); on a terminal, "
                                   "'gettimes new' asks for it.", ctx)
        if category is None:
            raise click.UsageError("Missing option '--category' / '-c'; on a terminal, "
                                   "'gettimes new' lists the categories to choose from.", ctx)
        path = new_article(Path.cwd(), title, category, author or "", tags or "", build_clock(), summary or "")
    except SiteError as exc:
        _fail(exc)
        return
    except ScaffoldError as exc:
        raise click.BadParameter(str(exc), param_hint="'--category'" if exc.option == "category"
                                 else None) from None
    click.echo(f"Wrote {path}")
    click.echo("It is a draft, shown only in a preview: run 'gettimes serve --drafts' and open the address "
               "it prints. To publish it, delete the line 'draft: true' and commit the file.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 makes the preview reachable from other machines.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; if it is busy, the next free one is used.")
@click.option("--drafts", is_flag=True, help="Show articles marked draft: true.")
@click.option("--future", is_flag=True, help="Show articles dated in the future.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the web browser.")
def serve(host: str, port: int, drafts: bool, future: bool, open_browser: bool) -> None:
    """Preview the site while you edit: rebuild on every save and reload the browser."""
    from gettimes.serve import Console, ServeOptions  # here: the other commands need no server or watcher
    from gettimes.serve import serve as run_preview

    build_clock()  # a bad SOURCE_DATE_EPOCH is a usage error now, not on the first rebuild
    try:
        run_preview(Path.cwd(), ServeOptions(host, port, drafts, future), build_clock,
                    Console(click.echo, _print_diagnostics), open_browser)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    except SiteError as exc:
        _fail(exc)


def run() -> None:
    """The `gettimes` program: `main`, then an exit that leaves the build's objects unfreed.

    Freeing the hundreds of thousands of objects of a large site one by one, as the
    interpreter does when it shuts down, took about 0.07 s after a build of 10,000
    articles had finished. The exit handlers still run. With another thread still running
    (none should be), the interpreter's own shutdown waits for it instead."""
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # as the interpreter prints an exit message
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        pass
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()  # what the interpreter would run first (multiprocessing's temporary folder...)
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    run()
