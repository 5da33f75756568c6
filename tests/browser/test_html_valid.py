"""The Nu Html Checker (npm vnu-jar, run with Java) finds no errors on the demo site's pages."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from browser.conftest import DEMO_PAGES, node_module_file
from conftest import require_tool
from gettimes.urls import output_path


def test_demo_pages_are_valid_html(demo_output: Path) -> None:
    java = require_tool("java", "the Nu Html Checker runs on Java")
    checker = node_module_file("vnu-jar/build/dist/vnu.jar")
    files = {}
    for name, url in DEMO_PAGES.items():
        relative = output_path(url)
        assert relative is not None
        files[str(demo_output / relative)] = name
    result = subprocess.run([java, "-jar", str(checker), "--errors-only", "--format", "json", *files],
                            capture_output=True, text=True, check=False)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:{m.get('lastLine')}: "
              f"{m.get('message')} [{m.get('extract', '').strip()}]"
              for m in messages if m.get("type") in ("error", "non-document-error")]
    assert not errors, "\n".join(errors)
    assert result.returncode == 0, result.stdout + result.stderr
