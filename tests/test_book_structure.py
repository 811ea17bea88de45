"""The book's structure: table of contents, chapter headers, collection by nbval, exercises.

These tests keep the promises of the platform that no single chapter can check: every chapter is
listed, built and tested; nothing under book/ escapes the table of contents; every exercise stub
still matches its solution; the student edition never overwrites a learner's files.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from conftest import BOOK, ROOT, is_myst_notebook, toc_files, toc_notebooks
from tools.book_tools import exercises, strip_solutions, stub_mismatch

CHAPTERS = toc_notebooks()
CHAPTER_IDS = [p.relative_to(ROOT).as_posix() for p in CHAPTERS]


def test_toc_entries_exist():
    missing = [p.relative_to(ROOT).as_posix() for p in toc_files() if not p.is_file()]
    assert missing == [], f"_toc.yml lists files that do not exist: {missing}"


def test_every_book_page_is_in_the_toc():
    listed = {p.resolve() for p in toc_files()}
    pages = [p for p in BOOK.rglob("*") if p.suffix in (".md", ".ipynb") and ".ipynb_checkpoints" not in p.parts]
    orphans = [p.relative_to(ROOT).as_posix() for p in pages if p.resolve() not in listed]
    assert orphans == [], f"pages under book/ that _toc.yml does not list: {orphans}"


def test_no_ipynb_chapters_in_git():
    tracked = subprocess.run(["git", "ls-files", "book"], cwd=ROOT, capture_output=True, text=True).stdout
    ipynbs = [f for f in tracked.splitlines() if f.endswith(".ipynb")]
    assert ipynbs == [], f"chapters are MyST markdown; .ipynb files must not be committed: {ipynbs}"


def test_there_is_at_least_the_sample_chapter():
    assert "book/00_preface/lse_in_one_page.md" in CHAPTER_IDS


def test_is_myst_notebook_detects_headers(tmp_path):
    nb = tmp_path / "a.md"
    nb.write_text("---\njupytext:\n  text_representation: {}\nkernelspec:\n  name: python3\n---\n# A\n")
    plain = tmp_path / "b.md"
    plain.write_text("# B\n\nkernelspec: is mentioned in prose only\n")
    assert is_myst_notebook(nb) and not is_myst_notebook(plain)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_chapter_header(chapter):
    text = chapter.read_text(encoding="utf-8")
    front = text.split("\n---", 1)[0]
    assert "format_name: myst" in front, "jupytext header must declare format_name: myst"
    assert re.search(r"(?m)^\s+name: python3$", front), "kernelspec must be python3"
    nb = jupytext.read(chapter)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "no outputs in git"
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code and "hjlib.book.setup(" in code[0], "the first code cell must call hjlib.book.setup()"


def test_pytest_collects_every_toc_chapter():
    """Run pytest's own collection over book/ and compare with _toc.yml (nothing silently skipped)."""
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", "book"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    collected = {line.split("::", 1)[0] for line in res.stdout.splitlines() if "::Cell " in line}
    assert collected == set(CHAPTER_IDS), (
        f"collected {sorted(collected)}, but _toc.yml lists {sorted(CHAPTER_IDS)}"
    )


def test_unlisted_notebook_fails_collection(tmp_path):
    """A MyST notebook under book/ that _toc.yml does not list is a collection error."""
    stray = BOOK / "zz_stray_test_notebook.md"
    stray.write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n"
        "# stray\n\n```{code-cell} ipython3\n1 + 1\n```\n",
        encoding="utf-8",
    )
    try:
        res = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", str(stray)],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )
    finally:
        stray.unlink()
    assert res.returncode != 0
    assert "_toc.yml does not list it" in res.stdout + res.stderr


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_exercise_stubs_match_solutions(chapter):
    nb = jupytext.read(chapter)
    for ex in exercises(nb):
        if ex.stub is None:
            continue
        assert "NotImplementedError" in ex.stub, f"{ex.label}: a stub must raise NotImplementedError"
        assert "..." in ex.stub, f"{ex.label}: a stub must have at least one `...` hole"
        assert ex.solution_code, f"{ex.label}: a coding exercise needs an executed solution cell"
        problem = stub_mismatch(ex.stub, ex.solution_code[0])
        assert problem is None, f"{chapter.name}, exercise {ex.label}: {problem}"
        assert "hjlib.exercises.check(" in ex.solution_code[0], f"{ex.label}: the solution must be checked"


def test_stub_matching_rules():
    solution = "def f(x):\n    y = np.exp(x)\n    return y + 1\n\ncheck(f)\nprint('extra lines are fine')"
    good = "def f(x):\n    y = ...\n    raise NotImplementedError\n    return y + 1\n\ncheck(f)"
    assert stub_mismatch(good, solution) is None
    drifted = "def f(x):\n    y = ...\n    return y + 2\n\ncheck(f)"
    assert "differs" in stub_mismatch(drifted, solution)
    wrong_hole = "def f(x):\n    z = ...\n    return y + 1"
    assert "does not match" in stub_mismatch(wrong_hole, solution)


def test_strip_solutions_keeps_stubs_and_drops_solutions():
    chapter = ROOT / "book/00_preface/lse_in_one_page.md"
    nb = jupytext.read(chapter)
    student = strip_solutions(nb)
    text = "\n".join(c.source for c in student.cells)
    assert "solution-start" not in text and "solution-end" not in text
    assert "np.exp((z - m) / eps)" not in text, "a solution's code leaked into the student edition"
    assert "raise NotImplementedError" in text, "the stubs must stay"
    original = "\n".join(c.source for c in nb.cells)
    n_gated = original.count("{exercise-start}")
    assert n_gated >= 2
    assert text.count("{exercise-start}") == n_gated and text.count("{exercise-end}") == n_gated
    assert text.count("{exercise}") == original.count("{exercise}"), "plain exercises stay too"


def test_student_edition_never_overwrites(tmp_path):
    out = tmp_path / "student"
    out.mkdir()
    precious = out / "my_work.ipynb"
    precious.write_text("a learner's work")
    res = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "student_edition.py"), "--no-html", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert precious.read_text() == "a learner's work"
    second = tmp_path / "student-2"
    assert (second / "00_preface" / "lse_in_one_page.ipynb").is_file()
    assert "never overwritten" in res.stdout
    import nbformat

    nb = nbformat.read(second / "00_preface" / "lse_in_one_page.ipynb", as_version=4)
    src = "\n".join(c.source for c in nb.cells)
    assert "raise NotImplementedError" in src and "solution-start" not in src


def test_problem_set_pages_are_up_to_date():
    """The problem-set pages are generated from the chapters and must not drift from them."""
    res = subprocess.run([sys.executable, str(ROOT / "tools" / "make_problem_sets.py"), "--check"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
