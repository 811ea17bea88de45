"""Checks for the exercises of "Width as quadrature: rates and scaling laws" (Part II, ch. 8)."""
from __future__ import annotations

import math

import numpy as np

from ._core import ExerciseError, call_answer, compare, register


def _reference_normalized_lse(x, y, g, eps, t):
    W = y / (2 * t)
    b = -g - (y ** 2).sum(-1) / (4 * t)
    z = (x @ W.T + b) / eps
    m = z.max(axis=1, keepdims=True)
    return eps * (np.log(np.mean(np.exp(z - m), axis=1)) + m[:, 0])


def _cases():
    rng = np.random.default_rng(8)
    y1 = np.linspace(-2, 2, 9)[:, None]
    y2 = rng.uniform(-2, 2, (30, 2))
    return [
        (np.array([[0.0], [0.7], [-1.3]]), y1, np.abs(y1[:, 0]), 1.0, 1.0, "a 1-D grid, g = |y|, ε = 1"),
        (rng.uniform(-1, 1, (5, 2)), y2, 0.5 * (y2 ** 2).sum(1), 0.3, 1.0, "30 random points in 2-D, ε = 0.3"),
        (np.array([[0.5], [1.5]]), y1, np.abs(y1[:, 0]), 1.0, 0.5, "t = 0.5"),
        (np.array([[1.0], [-1.0]]), y1, 200.0 + np.abs(y1[:, 0]), 1e-3, 1.0, "ε = 1e-3 and large g"),
    ]


@register("ch08-normalized-lse")
def _check_normalized_lse(normalized_lse):
    """``normalized_lse(x, y, g, eps, t)``: ε log (1/N) Σⱼ exp((Wⱼ·x + bⱼ)/ε), W = y/(2t), b = −g − |y|²/(4t)."""
    for x, y, g, eps, t, label in _cases():
        what = f"normalized_lse on {label}"
        got = call_answer(normalized_lse, x.copy(), y.copy(), g.copy(), eps, t, what=what)
        exp = _reference_normalized_lse(x, y, g, eps, t)
        ga = np.asarray(got, dtype=float) if np.ndim(got) else None
        hint = ""
        if ga is not None and ga.shape == exp.shape and np.all(np.isfinite(ga)):
            N = len(g)
            if np.allclose(ga, exp + eps * math.log(N), rtol=1e-9, atol=1e-12):
                hint = "You summed without the 1/N: the normalised layer averages, so subtract ε log N."
            elif np.allclose(ga, exp / eps, rtol=1e-9, atol=1e-12):
                hint = "The result is missing the factor ε in front of the log."
            elif np.allclose(ga, (x ** 2).sum(1) / (4 * t) - exp, rtol=1e-9, atol=1e-12) or np.allclose(
                    ga, -exp, rtol=1e-9, atol=1e-12):
                hint = ("That is the Hopf–Cole side −ε log mean exp(−(g + |x−y|²/4t)/ε) up to |x|²/4t; "
                        "the LSE layer uses the logits W·x + b with W = y/(2t), b = −g − |y|²/(4t).")
        elif ga is not None and not np.all(np.isfinite(ga)):
            hint = "exp overflowed or underflowed: subtract the row maximum of the logits/ε before exponentiating."
        compare(got, exp, what=what, rtol=1e-9, atol=1e-12, hint=hint)


@register("ch08-endpoint-offset")
def _check_endpoint_offset(endpoint_offset):
    """``endpoint_offset(d, eps, n)``: d·ε·log(n/(n−1)), the cost of dividing an n^d grid by N instead of (n−1)^d."""
    for d, eps, n in [(1, 1.0, 4), (2, 1 / 60, 60), (4, 1 / 15, 15), (3, 0.5, 9), (1, 2.0, 2048)]:
        got = call_answer(endpoint_offset, d, eps, n, what=f"endpoint_offset(d={d}, eps={eps:g}, n={n})")
        exp = d * eps * math.log(n / (n - 1))
        hint = ""
        if np.ndim(got) == 0 and np.isfinite(float(got)):
            v = float(got)
            if math.isclose(v, d * eps / n, rel_tol=1e-9) or math.isclose(v, d * eps / (n - 1), rel_tol=1e-9):
                hint = "That is the first-order approximation; the exact offset is d ε log(n/(n−1))."
            elif math.isclose(v, eps * math.log(n / (n - 1)), rel_tol=1e-9):
                hint = "Each of the d axes contributes a factor n/(n−1) inside the log: multiply by d."
            elif math.isclose(v, -exp, rel_tol=1e-9):
                hint = "Report the size of the offset, d ε log(n/(n−1)) > 0 (the layer lies below the target by it)."
            elif math.isclose(v, d * math.log(n / (n - 1)), rel_tol=1e-9):
                hint = "The offset is ε log(·) of the ratio of the two normalisations: multiply by ε."
        compare(got, exp, what=f"endpoint_offset(d={d}, eps={eps:g}, n={n})", rtol=1e-10, atol=0.0, hint=hint)
