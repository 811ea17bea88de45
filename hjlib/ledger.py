"""The reproduction ledger: chapters record what they checked; the ledger page collects it.

Each chapter calls :func:`record` in the cell that checks a claim of the paper, right beside
its ``assert``::

    hjlib.ledger.record("C4", chapter="02_hopf_cole", check="residual of u without the source term",
                        target=0.15, measured=res, verdict="reproduced", error=abs(res - 0.15))

The call shows a one-line badge in the page and writes a JSON record to
``_build/ledger/<chapter>/<claim>-<n>.json`` (``HJBOOK_LEDGER_DIR`` overrides the folder). Each
record carries the SHA-256 of the chapter's code cells, so the ledger page (which only reads
records, never types a value) can flag a record that is older than the chapter's code. The claims' statements
and types come from :data:`CLAIMS` (the project's claims ledger C1–C34).
"""
from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["record", "load", "summarize", "CLAIMS", "CODE_NOTES", "VERDICTS", "Record", "ClaimRow",
           "chapter_source", "book_root", "code_hash"]

VERDICTS = ("reproduced", "differs", "open")

#: claim id → (short statement, type) — the project's claims ledger (paper digest §5).
CLAIMS: dict[str, tuple[str, str]] = {
    "C1": ("An LSE layer equals the discrete Hopf–Cole solution: f + u = |x|²/(4t)", "exact"),
    "C2": ("The map (W, b) ↔ (y, g) is an affine bijection", "exact"),
    "C3": ("A training step on (W, b) is a step on the initial data (y, g)", "exact"),
    "C4": ("The discrete Hopf–Cole sum solves the viscous HJ equation up to the source −εd/(2t)", "exact"),
    "C5": ("Continuum Hopf–Cole solution for quadratic initial data", "exact"),
    "C6": ("Tropical limit: 0 ≤ LSE_ε − max ≤ ε log N (and the PDE analogue)", "exact"),
    "C7": ("Laws of the Maslov-deformed semiring", "exact"),
    "C8": ("Softplus, ReLU, sigmoid, tanh as LSE special cases", "exact"),
    "C9": ("ReLU from Hopf–Lax with the right initial data", "exact"),
    "C10": ("Gradient and Hessian identities of the LSE layer", "exact"),
    "C11": ("Attention weights are ∇LSE", "exact"),
    "C12": ("Distance (L2) attention is Hopf–Cole weights with a per-key bias", "exact"),
    "C13": ("Hessian bound ‖∇²f‖ ≤ max‖W_j‖²/ε", "exact"),
    "C14": ("The Hessian bound on trained 1-D networks (Experiment C)", "structural"),
    "C15": ("Attribution entropy rises monotonically with ε", "exact"),
    "C16": ("Particle (H → 0) and wave (H → log N) limits", "exact"),
    "C17": ("Entropy-gradient formula ∇H = Cov_π(y, −log π)/(2tε)", "exact"),
    "C18": ("Fold bifurcations of the entropy, 1-D demo", "structural"),
    "C19": ("Fold cascade of the entropy, 2-D two-cluster data", "structural"),
    "C20": ("Quadrature rate O(N^(−1/d)) in width", "structural"),
    "C21": ("Synthetic scaling exponent α = 1/d_eff", "conjectural"),
    "C22": ("Adam-trained scaling law α̂ ≈ 1/d (Experiment B)", "conjectural"),
    "C23": ("Initial-data recovery improves as ε → 0 (Experiment A)", "structural"),
    "C24": ("Hessian bound on real data (MNIST/CIFAR; here: digits)", "exact"),
    "C25": ("Backpropagation is the Pontryagin co-state recursion for ResNets", "exact"),
    "C26": ("The limits ε → 0 and N → ∞ commute", "structural"),
    "C27": ("Away from the data the output collapses to the dominant neuron", "exact"),
    "C28": ("Curvature peaks at Voronoi boundaries", "exact"),
    "C29": ("Gibbs variational principle: LSE is entropy-regularised max", "exact"),
    "C30": ("Minimax generalisation rate O(n^(−1/(d+2))) at fixed t", "conjectural"),
    "C31": ("Critical scale ε* = N^(−1/d)", "conjectural"),
    "C32": ("Intrinsic dimension from published scaling exponents", "conjectural"),
    "C33": ("Tropical limit of KP τ-functions", "conjectural"),
    "C34": ("Depth composes HJ layers; non-convex targets need depth", "structural"),
}


