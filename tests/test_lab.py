"""JupyterLab, as a learner meets it (`make test-lab`; needs the `lab` extra and chromium).

Starts JupyterLab on the repository with the settings `make lab` writes, opens the sample
chapter (`.md`) in a headless browser and checks that it opens as a notebook, that MyST
directives render, and that after "Run All Cells" the live ε slider redraws the figure.
Not part of `make test` (the lab extra slows every Jupyter process; CI stays lean).
"""
from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lab_url():
    pytest.importorskip("jupyterlab", reason="install the lab extra: make lab")
    if shutil.which("chromium") is None:
        pytest.fail("chromium is required (apt-get install chromium)")
    subprocess.run([sys.executable, str(ROOT / "tools" / "lab_settings.py"), sys.prefix], check=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser", f"--port={port}",
         "--ServerApp.token=", "--ServerApp.password=", f"--notebook-dir={ROOT}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/api", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_chapter_opens_as_notebook_and_slider_is_live(lab_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        pg = b.new_page(viewport={"width": 1300, "height": 1000})
        pg.goto(f"{lab_url}/lab/tree/book/00_preface/lse_in_one_page.md")
        pg.wait_for_selector(".jp-Notebook", timeout=90000)  # opened as a notebook, not a text editor
        pg.wait_for_timeout(2000)
        assert pg.evaluate("document.querySelectorAll('.jp-Notebook .jp-Cell').length") > 10
        assert pg.evaluate("document.querySelectorAll('.jp-Notebook aside, .jp-Notebook .admonition').length") > 0, \
            "MyST directives are not rendered (jupyterlab-myst)"
        pg.click("text=Run")
        pg.click("text=Run All Cells")
        pg.wait_for_selector(".widget-slider", timeout=120000)
        pg.wait_for_timeout(3000)
        out = pg.locator(".widget-output").first
        digest = lambda: hashlib.md5(out.locator("img").first.get_attribute("src").encode()).hexdigest()  # noqa: E731
        before = digest()
        pg.locator(".widget-slider .noUi-handle").first.focus()
        pg.keyboard.press("ArrowRight")
        for _ in range(40):
            pg.wait_for_timeout(250)
            if digest() != before:
                break
        assert digest() != before, "moving the live slider did not redraw the figure"
        b.close()
