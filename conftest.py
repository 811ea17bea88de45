"""pytest configuration for the whole repository.

Runs every chapter of the book under nbval. nbval only collects ``*.ipynb``; the chapters are
MyST-markdown notebooks (``.md`` with a jupytext header), so each chapter listed in ``_toc.yml``
is read through jupytext and handed to nbval's own collector. Failures are reported as
``book/<part>/<chapter>.md::Cell N`` (N = 0-based index among the chapter's code cells) with the
cell's source and traceback.

Rules enforced here (see also tests/test_book_structure.py):

* only chapters listed in ``_toc.yml`` are collected, and a MyST notebook under ``book/`` that
  ``_toc.yml`` does not list is an error (nothing is silently skipped);
* a cell tagged ``raises-exception`` (an exercise stub) must raise ``NotImplementedError`` — any
  other exception, or no exception at all, fails the test;
* kernels run with ``HJBOOK_HEADLESS=1``: interactive figures (``hjlib.viz.explore``) execute once
  at their default values and progress bars stay silent.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
BOOK = ROOT / "book"

# kernels inherit the environment of this process
os.environ["HJBOOK_HEADLESS"] = "1"
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet debugpy warning in kernels
os.environ.setdefault("MPLBACKEND", "agg")
# make test runs two pytest workers on two cores: one thread per kernel avoids oversubscription
# (measured: torch's threads on a loaded 2-core machine made large ops 30-40x slower)
os.environ.setdefault("OMP_NUM_THREADS", "1")


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[Path]:
    """Every file listed in ``_toc.yml`` (root and chapters, any depth), as absolute paths."""
    import yaml

    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            if "root" in node:
                found.append(node["root"])
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    paths = []
    for entry in found:
        candidates = [ROOT / entry] + [ROOT / f"{entry}{ext}" for ext in (".md", ".ipynb")]
        match = next((c for c in candidates if c.is_file()), None)
        paths.append(match if match is not None else ROOT / f"{entry}.md")
    return paths


def is_myst_notebook(path: Path) -> bool:
    """A ``.md`` file whose YAML front matter declares a kernelspec (a jupytext notebook)."""
    if path.suffix != ".md" or not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front = text.split("\n---", 1)[0]
    return re.search(r"^kernelspec:", front, flags=re.M) is not None


def toc_notebooks() -> list[Path]:
    return [p for p in toc_files() if is_myst_notebook(p)]


#: folders of notebook pages that are not teaching chapters (no slider or exercise rules)
NON_CHAPTER_DIRS = ("05_classroom", "06_appendices")


def toc_chapters() -> list[Path]:
    """The teaching chapters: notebooks in the toc outside the classroom kit and appendices."""
    return [p for p in toc_notebooks() if not set(p.relative_to(BOOK).parts) & set(NON_CHAPTER_DIRS)]


try:  # nbval is part of the test extra; without it the unit tests still run
    import nbval.plugin as _nbval
except ImportError:  # pragma: no cover
    _nbval = None


if _nbval is not None:

    class BookCell(_nbval.IPyNbCell):
        """An nbval cell whose ``raises-exception`` tag admits ``NotImplementedError`` only."""

        def runtest(self):
            super().runtest()
            if not self.options.get("check_exception"):
                return
            errors = [o for o in self.test_outputs if o.get("output_type") == "error"]
            if not errors:
                self.raise_cell_error(
                    "Cell is tagged raises-exception (an exercise stub) but raised nothing: "
                    "a stub must raise NotImplementedError until the learner fills it in"
                )
            err = errors[0]
            if err["ename"] != "NotImplementedError":
                self.raise_cell_error(
                    f"Exercise stub raised {err['ename']}, but only NotImplementedError is allowed",
                    "\n" + "\n".join(err.get("traceback", [])),
                )

    class MystNotebookFile(_nbval.IPyNbFile):
        """nbval's collector, reading the MyST notebook through jupytext."""

        def collect(self):
            import jupytext
            import nbformat

            real_read = nbformat.read
            nbformat.read = lambda fp, as_version=4, **kw: jupytext.read(fp, as_version=as_version)
            try:
                for item in super().collect():
                    item.__class__ = BookCell  # same state, stricter raises-exception rule
                    yield item
            finally:
                nbformat.read = real_read


#: chapters that read what the other chapters recorded (the ledger): `make test` runs them after
#: the book build, never in parallel with the chapters they read (pytest marker "late")
LATE_CHAPTERS = {"15_ledger.md"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).name in LATE_CHAPTERS:
            item.add_marker(pytest.mark.late)


_TOC_NOTEBOOKS: set[Path] | None = None


def pytest_collect_file(file_path: Path, parent):
    global _TOC_NOTEBOOKS
    opt = parent.config.option
    if _nbval is None or not (opt.nbval or opt.nbval_lax):
        return None
    if file_path.suffix != ".md" or BOOK not in file_path.resolve().parents:
        return None
    if _TOC_NOTEBOOKS is None:
        _TOC_NOTEBOOKS = {p.resolve() for p in toc_notebooks()}
    path = file_path.resolve()
    if path in _TOC_NOTEBOOKS:
        return MystNotebookFile.from_parent(parent, path=file_path)
    if is_myst_notebook(path):
        raise pytest.UsageError(
            f"{path.relative_to(ROOT)} is a MyST notebook but _toc.yml does not list it: "
            "add it to _toc.yml (or delete it) so that it is built and tested"
        )
    return None