#: notes on the authors' released code (not claims of the paper): id → short title. Chapters record
#: the measurements behind each note with ``record("code:<id>", ...)``.
CODE_NOTES: dict[str, str] = {
    "code:tautological-checks": "Verifications that compare a formula with itself",
    "code:hopf-lax-relu-test": "The released test “Hopf–Lax recovers ReLU”",
    "code:two-over-d-exponent": "The ≈ 2/d exponent of the synthetic scaling law",
    "code:width-vs-sample-rate": "A width rate presented as a sample-size rate",
    "code:unnormalised-source": "The unnormalised Hopf–Cole sum and its source term",
}


def book_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder above ``start`` (default: cwd) holding _toc.yml."""
    here = (start or Path.cwd()).resolve()
    for p in (here, *here.parents):
        if (p / "_toc.yml").is_file():
            return p
    raise FileNotFoundError(f"no _toc.yml above {here}: run inside the book's repository")


def chapter_source(chapter: str, root: Path | None = None) -> Path:
    """The .md file of a chapter id (its file stem, e.g. ``"02_hopf_cole"``)."""
    root = root or book_root()
    found = sorted((root / "book").rglob(f"{chapter}.md"))
    if len(found) != 1:
        raise ValueError(f"chapter must name exactly one book/**/{chapter}.md, found {len(found)}")
    return found[0]


_CODE_CELL = re.compile(r"^(`{3,})\{code-cell\}[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)


def code_hash(path: Path) -> str:
    """SHA-256 of a chapter's code cells (what decides its numbers; prose edits do not count).

    The code cells of a MyST notebook are its ```{code-cell} blocks (options included); read with
    a regular expression rather than jupytext, which costs seconds to import in a kernel.
    """
    text = path.read_text(encoding="utf-8")
    code = "\n\x00\n".join(m.group(2) for m in _CODE_CELL.finditer(text))
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _ledger_dir(root: Path) -> Path:
    env = os.environ.get("HJBOOK_LEDGER_DIR")
    return Path(env) if env else root / "_build" / "ledger"


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return str(v)
    v = float(v)
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:.4g}"
    return f"{v:.3g}"


def _jsonable(v):
    if v is None or isinstance(v, (str, bool)):
        return v
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise TypeError(f"target/measured/error must be numbers, strings or None, got {type(v).__name__}")
    if not math.isfinite(f):
        raise ValueError(f"target/measured/error must be finite, got {f}")
    return f


class _Badge:
    def __init__(self, rec: dict):
        self.rec = rec

    def _repr_html_(self):
        r = self.rec
        colour = {"reproduced": "#1a7f37", "differs": "#b35900", "open": "#57606a"}[r["verdict"]]
        return (
            f'<p class="hj-claim" style="font-size:0.85em;margin:0.2em 0">'
            f'<span style="color:{colour};font-weight:600">{html.escape(r["claim"])} · {r["verdict"]}</span>'
            f" — {html.escape(r['check'])}: measured {html.escape(_fmt(r['measured']))}"
            f" (target {html.escape(_fmt(r['target']))})</p>"
        )

    def __repr__(self):
        r = self.rec
        return f"[{r['claim']} {r['verdict']}] {r['check']}: measured {_fmt(r['measured'])} (target {_fmt(r['target'])})"


def record(claim: str, *, chapter: str, check: str, target=None, measured=None, verdict: str,
           error=None, note: str = ""):
    """Record the outcome of checking one claim in a chapter; return a badge to display.

    Parameters
    ----------
    claim : str
        Ledger id, ``"C1"`` … ``"C34"``, or a note on the released code, ``"code:…"`` (see
        :data:`CODE_NOTES`).
    chapter : str
        The chapter's file stem, e.g. ``"02_hopf_cole"``.
    check : str
        What was computed, in a few words.
    target, measured, error : number or str, optional
        The reference value (with its source in ``note`` if it is not obvious), the value this
        run measured, and the error or distance between them.
    verdict : {"reproduced", "differs", "open"}
    note : str
        Anything a reader of the ledger needs (source of the target, tolerance, caveat).
    """
    if claim not in CLAIMS and claim not in CODE_NOTES:
        raise ValueError(f"claim must be one of C1…C34 or a code note {sorted(CODE_NOTES)}, got {claim!r}")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    if not check or not isinstance(check, str):
        raise ValueError("check must be a short non-empty description of what was computed")
    root = book_root()
    src = chapter_source(chapter, root)
    rec = {
        "claim": claim,
        "chapter": chapter,
        "page": src.relative_to(root).with_suffix("").as_posix(),
        "check": check,
        "target": _jsonable(target),
        "measured": _jsonable(measured),
        "error": _jsonable(error),
        "verdict": verdict,
        "note": note,
        "source_sha256": code_hash(src),
    }
    folder = _ledger_dir(root) / chapter
    folder.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(check.encode()).hexdigest()[:10]
    (folder / f"{claim.replace(':', '_')}-{key}.json").write_text(json.dumps(rec, indent=1, ensure_ascii=False))
    return _Badge(rec)


@dataclass
class Record:
    claim: str
    chapter: str
    page: str
    check: str
    target: object
    measured: object
    error: object
    verdict: str
    note: str
    stale: bool


def load(root: Path | None = None, *, drop_superseded: bool = True) -> list[Record]:
    """Every record under the ledger folder, each marked ``stale`` if its chapter's code changed.

    With ``drop_superseded`` (default), stale records of a chapter that also has fresh records are
    dropped: they were left behind by an earlier run whose check was since reworded or removed.
    A chapter whose records are *all* stale keeps them (marked stale): it has not been re-run
    since its code changed, and the caller should refuse them.
    """
    root = root or book_root()
    out = []
    folder = _ledger_dir(root)
    if not folder.is_dir():
        return out
    hashes: dict[str, str | None] = {}
    for f in sorted(folder.rglob("*.json")):
        rec = json.loads(f.read_text())
        chapter = rec["chapter"]
        if chapter not in hashes:
            try:
                hashes[chapter] = code_hash(chapter_source(chapter, root))
            except ValueError:
                hashes[chapter] = None  # the chapter was renamed or removed
        stale = hashes[chapter] != rec["source_sha256"]
        out.append(Record(rec["claim"], chapter, rec["page"], rec["check"], rec["target"],
                          rec["measured"], rec["error"], rec["verdict"], rec.get("note", ""), stale))
    if drop_superseded:
        fresh = {r.chapter for r in out if not r.stale}
        out = [r for r in out if not (r.stale and r.chapter in fresh)]
    return out


@dataclass
class ClaimRow:
    """One line of the ledger: a claim, what the chapters found, and the combined verdict."""

    claim: str
    statement: str
    kind: str
    records: list
    verdict: str

    @property
    def pages(self) -> list[str]:
        return list(dict.fromkeys(r.page for r in self.records))


def summarize(records: list[Record]) -> list[ClaimRow]:
    """Combine the records into one row per claim C1–C34.

    The verdict of a claim is "differs" if any check of it differs, else "reproduced" if at
    least one check reproduced it, else "open" (checked only partly, or not at all).
    Code notes (``code:…``) are not claims and are left out.
    """
    rows = []
    for cid, (statement, kind) in CLAIMS.items():
        recs = [r for r in records if r.claim == cid]
        verdicts = {r.verdict for r in recs}
        if "differs" in verdicts:
            verdict = "differs"
        elif "reproduced" in verdicts:
            verdict = "reproduced"
        else:
            verdict = "open"
        rows.append(ClaimRow(cid, statement, kind, recs, verdict))
    return rows
