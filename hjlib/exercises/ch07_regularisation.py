"""Checks for chapter 7, "ε as regularisation: smoothness, robustness, extrapolation"
(book/02_lse_layers/07_eps_regularisation.md)."""
from __future__ import annotations

import numpy as np

from ._core import ExerciseError, _as_array, call_answer, compare, register


def _reference_curvature(x, W, b, eps):
    z = (x[:, None] * W[None, :] + b[None, :]) / eps
    z = z - z.max(axis=1, keepdims=True)
    pi = np.exp(z)
    pi /= pi.sum(axis=1, keepdims=True)
    mean = pi @ W
    return (pi * (W[None, :] - mean[:, None]) ** 2).sum(axis=1) / eps


def _curvature_cases():
    rng = np.random.default_rng(7)
    W7 = np.arange(-3.0, 4.0) / 2                      # Hopf–Cole slopes of y = -3..3, t = 1
    b7 = -np.arange(-3.0, 4.0) ** 2 / 4
    return [
        (np.array([-0.5, 0.0, 0.5, 1.5]), W7, b7, 0.05, "seven atoms y = -3..3, ε = 0.05"),
        (np.linspace(-2, 2, 9), rng.standard_normal(6), rng.standard_normal(6), 0.7, "a random layer, ε = 0.7"),
        (np.array([-1.0, 0.0, 1.0]), np.array([-1.0, 1.0]), np.zeros(2), 1e-3, "ReLU-like pair, ε = 1e-3"),
        (np.array([1.0, 2.0]), np.array([50.0, 100.0, -30.0]), np.array([0.0, 1.0, 2.0]), 0.01,
         "logits of size 100, ε = 0.01"),
    ]


@register("ch07-curvature-1d")
def _check_curvature(curvature_1d):
    """``curvature_1d(x, W, b, eps)`` → Var_π(W)/ε, shape (n,)."""
    for x, W, b, eps, label in _curvature_cases():
        what = f"curvature_1d on {label}"
        got = call_answer(curvature_1d, x.copy(), W.copy(), b.copy(), eps, what=what)
        expected = _reference_curvature(x, W, b, eps)
        ga = _as_array(got, what)
        hint = ""
        if ga.shape == expected.shape and np.all(np.isfinite(ga)):
            if np.allclose(ga, expected * eps, rtol=1e-8, atol=1e-12) and eps != 1:
                hint = "You returned Var_π(W): divide by ε (the 1/ε of the softmax's chain rule)."
            else:
                z = (x[:, None] * W + b) / eps
                z -= z.max(axis=1, keepdims=True)
                pi = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
                if np.allclose(ga, (pi @ W ** 2) / eps, rtol=1e-8, atol=1e-12):
                    hint = ("You returned E_π[W²]/ε: subtract the square of the mean, "
                            "Var = E_π[(W − E_π W)²].")
                elif np.allclose(ga, (pi @ W) ** 2 / eps, rtol=1e-8, atol=1e-12):
                    hint = "You returned (E_π W)²/ε, the squared mean; the curvature is the variance."
        elif ga.shape == expected.shape:
            hint = ("exp overflows or gives 0/0: subtract the row maximum of the logits/ε before "
                    "exponentiating (the stub already does) and keep π normalised.")
        compare(got, expected, what=what, rtol=1e-8, atol=1e-12, hint=hint)


def _reference_bound(z, eps):
    top2 = np.sort(z, axis=1)[:, -2:]
    delta = top2[:, 1] - top2[:, 0]
    return eps * np.log1p((z.shape[1] - 1) * np.exp(-delta / eps))


@register("ch07-extrapolation-bound")
def _check_extrapolation_bound(extrapolation_bound):
    """``extrapolation_bound(z, eps)`` → ε log(1 + (N−1) e^{−Δ/ε}) per row of z (n, N)."""
    rng = np.random.default_rng(11)
    cases = [
        (rng.standard_normal((5, 6)), 0.3, "random logits, N = 6, ε = 0.3"),
        (np.array([[3.0, 0.0, 0.0, 0.0], [1.0, 1.0, -2.0, 0.5]]), 0.5,
         "a row with a tie at the top (Δ = 0), ε = 0.5"),
        (np.array([[0.0, -30.0, -40.0], [5.0, 1.0, -1.0]]), 0.1, "large gaps Δ/ε = 300 and 40"),
        (np.array([[2.0, 7.0, 1.0, 7.5, 0.0]]), 1.0, "maximum not in the first column, ε = 1"),
    ]
    for z, eps, label in cases:
        what = f"extrapolation_bound on {label}"
        got = call_answer(extrapolation_bound, z.copy(), eps, what=what)
        expected = _reference_bound(z, eps)
        ga = _as_array(got, what)
        hint = ""
        if ga.shape == expected.shape:
            N = z.shape[1]
            top2 = np.sort(z, axis=1)[:, -2:]
            delta = top2[:, 1] - top2[:, 0]
            with np.errstate(over="ignore", divide="ignore"):
                if np.any((ga == 0) & (expected > 0)):
                    hint = ("An entry came back exactly 0: log(1 + a) rounds to 0 for tiny a; use "
                            "np.log1p(a).")
                elif np.allclose(ga, eps * np.log1p(N * np.exp(-delta / eps)), rtol=1e-9, atol=0):
                    hint = "The max itself is not a competitor: use N − 1, not N."
                elif np.allclose(ga, np.log1p((N - 1) * np.exp(-delta / eps)), rtol=1e-9, atol=0) and eps != 1:
                    hint = "Multiply the logarithm by ε."
                elif np.allclose(ga, eps * (N - 1) * np.exp(-delta / eps), rtol=1e-9, atol=0):
                    hint = ("That is the weaker bound ε(N−1)e^{−Δ/ε} (after log(1+a) ≤ a); return "
                            "ε log(1 + (N−1)e^{−Δ/ε}) itself.")
                elif np.any(ga < 0) or np.allclose(ga, eps * np.log1p((N - 1) * np.exp(delta / eps)), rtol=1e-9, atol=0):
                    hint = "Δ is the largest minus the second largest (≥ 0), and it enters as e^{−Δ/ε}."
        compare(got, expected, what=what, rtol=1e-9, atol=1e-300, hint=hint)
