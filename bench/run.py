"""Benchmark gettimes (and Hugo, where installed) on the shared news corpora.

    python bench/run.py                      # 1k and 10k articles, 3 runs each
    python bench/run.py --sizes 1000 --repeat 1
    python bench/run.py --sizes 10000,50000  # the 50k corpus is about 380 MB on disk

For each corpus size it measures a cold build (no output, no cache), a rebuild with
nothing changed, a rebuild after editing one article's body (the first after the cold
build, then another), and a scheduled rebuild
a day later with no content change (the clock moves the Weekly Hot Issue and the
news sitemap); with a `hugo` binary (HUGO=/path/to/hugo or on PATH) it also builds
the same corpus with Hugo through the shared converter, each round of Hugo's builds
before gettimes' (both cold builds start with no output and the disk caught up with
the writes before). It also times bench/floor.py,
the bare build of the same pages with the required libraries. It prints median wall time,
peak memory (of the build process) and pages per second, and the ratio to Hugo's
cold build.

The builds run at the corpus's own date (SOURCE_DATE_EPOCH at 6:00, Seoul time, the
day after its last day) so the sidebars and the news sitemap have something to show. The
full-text index is off by default, so that gettimes builds the page set Hugo builds;
`--search` turns it on (Pagefind then indexes every article page on each change).
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"
CORPUS_SEED = 1
CORPUS_END = "2025-06-30"  # make_corpus.py's default --end-date
# Early on the day after the corpus's last one: every article is out, the news sitemap
# and Weekly Hot Issue have recent articles, and nothing comes out during a run.
BUILD_CLOCK = int((datetime.fromisoformat(f"{CORPUS_END}T06:00:00+09:00") + timedelta(days=1)).timestamp())
DAY = 86_400
GETTIMES_BUILDS = ("cold", "no change", "first edit", "one edit", "next day")
HUGO_BUILDS = ("cold", "no change")  # Hugo keeps nothing between runs: the second builds everything again


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float
    pages: int


def measure(command: list[str], cwd: Path, clock: int | None = None) -> Run:
    """Wall time and peak resident memory of one command (the largest process of its tree)."""
    env = dict(os.environ) if clock is None else {**os.environ, "SOURCE_DATE_EPOCH": str(clock)}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{out}\n{err}")
    match = re.search(r"Built (\d+) pages", out)
    return Run(seconds, usage.ru_maxrss / 1024, int(match.group(1)) if match else 0)


def corpus(work: Path, articles: int) -> Path:
    path = work / f"corpus-{articles}"
    if not (path / "content" / "articles").is_dir():
        subprocess.run([sys.executable, str(SHARED_BENCH / "make_corpus.py"), str(path),
                        "--articles", str(articles), "--seed", str(CORPUS_SEED)], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def set_search(site: Path, search: bool) -> None:
    """Turn the full-text index on or off in the corpus's gettimes.yaml."""
    config = site / "gettimes.yaml"
    lines = [line for line in config.read_text("utf-8").splitlines() if not line.startswith("search:")]
    config.write_text("\n".join([*lines, f"search: {'true' if search else 'false'}"]) + "\n", encoding="utf-8")


def gettimes_command() -> list[str]:
    found = shutil.which("gettimes")
    return [found] if found else [sys.executable, "-m", "gettimes.cli"]


class Trash:
    """Where a run's output goes before the next cold build: set aside, deleted when the bench ends.

    Deleting tens of thousands of files just before a timed build slows the files that build
    makes: ext4 without a journal (as on the benchmark machines) does not reuse an inode
    freed in the last minute (five, while its block is unwritten), and steps over every
    such inode at each new file; a kernel profile of a cold build right after `rm -rf`
    showed most of its system time there. A fresh clone has deleted nothing, so neither
    tool's cold build is timed right after a deletion.
    """

    def __init__(self, work: Path) -> None:
        self.folder = work / "trash"
        self.count = 0

    def take(self, path: Path) -> None:
        if os.path.lexists(path):
            self.count += 1
            self.folder.mkdir(exist_ok=True)
            os.rename(path, self.folder / f"{self.count}-{os.getpid()}-{path.name}")

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def clean(site: Path, trash: Trash) -> None:
    """Leave the site as a fresh clone has it: no output, no staging folder, no cache."""
    for name in ("public", ".public.gettimes-tmp", ".gettimes-cache"):
        trash.take(site / name)
    os.sync()  # the previous runs' writes reach the disk now, not during the timed build


def edit_one_article(site: Path, round_number: int) -> None:
    first = sorted((site / "content" / "articles").rglob("*.md"))[len(site.name) % 7]
    with first.open("a", encoding="utf-8") as handle:
        handle.write(f"\nA correction was appended in round {round_number}.\n")


