"""Checks of the built book in _build/html, in a real headless browser.

`make test` runs these after the strict book build (`pytest -m html`). They need Debian's
chromium (`apt-get install chromium`; .ci/run installs it) and the `playwright` Python package
(driving that chromium; no browser download). Without a build or a browser the tests skip, unless
HJBOOK_REQUIRE_BROWSER=1 (set by `make test` and CI), where they fail instead.

Every page is loaded from a local HTTP server with all other network access blocked, and fails on:
a request that leaves the machine, math left untypeset, an image that did not load, a JavaScript
error. The sample chapter's static slider must change the figure when moved by the keyboard.
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.html

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
SAMPLE = "book/00_preface/lse_in_one_page.html"
STRICT = os.environ.get("HJBOOK_REQUIRE_BROWSER", "") not in ("", "0")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _need(condition: bool, why: str):
    if not condition:
        if STRICT:
            pytest.fail(why + " (HJBOOK_REQUIRE_BROWSER=1: required)")
        pytest.skip(why)


def pages() -> list[str]:
    if not HTML.is_dir():
        return []
    found = []
    for p in sorted(HTML.rglob("*.html")):
        rel = p.relative_to(HTML).as_posix()
        if rel.startswith(("_static/", "_sources/", "_images/", "reports/")):
            continue
        found.append(rel)
    return found


# -- static checks (no browser) ---------------------------------------------------------------
def test_book_is_built():
    _need((HTML / "index.html").is_file(), "book not built: run `make book`")
    assert SAMPLE in pages()
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").is_file(), "MathJax is not served locally"
    assert (HTML / "_static" / "ipywidgets" / "embed.js").is_file(), "widget manager is not served locally"


@pytest.mark.parametrize("page", pages() or ["<no pages>"])
def test_page_references_no_network_asset(page):
    _need(page != "<no pages>", "book not built: run `make book`")
    html = (HTML / page).read_text(encoding="utf-8")
    remote = re.findall(r'<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)="((?:https?:)?//[^"]+)"', html)
    assert remote == [], f"{page} loads assets from the network: {remote}"


def _notebook_pages(chapters_only: bool = False) -> list[str]:
    """HTML pages of the notebook pages (those with a jupytext source), or of the chapters only."""
    import sys

    sys.path.insert(0, str(ROOT))
    from conftest import toc_chapters, toc_notebooks

    pages = toc_chapters() if chapters_only else toc_notebooks()
    return [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in pages]


def _chapter_pages() -> list[str]:
    return _notebook_pages(chapters_only=True)


@pytest.mark.parametrize("page", _notebook_pages())
def test_chapter_offers_md_and_ipynb_downloads(page):
    _need((HTML / page).is_file(), "book not built: run `make book`")
    html = (HTML / page).read_text(encoding="utf-8")
    stem = Path(page).with_suffix("").as_posix()
    for ext in (".md", ".ipynb"):
        assert f"_sources/{stem}{ext}" in html, f"{page}: no download link for the {ext} file"
        assert (HTML / "_sources" / f"{stem}{ext}").is_file(), f"{page}: {ext} download target missing"


@pytest.mark.parametrize("page", _chapter_pages())
def test_chapter_has_a_static_slider(page):
    _need((HTML / page).is_file(), "book not built: run `make book`")
    html = (HTML / page).read_text(encoding="utf-8")
    n = html.count('class="hj-explore"')
    assert n >= 1, f"{page} has no interactive figure (hjlib.viz.explore)"
    assert "headless run: one frame" not in html, f"{page}: a slider was built in headless mode (frames missing)"


def test_sample_chapter_has_static_slider():
    _need((HTML / SAMPLE).is_file(), "book not built: run `make book`")
    html = (HTML / SAMPLE).read_text(encoding="utf-8")
    assert html.count('class="hj-explore"') == 1
    frames = re.findall(r'<img class="hj-frame" src="data:image/png;base64,', html)
    assert len(frames) == 6, f"expected 6 pre-rendered frames, found {len(frames)}"
    assert len(re.findall(r'<img class="hj-frame"[^>]*\shidden', html)) == 5, "exactly one frame is visible"


# -- the browser -------------------------------------------------------------------------------
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="module")
def server():
    _need((HTML / "index.html").is_file(), "book not built: run `make book`")
    handler = functools.partial(_Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    _need(CHROMIUM is not None, "chromium not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "the playwright Python package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run"],
        )
        yield b
        b.close()


def _open(browser, server, page_path):
    """Load a page; return (page, problems) after MathJax has finished."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = ctx.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console error: {msg.text}") if msg.type == "error" else None)

    def route(r):
        url = r.request.url
        if url.startswith(server) or url.startswith("data:"):
            r.continue_()
        else:
            problems.append(f"network request outside the book: {url}")
            r.abort()

    page.route("**/*", route)
    page.goto(f"{server}/{page_path}", wait_until="load")
    page.wait_for_function("() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise)",
                           timeout=20000)
    page.evaluate("() => window.MathJax ? window.MathJax.startup.promise.then(() => true) : true")
    return ctx, page, problems


