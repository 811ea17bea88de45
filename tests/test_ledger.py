"""hjlib.ledger: records carry the chapter's hash; edits make them stale; bad input is named."""
from __future__ import annotations

import pytest

from hjlib import ledger


NB = """---
jupytext:
  text_representation: {{extension: .md, format_name: myst}}
kernelspec: {{name: python3, display_name: Python 3, language: python}}
---
# demo

```{{code-cell}} ipython3
{code}
```
"""


@pytest.fixture
def book(tmp_path, monkeypatch):
    (tmp_path / "_toc.yml").write_text("format: jb-book\n")
    ch = tmp_path / "book" / "01_part" / "02_demo.md"
    ch.parent.mkdir(parents=True)
    ch.write_text(NB.format(code="x = 1"))
    monkeypatch.chdir(ch.parent)
    monkeypatch.delenv("HJBOOK_LEDGER_DIR", raising=False)
    return tmp_path, ch


def test_record_and_load(book):
    root, ch = book
    badge = ledger.record("C4", chapter="02_demo", check="residual", target=0.15, measured=0.1500001,
                          error=1e-7, verdict="reproduced")
    assert "C4 · reproduced" in badge._repr_html_()
    recs = ledger.load(root)
    assert len(recs) == 1
    r = recs[0]
    assert (r.claim, r.page, r.verdict, r.stale) == ("C4", "book/01_part/02_demo", "reproduced", False)
    assert r.measured == pytest.approx(0.1500001)
    # the same check recorded again replaces, a different check adds
    ledger.record("C4", chapter="02_demo", check="residual", target=0.15, measured=0.15, verdict="reproduced")
    ledger.record("C4", chapter="02_demo", check="another check", measured="ok", verdict="open")
    assert len(ledger.load(root)) == 2


def test_editing_the_chapter_code_makes_records_stale(book):
    root, ch = book
    ledger.record("C1", chapter="02_demo", check="identity", target=0, measured=1e-16, verdict="reproduced")
    ch.write_text(NB.format(code="x = 1").replace("# demo", "# demo, prose edited"))
    assert not ledger.load(root)[0].stale, "a prose edit does not change the numbers"
    ch.write_text(NB.format(code="x = 2"))
    assert ledger.load(root)[0].stale


@pytest.mark.parametrize(
    "kw, words",
    [
        (dict(claim="C99"), "claim must be one of"),
        (dict(verdict="maybe"), "verdict must be one of"),
        (dict(chapter="nope"), "chapter must name exactly one"),
        (dict(measured=float("nan")), "must be finite"),
        (dict(check=""), "check must be"),
    ],
)
def test_bad_input(book, kw, words):
    args = dict(claim="C1", chapter="02_demo", check="x", measured=0.0, verdict="reproduced")
    args.update(kw)
    claim = args.pop("claim")
    with pytest.raises(ValueError, match=words):
        ledger.record(claim, **args)


def test_claims_table_is_complete():
    assert list(ledger.CLAIMS) == [f"C{i}" for i in range(1, 35)]
    assert {t for _, t in ledger.CLAIMS.values()} == {"exact", "structural", "conjectural"}


def test_summarize_combines_verdicts(book):
    root, ch = book
    ledger.record("C1", chapter="02_demo", check="a", measured=0.0, verdict="reproduced")
    ledger.record("C2", chapter="02_demo", check="a", measured=0.0, verdict="reproduced")
    ledger.record("C2", chapter="02_demo", check="b", measured=1.0, verdict="differs")
    ledger.record("C3", chapter="02_demo", check="a", measured="n/a", verdict="open")
    ledger.record("code:hopf-lax-relu-test", chapter="02_demo", check="as coded", measured=2.0, verdict="differs")
    rows = {r.claim: r for r in ledger.summarize(ledger.load(root))}
    assert len(rows) == 34 and "code:hopf-lax-relu-test" not in rows
    assert (rows["C1"].verdict, rows["C2"].verdict, rows["C3"].verdict, rows["C4"].verdict) == (
        "reproduced", "differs", "open", "open")
    assert rows["C2"].pages == ["book/01_part/02_demo"]


def test_superseded_records_are_dropped_but_unrerun_chapters_stay_stale(book):
    root, ch = book
    ledger.record("C1", chapter="02_demo", check="old wording", measured=0.0, verdict="reproduced")
    ch.write_text(NB.format(code="x = 2"))                      # the code changes ...
    ledger.record("C1", chapter="02_demo", check="new wording", measured=0.0, verdict="reproduced")
    recs = ledger.load(root)                                    # ... and the chapter is re-run
    assert [r.check for r in recs] == ["new wording"] and not recs[0].stale
    assert len(ledger.load(root, drop_superseded=False)) == 2
    ch.write_text(NB.format(code="x = 3"))                      # changed again, not re-run
    recs = ledger.load(root)
    assert len(recs) == 2 and all(r.stale for r in recs)
