"""The publishing automation `gettimes init` writes into a new site.

A GitHub Actions workflow: check every pull request (problems shown on their
lines), and on the main branch check, build and publish to GitHub Pages, again
every hour so that articles dated in the future go live on time. docs/publishing.md
explains it, and the same for GitLab CI and a plain cron job.
"""

from __future__ import annotations

from gettimes import __version__

GITHUB_WORKFLOW = ".github/workflows/gettimes.yml"

_GITHUB = """\
# Checks and publishes this gettimes site with GitHub Actions.
#
# - Every pull request: `gettimes check` shows each problem on the line of the
#   file that has it ("Files changed" tab); nothing is published.
# - Every push to the main branch: check, build, publish to GitHub Pages.
# - Every hour (the schedule below): the same, so that articles dated in the
#   future go live on time and the Google News sitemap (last 48 hours) and the
#   Weekly Hot Issue box stay current.
#
# One-time setup: Settings > Pages > Build and deployment > Source: "GitHub Actions".
name: gettimes

on:
  pull_request:
  push:
    branches: [main]
  schedule:
    # Minute 7 of every hour (UTC); GitHub may start scheduled runs a few minutes
    # late, more often at the top of the hour. Every 15 minutes: "*/15 * * * *".
    # Twice a day, 06:00 and 18:00 in Seoul (UTC+9): "0 9,21 * * *".
    - cron: "7 * * * *"
  workflow_dispatch:  # a "Run workflow" button in the Actions tab

env:
  # The gettimes release this site is built with. Change it on purpose, in a pull
  # request of its own, after reading the changelog.
  GETTIMES_VERSION: "{version}"

permissions:
  contents: read

# A newer commit on a pull request cancels the check still running for an older one;
# runs on the main branch wait for each other.
concurrency:
  group: ${{{{ github.workflow }}}}-${{{{ github.ref }}}}
  cancel-in-progress: ${{{{ github.event_name == 'pull_request' }}}}

jobs:
  check:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
          cache: pip
          cache-dependency-path: {workflow}
      - name: Install gettimes
        run: python -m pip install "gettimes==${{GETTIMES_VERSION}}"
      - name: Check the site as it is published now
        run: gettimes check --format github
      - name: Check scheduled articles as they will be published
        if: github.event_name == 'pull_request'
        run: gettimes check --future --format github

  publish:
    # Only the main branch is published (if yours has another name, change it here and under `on:`).
    if: github.ref == 'refs/heads/main'
    needs: check
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    # One deployment at a time; one in progress is never cancelled halfway.
    concurrency:
      group: pages
      cancel-in-progress: false
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
          cache: pip
          cache-dependency-path: {workflow}
      - name: Install gettimes
        run: python -m pip install "gettimes==${{GETTIMES_VERSION}}"
      - name: Configure GitHub Pages
        id: pages
        uses: actions/configure-pages@v5
      # --base-url: the address GitHub Pages serves the site at (your custom domain,
      # once one is set in Settings > Pages). Remove it to use base_url from gettimes.yaml.
      - name: Build
        run: gettimes build --output public --base-url "${{{{ steps.pages.outputs.base_url }}}}"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public
      - name: Publish
        id: deployment
        uses: actions/deploy-pages@v4
"""


def site_workflows() -> dict[str, str]:
    """{site-relative path: text} of the automation files for a new site."""
    return {GITHUB_WORKFLOW: _GITHUB.format(version=__version__, workflow=GITHUB_WORKFLOW)}
