"""The course site in a real browser (Debian's chromium driven by Playwright, no browser download).

Run by `make booktest` (part of `make test`) on a site built from quick-profile executions, then on
the site built from the executed copies (executed/); point DNN_BOOK_HTML at another build to check
it instead. Every page must load with no console or page error, request nothing from any host but
127.0.0.1, have every request succeed and every image loaded, typeset its math with the local
MathJax, and (for a notebook page with outputs) show a figure, with the quick-profile banner when
and only when its outputs come from a quick run; a notebook not yet run says so. The site's
search must find a word only notebook 04 contains.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("DNN_BOOK_HTML", ROOT / "build" / "quick" / "book" / "html"))
ONLY_IN_04 = "unfreeze"  # checked below: in notebook 04's page and no other


def pages() -> list[str]:
    if not (SITE / "index.html").exists():
        return []
    return ["index.html"] + sorted(
        p.relative_to(SITE).as_posix() for p in (SITE / "notebooks").glob("*.html")
    )


@pytest.fixture(scope="module")
def base_url():
    if not (SITE / "index.html").exists():
        pytest.fail(
            f"no site at {SITE}: run `make booktest` (it executes the notebooks and builds the book)"
        )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail(
            "Debian's chromium is not installed: `make setup` installs it (apt-get install chromium)"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


class Visit:
    """One page load with everything the browser said and fetched."""

    def __init__(self, browser, url: str):
        self.console_errors, self.page_errors, self.foreign, self.failed = (
            [],
            [],
            [],
            [],
        )
        self.page = browser.new_page()
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.console_errors.append(m.text),
        )
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on(
            "requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})")
        )
        self.page.on(
            "response",
            lambda r: r.status >= 400 and self.failed.append(f"{r.url} ({r.status})"),
        )
        self.page.route("**/*", self._only_local)
        self.page.goto(url, wait_until="networkidle")
        self.page.wait_for_function(
            "() => !window.MathJax || !MathJax.startup || MathJax.startup.promise"
        )
        self.page.evaluate(
            "() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null"
        )

    def _only_local(self, route):
        host = urlparse(route.request.url).hostname
        if (
            route.request.url.startswith(("data:", "blob:", "about:"))
            or host == "127.0.0.1"
        ):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()


@pytest.mark.parametrize("name", pages())
def test_page_loads_cleanly_offline_with_images_and_math(browser, base_url, name):
    visit = Visit(browser, base_url + name)
    page = visit.page
    assert visit.foreign == [], "requests to hosts other than 127.0.0.1"
    assert visit.failed == []
    assert visit.console_errors == [] and visit.page_errors == []
    broken = page.evaluate(
        "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src)"
    )
    assert broken == []
    math_nodes = page.locator("div.math, span.math").count()
    if math_nodes:
        assert page.locator("mjx-container").count() >= math_nodes, (
            "math left untypeset"
        )
        assert page.locator("mjx-merror").count() == 0
        assert page.evaluate(
            "() => [...document.scripts].every(s => !s.src || s.src.startsWith(location.origin))"
        )
    if name.startswith("notebooks/"):
        text = page.inner_text("article")
        quick_banner = page.locator(".dnn-quick").count()
        if page.locator(".dnn-not-run").count():  # shown as stored, without outputs
            assert "Not yet run in the full profile" in text
            assert page.locator("div.cell_output").count() == 0
            assert "Outputs on this page:" not in text and quick_banner == 0
        else:
            figures = page.locator("div.cell_output img, div.output img")
            assert figures.count() >= 1, "a notebook page without a single figure"
            assert "Outputs on this page:" in text
            quick = "Outputs on this page: quick profile" in text
            assert quick_banner == (1 if quick else 0), "quick banner and run disagree"
        if page.locator(".dnn-stale").count():
            assert "Outputs from an earlier version of this notebook" in text
    page.close()


def test_the_site_has_every_notebook_and_a_run_label():
    names = [p.name for p in (SITE / "notebooks").glob("*.html")]
    expected = len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    assert len(names) == expected, names
    for name in names:
        html = (SITE / "notebooks" / name).read_text()
        assert "Outputs on this page:" in html or "dnn-not-run" in html
        assert (
            "colab-badge.svg" not in html
        )  # the remote badge image became a text link


def test_search_finds_a_word_only_notebook_04_contains(browser, base_url):
    holders = [
        p.name
        for p in SITE.rglob("*.html")
        if ONLY_IN_04 in p.read_text().lower()
        and not p.name.startswith(("search", "genindex"))
    ]
    assert holders == ["04_vgg16_transfer_and_fine_tuning.html"], holders
    visit = Visit(browser, base_url + f"search.html?q={ONLY_IN_04}")
    results = visit.page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    links = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("04_vgg16_transfer_and_fine_tuning" in link for link in links), links
    assert (
        visit.console_errors == [] and visit.page_errors == [] and visit.foreign == []
    )
    visit.page.close()
