"""Build the student edition of the book: HTML without solutions, and student notebooks.

    python tools/student_edition.py [--out DIR] [--no-html]

* HTML: the built book (``make book``) with every solution removed, in ``_build/student/html``
  (its download buttons give the solution-free sources).
* Notebooks: every chapter in _toc.yml as an ``.ipynb`` with the solutions removed and the
  exercise stubs kept, in ``student/`` (same sub-folders as ``book/``).

A learner's work is never overwritten: if the output folder exists, the notebooks go to the
next free ``student-2/``, ``student-3/``, ... and the script says so.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conftest import toc_notebooks  # noqa: E402
from tools.book_tools import strip_solutions  # noqa: E402

README = """# Student notebooks

These are the chapters of the Hamilton–Jacobi book with the solutions removed. Each coding
exercise starts from a stub cell that raises NotImplementedError: fill in the `...` holes and run
the cell; `hjlib.exercises.check(...)` tells you whether your answer is right and, if not, where
it goes wrong. The notebooks need the `hjlib` package (`pip install -e ".[notebooks]"` from the
book's repository, or the course's JupyterHub image).
"""


def free_folder(base: Path) -> Path:
    if not base.exists():
        return base
    k = 2
    while True:
        cand = base.with_name(f"{base.name}-{k}")
        if not cand.exists():
            return cand
        k += 1


def write_notebooks(out: Path) -> list[Path]:
    import jupytext
    import nbformat

    out.mkdir(parents=True)
    written = []
    for md in toc_notebooks():
        nb = jupytext.read(md)
        student = strip_solutions(nb)
        student.metadata.pop("jupytext", None)
        rel = md.relative_to(ROOT / "book").with_suffix(".ipynb")
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student, target)
        written.append(target)
    (out / "README.md").write_text(README, encoding="utf-8")
    return written


def build_html(src: Path = ROOT / "_build" / "html", dest: Path = ROOT / "_build" / "student" / "html") -> Path:
    """Copy the built book and remove every solution from it.

    sphinx-exercise's own ``hide_solutions`` fails on the gated solution syntax the book uses
    ("unknown node type: solution_end_node"), so the student HTML is made from the built book:
    each page loses its ``div.solution`` blocks (the solutions' text, code and outputs), and the
    page's downloadable ``.md``/``.ipynb`` become the solution-free versions.
    """
    import shutil

    import jupytext
    from bs4 import BeautifulSoup

    if not (src / "index.html").is_file():
        raise SystemExit(f"no built book at {src}: run `make book` first")
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    removed = 0
    for page in dest.rglob("*.html"):
        if "_static" in page.parts:
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        blocks = soup.select("div.solution")
        if not blocks:
            continue
        for block in blocks:
            block.decompose()
        removed += len(blocks)
        page.write_text(str(soup), encoding="utf-8")
    for md in toc_notebooks():
        student = strip_solutions(jupytext.read(md))
        rel = md.relative_to(ROOT).with_suffix("")
        (dest / "_sources" / rel).parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(student, dest / "_sources" / f"{rel}.md", fmt="md:myst")
        jupytext.write(student, dest / "_sources" / f"{rel}.ipynb")
    print(f"removed {removed} solutions from the HTML book")
    return dest


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(ROOT / "student"), help="folder for student notebooks")
    p.add_argument("--no-html", action="store_true", help="only write the notebooks")
    args = p.parse_args(argv)
    wanted = Path(args.out).resolve()
    out = free_folder(wanted)
    if out != wanted:
        print(f"{wanted} exists: not touching it (a learner's work is never overwritten); "
              f"writing to {out} instead")
    files = write_notebooks(out)
    print(f"wrote {len(files)} student notebooks to {out}")
    if not args.no_html:
        html = build_html()
        print(f"student HTML (solutions hidden): file://{html}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
