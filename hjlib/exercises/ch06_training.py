"""Checks for chapter 6, "Training is a search over initial data"
(book/02_lse_layers/06_training_initial_data.md)."""
from __future__ import annotations

import numpy as np

from ._core import ExerciseError, _as_array, call_answer, compare, register


def _reference_deviation(y, g, pi):
    w = pi.mean(axis=0)
    return float(np.sum(w * np.abs(g - np.abs(y))) / np.sum(w))


def _deviation_cases():
    rng = np.random.default_rng(6)
    cases = []
    # a softmax over 50 inputs and 6 neurons (rows sum to 1)
    logits = rng.standard_normal((50, 6)) * 2.0
    pi = np.exp(logits - logits.max(1, keepdims=True))
    pi /= pi.sum(1, keepdims=True)
    y = rng.uniform(-2, 2, 6)
    g = np.abs(y) + rng.normal(0, 0.3, 6)
    cases.append((y, g, pi, "6 neurons, 50 inputs, g scattered around |y|"))
    # points below the curve and on negative y: the absolute values matter
    y2 = np.array([-1.5, -0.5, 0.3, 1.2])
    g2 = np.array([1.0, 0.9, 0.1, 1.5])
    pi2 = np.tile(np.array([0.7, 0.1, 0.15, 0.05]), (30, 1))
    cases.append((y2, g2, pi2, "4 neurons, one far below the curve at y = −1.5"))
    # weights that do not sum to one per row (e.g. an unnormalised attribution)
    pi3 = rng.uniform(0, 1, (40, 5))
    y3 = rng.uniform(-2, 2, 5)
    g3 = np.abs(y3) + rng.normal(0, 0.5, 5)
    cases.append((y3, g3, pi3, "rows of the weight matrix not normalised (divide by Σ w̄)"))
    return cases


@register("ch06-weighted-deviation")
def _check_weighted_deviation(weighted_deviation):
    """``weighted_deviation(y, g, pi)``: y, g (N,), pi (n, N) Gibbs weights → δ̄ (a float)."""
    for y, g, pi, label in _deviation_cases():
        what = f"weighted_deviation on {label}"
        got = call_answer(weighted_deviation, y.copy(), g.copy(), pi.copy(), what=what)
        ga = _as_array(got, what)
        expected = _reference_deviation(y, g, pi)
        hint = ""
        if ga.ndim != 0:
            hint = ("δ̄ is one number: average π over the inputs (axis 0) to get w̄ (one weight per "
                    "neuron), then take the weighted mean over neurons.")
            raise ExerciseError(f"{what} returned an array of shape {ga.shape}, expected a single "
                                f"number {expected:.6g}. {hint}")
        w = pi.mean(axis=0)
        gv = float(ga)
        if np.isclose(gv, np.mean(np.abs(g - np.abs(y))), rtol=1e-9):
            hint = "You took the plain mean over neurons: weight neuron j by w̄ⱼ = mean over inputs of πⱼ."
        elif np.isclose(gv, abs(np.sum(w * (g - np.abs(y))) / np.sum(w)), rtol=1e-9):
            hint = "Take |gⱼ − |yⱼ|| before averaging: deviations above and below the curve must not cancel."
        elif np.isclose(gv, np.sum(w * np.abs(g - y)) / np.sum(w), rtol=1e-9):
            hint = "The true initial datum is g*(y) = |y|: compare gⱼ with |yⱼ|, not with yⱼ."
        elif np.isclose(gv, np.sum(w * np.abs(g - np.abs(y))), rtol=1e-9):
            hint = "Divide by Σⱼ w̄ⱼ: the weights need not sum to one."
        compare(got, expected, what=what, rtol=1e-10, atol=1e-12, hint=hint)


def _reference_jacobian(w, t):
    w = np.asarray(w, dtype=float).reshape(-1)
    d = w.size
    J = np.zeros((d + 1, d + 1))
    J[:d, :d] = 2 * t * np.eye(d)
    J[d, :d] = -2 * t * w
    J[d, d] = -1.0
    return J


@register("ch06-jacobian")
def _check_jacobian(jacobian):
    """``jacobian(w, t)``: w (d,), t > 0 → the (d+1)×(d+1) matrix ∂(y, g)/∂(w, b)."""
    rng = np.random.default_rng(7)
    cases = [(np.array([0.5]), 1.5, "d = 1, w = 0.5, t = 1.5"),
             (np.array([0.3, -1.2]), 0.5, "d = 2, t = 0.5"),
             (rng.standard_normal(3), 2.0, "d = 3, t = 2")]
    for w, t, label in cases:
        what = f"jacobian on {label}"
        got = call_answer(jacobian, w.copy(), t, what=what)
        ga = _as_array(got, what)
        expected = _reference_jacobian(w, t)
        hint = ""
        if ga.shape == expected.shape:
            if np.allclose(ga, expected.T, atol=1e-12):
                hint = ("You returned the transpose: rows are the outputs (y₁…y_d, g), columns the "
                        "inputs (w₁…w_d, b).")
            elif np.allclose(ga[:-1], expected[:-1], atol=1e-12) and np.allclose(
                    ga[-1, :-1], -w, atol=1e-12):
                hint = "∂g/∂w = −2t·w (g = −b − t|w|², and d|w|²/dw = 2w), not −w."
            elif np.allclose(ga[:-1], expected[:-1], atol=1e-12) and np.allclose(
                    ga[-1, :-1], -t * w, atol=1e-12):
                hint = "d(t|w|²)/dw = 2t·w: the factor 2 from the square is missing."
            elif np.isclose(ga[-1, -1], 1.0):
                hint = "∂g/∂b = −1 (g = −b − t|w|²)."
            elif np.allclose(ga[:-1, :-1], t * np.eye(w.size), atol=1e-12):
                hint = "y = 2t·w, so ∂y/∂w = 2t·I."
        compare(got, expected, what=what, rtol=1e-12, atol=1e-12, hint=hint)