def gettimes_round(site: Path, round_number: int, trash: Trash, results: dict[str, list[Run]]) -> None:
    """One round of gettimes builds: cold, then the rebuilds; each adds its run to `results`."""
    build = [*gettimes_command(), "build"]
    clean(site, trash)
    results["cold"].append(measure(build, site, BUILD_CLOCK))
    results["no change"].append(measure(build, site, BUILD_CLOCK + 60))
    # The first build after a cold one also makes the spare staging folder (a link per file).
    edit_one_article(site, 2 * round_number)
    results["first edit"].append(measure(build, site, BUILD_CLOCK + 120))
    edit_one_article(site, 2 * round_number + 1)
    results["one edit"].append(measure(build, site, BUILD_CLOCK + 180))
    results["next day"].append(measure(build, site, BUILD_CLOCK + DAY))


def hugo_site(site: Path, work: Path) -> tuple[str, Path] | None:
    """The Hugo binary and the corpus converted into a Hugo site with the same pages, if Hugo is installed."""
    hugo = os.environ.get("HUGO") or shutil.which("hugo")
    if not hugo:
        return None
    converted = work / f"hugo-{site.name}"
    if not converted.is_dir():
        subprocess.run([sys.executable, str(SHARED_BENCH / "anchors" / "convert.py"), "hugo",
                        str(site), str(converted)], check=True, stdout=subprocess.DEVNULL)
    return hugo, converted


def hugo_round(hugo: str, site: Path, trash: Trash, results: dict[str, list[Run]]) -> None:
    """One round of Hugo builds, started as gettimes' cold build is (no output, the disk caught up)."""
    trash.take(site / "out")
    os.sync()
    for name in HUGO_BUILDS:
        run = measure([hugo, "--quiet", "-d", "out"], site)
        pages = sum(1 for _ in (site / "out").rglob("index.html"))
        results[name].append(Run(run.seconds, run.peak_mib, pages))


def bench_floor(site: Path, work: Path, repeat: int, trash: Trash) -> list[Run]:
    """The bare build of bench/floor.py: the required libraries alone, with nothing checked or kept."""
    output = work / f"floor-{site.name}"
    runs = []
    for _ in range(repeat):
        trash.take(output)
        os.sync()
        runs.append(measure([sys.executable, str(ROOT / "bench" / "floor.py"), str(site), str(output)], site))
    return runs


def median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), statistics.median(r.peak_mib for r in runs),
               runs[0].pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median shown)")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out", help="where corpora go")
    parser.add_argument("--search", action="store_true", help="build the full-text index too (Pagefind)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    trash = Trash(args.work)
    # As an installed package is: compiled to bytecode (this sandbox may run with
    # PYTHONDONTWRITEBYTECODE, and would compile gettimes' modules at every start).
    compileall.compile_dir(str(ROOT / "src" / "gettimes"), quiet=1)
    print(f"corpus seed {CORPUS_SEED}, {os.cpu_count()} cores, median of {args.repeat}, "
          f"search {'on' if args.search else 'off'}")
    print(f"{'articles':>8}  {'tool / build':<22} {'wall s':>8} {'peak MiB':>9} {'pages':>7} "
          f"{'pages/s':>8} {'vs Hugo':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        site = corpus(args.work, size)
        set_search(site, args.search)
        with_hugo = hugo_site(site, args.work)
        gettimes_runs: dict[str, list[Run]] = {name: [] for name in GETTIMES_BUILDS}
        hugo_runs: dict[str, list[Run]] = {name: [] for name in HUGO_BUILDS}
        for round_number in range(args.repeat):  # the tools take turns, so both meet the disk in the same state
            if with_hugo:
                hugo_round(*with_hugo, trash, hugo_runs)
            gettimes_round(site, round_number, trash, gettimes_runs)
        hugo = median(hugo_runs["cold"]) if with_hugo else None
        rows = [(f"gettimes {name}", median(runs)) for name, runs in gettimes_runs.items()]
        rows += [(f"hugo {name}", median(runs)) for name, runs in hugo_runs.items() if with_hugo]
        rows.append(("bare floor (floor.py)", median(bench_floor(site, args.work, args.repeat, trash))))
        for label, run in rows:
            ratio = f"{run.seconds / hugo.seconds:.2f}x" if hugo else "-"
            rate = run.pages / run.seconds if run.seconds else 0
            print(f"{size:>8}  {label:<22} {run.seconds:>8.2f} {run.peak_mib:>9.0f} {run.pages:>7} "
                  f"{rate:>8.0f} {ratio:>8}")
    trash.empty()


if __name__ == "__main__":
    main()
