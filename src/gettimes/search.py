"""Full-text search: Pagefind indexes the staged pages into /pagefind/.

Pagefind reads the staging folder once it is pruned to this build's files (it may
hold pages of an older build until then, and those must not be found). Its bundle
is written to a scratch folder beside, put in a fixed
order (`order_bundle`: Pagefind orders filters differently on every run), then
taken into the staged output file by file like any other output. So it is part of
the all-or-nothing swap, and an unchanged index file stays the very file of the
current output.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from gettimes.config import SiteConfig
from gettimes.diagnostics import Report
from gettimes.output import StagedOutput
from gettimes.pagefind_order import order_bundle

INDEX_DIR = "pagefind"  # the bundle's folder in the output: /pagefind/
SOURCE = "search index"
# The Pagefind binary shipped in the `pagefind[bin]` wheel, started through its package.
COMMAND: tuple[str, ...] = (sys.executable, "-m", "pagefind")


def index_search(config: SiteConfig, output: StagedOutput, report: Report) -> None:
    """Index the staged pages with Pagefind into the staged /pagefind/; skipped when off or already failed."""
    if not config.search or report.has_errors:
        return
    output.prune()  # only this build's files stay, so only this build's pages are found
    with tempfile.TemporaryDirectory(prefix=".gettimes-search-", dir=output.staging.parent) as scratch:
        bundle = Path(scratch) / INDEX_DIR
        problem = run_pagefind(output.staging, bundle)
        if problem is not None:
            report.error(INDEX_DIR, None, f"search: {problem}")
            return
        order_bundle(bundle)
        for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
            rel = f"{INDEX_DIR}/{path.relative_to(bundle).as_posix()}"
            if output.claim(rel, SOURCE, report):
                output.copy(rel, path)


def run_pagefind(pages: Path, bundle: Path) -> str | None:
    """Run Pagefind; why it failed, or None."""
    command = [*COMMAND, "--site", str(pages), "--output-path", str(bundle), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        return f"cannot run Pagefind ({COMMAND[0]}): {exc.strerror or exc}"
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        detail = lines[-1] if lines else "no message"
        return f"Pagefind failed (exit status {result.returncode}): {detail}; is `pagefind[bin]` installed?"
    if not (bundle / "pagefind.js").is_file():
        return "Pagefind wrote no index (no pages to index?)"
    return None
