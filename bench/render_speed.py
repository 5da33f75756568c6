"""Time template rendering alone: every page of a site, one process, grouped by template.

    python bench/render_speed.py SITE_DIR               # 5 passes
    python bench/render_speed.py SITE_DIR --repeat 10
    python bench/render_speed.py SITE_DIR --only article.html,tag.html
    python bench/render_speed.py SITE_DIR --profile     # one pass under cProfile, top functions

The site is loaded once (content, index, templates); then each pass renders every
planned page with `PageRenderer.render`, writing nothing. Per template it prints the
number of pages, the CPU milliseconds per page and the template's share of the total.
It counts the process's own CPU time, so other load on the machine matters less, and
each template's best pass, after one pass to warm up. Setting up the renderer (what
it prepares once per build) is timed on its own. The clock is SOURCE_DATE_EPOCH when
set, else 2025-07-01 00:00 UTC (just after the shared corpora's newest article), so
a site gives the same pages, and the same sidebar, on every run.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from gettimes.build import BuildOptions, load_site
from gettimes.diagnostics import Report
from gettimes.render import PageJob, PageRenderer, plan_pages

DEFAULT_EPOCH = 1751328000  # 2025-07-01 00:00 UTC


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="the site folder (with gettimes.yaml)")
    parser.add_argument("--repeat", type=int, default=5, help="passes over every page (default 5)")
    parser.add_argument("--only", metavar="NAMES", help="only these templates, comma-separated (article.html,tag.html)")
    parser.add_argument("--profile", action="store_true", help="profile one pass and print the top functions")
    args = parser.parse_args()

    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    report = Report()
    site = load_site(args.site.resolve(), BuildOptions(now=datetime.fromtimestamp(epoch, UTC), cache=False), report)
    if site is None:
        for item in report.items:
            print(item, file=sys.stderr)
        return 1
    jobs = [job for job in plan_pages(site.config, site.index)
            if not args.only or job.template in args.only.split(",")]

    started = time.process_time()
    renderer = PageRenderer(site.templates, site.root, site.config, site.index, site.now)
    setup = time.process_time() - started

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(render_pass, renderer, jobs, report)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return 0

    render_pass(renderer, jobs, report)  # warm up: compiled templates, caches
    passes = [render_pass(renderer, jobs, report) for _ in range(max(1, args.repeat))]
    if report.has_errors:
        for item in report.items:
            print(item, file=sys.stderr)
        return 1
    best = {name: min((timings[name] for timings in passes), key=sum) for name in passes[0]}
    print_table(best, setup)
    return 0


def render_pass(renderer: PageRenderer, jobs: list[PageJob], report: Report) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = defaultdict(list)
    clock = time.process_time
    for job in jobs:
        started = clock()
        renderer.render(job, report)
        timings[job.template].append(clock() - started)
    return timings


def print_table(timings: dict[str, list[float]], setup: float) -> None:
    total = sum(sum(t) for t in timings.values())
    pages = sum(len(t) for t in timings.values())
    print(f"{'template':<16}{'pages':>8}{'ms/page':>10}{'share':>8}")
    for name, times in sorted(timings.items(), key=lambda item: -sum(item[1])):
        print(f"{name:<16}{len(times):>8}{1000 * sum(times) / len(times):>10.3f}{sum(times) / total:>8.1%}")
    print(f"{'all':<16}{pages:>8}{1000 * total / pages:>10.3f}{'':>8}   {total:.2f} s in all")
    print(f"renderer setup (once per build): {1000 * setup:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
