"""Checks for the Prelude's exercises (book/00_preface/lse_in_one_page.md)."""
from __future__ import annotations

import math

import numpy as np

from ._core import ExerciseError, call_answer, compare, register


def _reference_lse(z, eps):
    z = np.asarray(z, dtype=float)
    m = z.max()
    return m + eps * np.log(np.sum(np.exp((z - m) / eps)))


@register("lse-stable")
def _check_lse_stable(my_lse):
    """``my_lse(z, eps)`` for a 1-D array z and eps > 0: a log-sum-exp that never overflows."""
    cases = [
        (np.array([0.0, 1.0, 2.0]), 1.0, "a small vector"),
        (np.array([0.3, -1.2, 0.7, 0.1]), 0.25, "a small ε"),
        (np.array([1000.0, 999.0, 998.0]), 1.0, "large entries"),
        (np.array([-1000.0, -1001.0]), 1.0, "very negative entries"),
        (np.array([1.0, 0.5, -2.0]), 1e-3, "ε = 1e-3"),
        (np.array([2.0, 2.0, 2.0, 2.0]), 0.5, "all-equal entries"),
    ]
    for z, eps, label in cases:
        got = call_answer(my_lse, z.copy(), eps, what=f"my_lse(z={z.tolist()}, eps={eps})")
        expected = _reference_lse(z, eps)
        hint = ""
        g = float(np.asarray(got, dtype=float)) if np.ndim(got) == 0 else got
        if np.ndim(g) == 0 and not math.isfinite(g):
            hint = (
                "exp(z/ε) overflows (or underflows to log 0) here: subtract m = max(z) before "
                "exponentiating and add it back outside the log."
            )
        elif np.ndim(g) == 0 and math.isclose(g, expected / eps, rel_tol=1e-6):
            hint = "You returned log Σ exp(z/ε): multiply the log by ε."
        elif np.ndim(g) == 0 and math.isclose(g, expected - eps * math.log(len(z)), rel_tol=1e-9):
            hint = "You averaged instead of summing: the ε log N term is missing."
        compare(got, expected, what=f"my_lse on {label} (z={z.tolist()}, eps={eps})", rtol=1e-10, hint=hint)


@register("eps-for-tolerance")
def _check_eps_for_tolerance(eps_for_tolerance):
    """``eps_for_tolerance(N, tol)``: the largest ε with LSE_ε − max ≤ tol for *every* z ∈ R^N."""
    for N, tol in [(2, 0.1), (10, 0.01), (1000, 0.01), (1, 0.5)]:
        got = call_answer(eps_for_tolerance, N, tol, what=f"eps_for_tolerance(N={N}, tol={tol})")
        if N == 1:
            if not (isinstance(got, float) and math.isinf(got)) and not (
                np.ndim(got) == 0 and np.isinf(float(got))
            ):
                raise ExerciseError(
                    f"eps_for_tolerance(N=1, tol={tol}) returned {got!r}: with one entry LSE_ε(z) = z "
                    "exactly, so every ε works — return math.inf."
                )
            continue
        expected = tol / math.log(N)
        hint = ""
        if np.ndim(got) == 0 and math.isclose(float(got), tol * math.log(N), rel_tol=1e-9):
            hint = "You multiplied by log N; the gap bound is ε log N ≤ tol, so divide."
        elif np.ndim(got) == 0 and math.isclose(float(got), tol / N, rel_tol=1e-9):
            hint = "The worst case is all entries equal, where the gap is ε log N, not ε N."
        compare(got, expected, what=f"eps_for_tolerance(N={N}, tol={tol})", rtol=1e-12, hint=hint)