@pytest.mark.parametrize("page_path", pages() or ["<no pages>"])
def test_page_in_browser(browser, server, page_path):
    ctx, page, problems = _open(browser, server, page_path)
    try:
        untypeset = page.evaluate(
            """() => Array.from(document.querySelectorAll('span.math, div.math'))
                      .filter(el => !el.querySelector('mjx-container'))
                      .map(el => el.textContent.slice(0, 60))"""
        )
        assert untypeset == [], f"math left untypeset on {page_path}: {untypeset[:5]}"
        broken = page.evaluate(
            """() => Array.from(document.images)
                      .filter(im => !(im.complete && im.naturalWidth > 0))
                      .map(im => im.getAttribute('src').slice(0, 80))"""
        )
        assert broken == [], f"images that did not load on {page_path}: {broken}"
        assert problems == [], f"{page_path}: " + "; ".join(problems)
    finally:
        ctx.close()


@pytest.mark.parametrize("page_path", [p for p in _chapter_pages() if p != SAMPLE])
def test_every_static_slider_changes_its_figure(browser, server, page_path):
    """Each slider of each chapter: one key press shows exactly one other frame."""
    ctx, page, problems = _open(browser, server, page_path)
    try:
        boxes = page.locator(".hj-explore")
        assert boxes.count() >= 1
        for i in range(boxes.count()):
            box = boxes.nth(i)
            box.scroll_into_view_if_needed()
            frames = box.locator("img.hj-frame")
            visible = lambda: [k for k in range(frames.count()) if frames.nth(k).is_visible()]  # noqa: E731
            before = visible()
            assert len(before) == 1, f"slider {i}: {len(before)} frames visible"
            slider = box.locator("input[type=range]").first
            at_max = slider.get_attribute("value") == slider.get_attribute("max")
            slider.focus()
            page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
            after = visible()
            assert len(after) == 1 and after != before, f"slider {i} on {page_path} did not change the frame"
        assert problems == [], "; ".join(problems)
    finally:
        ctx.close()


def test_sample_chapter_static_slider_changes_figure(browser, server):
    ctx, page, problems = _open(browser, server, SAMPLE)
    try:
        box = page.locator(".hj-explore").first
        box.scroll_into_view_if_needed()
        visible_before = page.evaluate(
            "() => Array.from(document.querySelectorAll('.hj-explore img.hj-frame')).findIndex(m => !m.hidden)")
        label_before = box.locator("output").inner_text()
        shot_before = box.screenshot()
        box.locator("input[type=range]").focus()
        page.keyboard.press("ArrowRight")
        visible_after = page.evaluate(
            "() => Array.from(document.querySelectorAll('.hj-explore img.hj-frame')).findIndex(m => !m.hidden)")
        label_after = box.locator("output").inner_text()
        shot_after = box.screenshot()
        assert visible_after == visible_before + 1, (visible_before, visible_after)
        assert label_after != label_before, "the slider's value label did not change"
        assert shot_after != shot_before, "the figure did not change when the slider moved"
        n_visible = page.evaluate(
            "() => Array.from(document.querySelectorAll('.hj-explore img.hj-frame')).filter(m => !m.hidden).length")
        assert n_visible == 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "lse_in_one_page.png"), full_page=True)
        box.screenshot(path=str(SHOTS / "lse_in_one_page_slider.png"))
        assert problems == [], "; ".join(problems)
    finally:
        ctx.close()


def test_student_edition_html_has_no_solutions(tmp_path):
    """The student HTML keeps every exercise and loses every solution (text, code and outputs)."""
    _need((HTML / SAMPLE).is_file(), "book not built: run `make book`")
    import sys

    sys.path.insert(0, str(ROOT))
    from tools.student_edition import build_html

    dest = build_html(HTML, tmp_path / "student")
    page = (dest / SAMPLE).read_text(encoding="utf-8")
    assert 'class="solution' not in page
    assert page.count('class="exercise') == (HTML / SAMPLE).read_text(encoding="utf-8").count('class="exercise')
    md = (dest / "_sources" / SAMPLE.replace(".html", ".md")).read_text(encoding="utf-8")
    assert "solution-start" not in md and "raise NotImplementedError" in md
