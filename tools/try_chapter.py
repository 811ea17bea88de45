"""Build, test and screenshot ONE chapter in a scratch copy of the book, quickly.

    .venv/bin/python tools/try_chapter.py book/01_hj_foundations/01_characteristics.md [--no-browser]

For writing a chapter while other chapters are in progress: copies the sources into
build/try/<chapter>/ with a table of contents holding only the preface, the Prelude, this
chapter and the references; then runs

1. the strict book build (`jupyter-book build --all -n -W --keep-going`), reporting warnings;
2. nbval over the chapter in a fresh kernel (as `make test` does: headless widgets);
3. the browser checks of tests/test_html.py on the scratch build, and viewport screenshots of
   the chapter page in build/try/<chapter>/_build/screenshots/ (look at them!).

Exit status 0 only if all three pass. The execution cache of the scratch build is kept between
runs, so re-running after a prose-only change is fast.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COPY = ["book", "hjlib", "tools", "conftest.py", "_config.yml", "pyproject.toml", "_vendor", "tests/test_html.py"]


def scratch_copy(chapter: Path) -> Path:
    dest = ROOT / "build" / "try" / chapter.stem
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPY:
        src, dst = ROOT / name, dest / name
        if dst.is_dir():
            shutil.rmtree(dst)
        elif dst.exists():
            dst.unlink()
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
        elif src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    rel = chapter.relative_to(ROOT).with_suffix("").as_posix()
    prelude = "book/00_preface/lse_in_one_page"
    this = "" if rel == prelude else (
        "  - caption: This chapter\n    numbered: true\n    chapters:\n" f"      - file: {rel}\n")
    (dest / "_toc.yml").write_text(
        "format: jb-book\nroot: book/00_preface/preface\nparts:\n"
        "  - caption: Prelude\n    numbered: false\n    chapters:\n"
        f"      - file: {prelude}\n{this}"
        "  - caption: Back matter\n    chapters:\n      - file: book/references\n",
        encoding="utf-8",
    )
    # other in-progress chapters are not in this toc: keep them out of the scratch book/
    keep = {dest / "book/00_preface/preface.md", dest / "book/00_preface/lse_in_one_page.md",
            dest / "book/references.md", dest / chapter.relative_to(ROOT)}
    for md in (dest / "book").rglob("*.md"):
        if md not in keep:
            md.unlink()
    return dest


def screenshots(html_root: Path, page: str, out: Path, n: int = 14) -> list[Path]:
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html_root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
            pg = b.new_page(viewport={"width": 1100, "height": 900})
            pg.goto(f"http://127.0.0.1:{httpd.server_address[1]}/{page}")
            pg.wait_for_timeout(1500)
            height = pg.evaluate("document.documentElement.scrollHeight")
            for i in range(n):
                y = i * 850
                if y >= height:
                    break
                pg.evaluate(f"window.scrollTo(0, {y})")
                pg.wait_for_timeout(150)
                path = out / f"{Path(page).stem}_{i:02d}.png"
                pg.screenshot(path=str(path))
                shots.append(path)
            b.close()
    finally:
        httpd.shutdown()
    return shots


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("chapter", help="path of the chapter's .md file")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    chapter = Path(args.chapter).resolve()
    if not chapter.is_file():
        sys.exit(f"no such chapter: {args.chapter}")
    dest = scratch_copy(chapter)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(dest) + os.pathsep + env.get("PYTHONPATH", "")
    ok = True

    t0 = time.time()
    build = subprocess.run([str(BIN / "jupyter-book"), "build", "--all", "-n", "-W", "--keep-going", str(dest)],
                           capture_output=True, text=True, env=env)
    log = build.stdout + build.stderr
    (dest / "build.log").write_text(log)
    warnings = [l for l in log.splitlines() if ("WARNING" in l or "ERROR" in l) and "TCP without encryption" not in l]
    print(f"[build] rc={build.returncode} in {time.time() - t0:.1f} s; log: {dest / 'build.log'}")
    for line in log.splitlines():
        if "Executed notebook in" in line or "Using cached notebook" in line:
            print("   ", line.strip())
    for w in warnings[:40]:
        print("    ", w)
    ok &= build.returncode == 0

    t0 = time.time()
    rel = chapter.relative_to(ROOT).as_posix()
    nbval = subprocess.run(
        [str(BIN / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q", rel],
        cwd=dest, capture_output=True, text=True, env=env,
    )
    tail = "\n".join(nbval.stdout.strip().splitlines()[-60:] if nbval.returncode else nbval.stdout.strip().splitlines()[-1:])
    print(f"[nbval] rc={nbval.returncode} in {time.time() - t0:.1f} s\n{tail}")
    ok &= nbval.returncode == 0

    if not args.no_browser:
        page = chapter.relative_to(ROOT).with_suffix(".html").as_posix()
        t0 = time.time()
        res = subprocess.run(
            [str(BIN / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q", "-m", "html",
             "tests/test_html.py", "-k", f"not sample and ({Path(page).stem} or book_is_built)"],
            cwd=dest, capture_output=True, text=True, env={**env, "HJBOOK_REQUIRE_BROWSER": "1"},
        )
        tail = "\n".join(res.stdout.strip().splitlines()[-40:] if res.returncode else res.stdout.strip().splitlines()[-1:])
        print(f"[browser] rc={res.returncode} in {time.time() - t0:.1f} s\n{tail}")
        ok &= res.returncode == 0
        if (dest / "_build/html" / page).is_file():
            shots = screenshots(dest / "_build/html", page, dest / "_build/screenshots")
            print(f"[screenshots] {len(shots)} viewport shots: {shots[0].parent}/{Path(page).stem}_NN.png")
    print("ALL OK" if ok else "SOMETHING FAILED (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
