"""The site as `make book` builds it from executed copies, in chromium: a page from a current
full-profile copy has no quick banner and shows its figures; a stale copy's page is shown under the
banner "Outputs from an earlier version of this notebook"; a notebook with no copy is shown
without outputs, with a note.

The copies are made here, in a temporary folder, from the quick-profile notebooks nbtest executed
(DNN_EXECUTED), labelled full: they are written through the same slimming as real copies, never
kept. Three notebooks only, so that the build takes seconds.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from test_site import Visit, browser  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
EXECUTED = Path(os.environ.get("DNN_EXECUTED", ROOT / "build" / "quick" / "executed"))
CURRENT, STALE, NOT_RUN = (
    "01_convolution_by_hand",
    "07_house_price_regression",
    "09_distributed_training",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import build_book
    import executed_copies

    for name in (CURRENT, STALE):
        if not (EXECUTED / f"{name}.ipynb").exists():
            pytest.fail(f"no {name} in {EXECUTED}: run `make booktest`")
    copies = tmp_path_factory.mktemp("executed")
    for name in (CURRENT, STALE):
        nb = json.loads((EXECUTED / f"{name}.ipynb").read_text())
        nb["metadata"]["dnn_run"]["profile"] = "full"
        executed_copies.write_copy(nb, ROOT / "notebooks" / f"{name}.ipynb", copies)
    stale = copies / f"{STALE}.ipynb"
    nb = json.loads(stale.read_text())
    nb["metadata"]["dnn_run"]["source_sha256"] = "0" * 64  # ran another version
    nb["metadata"]["dnn_run"]["date"] = "2026-01-02T03:04:05+00:00"
    stale.write_text(json.dumps(nb))
    out = tmp_path_factory.mktemp("book")
    return build_book.build(copies, out, only=[CURRENT[:2], STALE[:2], NOT_RUN[:2]])


@pytest.fixture(scope="module")
def base_url(site):
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def shown_figures(page) -> int:
    return page.evaluate(
        "() => [...document.querySelectorAll('div.cell_output img')]"
        ".filter(i => i.complete && i.naturalWidth > 0).length"
    )


def visit(browser, base_url, name):  # noqa: F811
    v = Visit(browser, f"{base_url}notebooks/{name}.html")
    assert v.console_errors == [] and v.page_errors == [] and v.foreign == []
    assert v.failed == []
    return v.page


def test_a_current_full_copy_has_its_figures_and_no_banner(browser, base_url):  # noqa: F811
    page = visit(browser, base_url, CURRENT)
    text = page.inner_text("article")
    assert "Outputs on this page: full profile" in text
    assert page.locator(".dnn-quick, .dnn-stale, .dnn-not-run").count() == 0
    assert shown_figures(page) >= 3
    page.close()


def test_a_stale_copy_is_shown_under_its_banner(browser, base_url):  # noqa: F811
    page = visit(browser, base_url, STALE)
    banner = page.locator(".dnn-stale")
    assert banner.count() == 1 and banner.is_visible()
    assert "Outputs from an earlier version of this notebook" in banner.inner_text()
    assert "2026-01-02" in banner.inner_text()
    assert page.locator(".dnn-quick").count() == 0
    assert shown_figures(page) >= 1
    page.close()


def test_a_notebook_without_a_copy_says_so(browser, base_url):  # noqa: F811
    page = visit(browser, base_url, NOT_RUN)
    note = page.locator(".dnn-not-run")
    assert note.count() == 1 and note.is_visible()
    assert "Not yet run in the full profile" in note.inner_text()
    assert page.locator("div.cell_output").count() == 0
    assert page.locator(".dnn-quick, .dnn-stale").count() == 0
    page.close()


def test_the_index_counts_the_pages(browser, base_url):  # noqa: F811
    v = Visit(browser, base_url + "index.html")
    text = v.page.inner_text("article")
    assert "2 of the 3 notebooks with the outputs of a run in the full profile" in text
    assert "1 of them from an earlier version of the notebook" in text
    assert "1 not yet run, shown without outputs" in text
    assert v.page.locator(".dnn-quick").count() == 0
    v.page.close()
