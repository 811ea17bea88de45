"""Checks for the exercises of Part I, chapter 3 (book/01_hj_foundations/03_tropical.md)."""
from __future__ import annotations

import math

import numpy as np

from ._core import ExerciseError, call_answer, compare, register


def _reference_maslov_add(a, b, eps):
    if eps == 0:
        return max(a, b)
    m = max(a, b)
    if math.isinf(m):
        return m
    return m + eps * math.log1p(math.exp(-abs(a - b) / eps))


@register("ch03-maslov-add")
def _check_maslov_add(maslov_add):
    """``maslov_add(a, b, eps)`` for floats a, b and eps ≥ 0: ε log(e^{a/ε} + e^{b/ε}), stably."""
    cases = [
        (0.0, 0.0, 1.0, "a tie (a = b)"),
        (1.0, 3.0, 0.5, "a small example"),
        (3.0, 1.0, 0.5, "the same example with a and b swapped"),
        (1000.0, 999.0, 1.0, "large arguments"),
        (-1000.0, -1001.0, 1.0, "very negative arguments"),
        (2.0, -1.0, 1e-3, "ε = 1e-3"),
        (1e300, -1e300, 1e-3, "huge arguments of opposite sign"),
        (1.5, -0.5, 0.0, "ε = 0 (the tropical limit)"),
        (-math.inf, 2.0, 0.5, "a = −∞ (the tropical zero)"),
    ]
    for a, b, eps, label in cases:
        what = f"maslov_add({a}, {b}, eps={eps}) [{label}]"
        try:
            with np.errstate(all="ignore"):
                got = call_answer(maslov_add, a, b, eps, what=what)
        except ExerciseError as err:
            if eps == 0 and "ZeroDivision" in str(err):
                raise ExerciseError(
                    f"{err}. At ε = 0 the formula divides by zero: return max(a, b) exactly "
                    "in that case (it is the limit ε → 0⁺).") from None
            raise
        expected = _reference_maslov_add(a, b, eps)
        hint = ""
        try:
            g = float(np.asarray(got, dtype=float))
        except (TypeError, ValueError):
            raise ExerciseError(f"{what} returned {got!r}; expected a number") from None
        if not math.isfinite(g) and math.isfinite(expected):
            hint = ("exp(a/ε) overflows (or log sees 0): write a ⊕_ε b = m + ε·log1p(exp(−|a − b|/ε)) "
                    "with m = max(a, b).")
        elif eps > 0 and math.isfinite(expected) and math.isclose(g, max(a, b), rel_tol=0, abs_tol=1e-15) \
                and expected - max(a, b) > 1e-12:
            hint = "You returned max(a, b): for ε > 0 the correction ε log(1 + e^{−|a−b|/ε}) is missing."
        elif eps > 0 and (g < min(a, b) - 1e-15 or (a != b and math.isclose(g, min(a, b), rel_tol=1e-12))):
            hint = ("You returned a (soft) minimum: ⊕_ε deforms max, so factor out m = max(a, b) and "
                    "add the nonnegative term ε log(1 + e^{−|a−b|/ε}).")
        elif eps > 0 and math.isfinite(expected) and math.isclose(
                g, max(a, b) + math.log1p(math.exp(-abs(a - b) / eps)), rel_tol=1e-12):
            hint = "The correction term must be multiplied by ε."
        elif eps == 0 and not math.isclose(g, expected, rel_tol=0, abs_tol=0):
            hint = "At ε = 0 the answer is exactly max(a, b)."
        compare(g, expected, what=what, rtol=1e-12, atol=1e-14, hint=hint)


def hat(x):
    """The ReLU network of exercise ch03-relu-tropical: relu(x + 1) − 2 relu(x) + relu(x − 1)."""
    x = np.asarray(x, dtype=float)
    return np.maximum(x + 1, 0) - 2 * np.maximum(x, 0) + np.maximum(x - 1, 0)


def _eval_poly(P, x, name):
    try:
        a, c = P
        a = np.asarray(a, dtype=float).ravel()
        c = np.asarray(c, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ExerciseError(f"{name} should be a pair (slopes, intercepts) of 1-D arrays, got {P!r}") from None
    if a.shape != c.shape or a.size == 0:
        raise ExerciseError(
            f"{name}: slopes and intercepts must be non-empty and of equal length, got {a.size} and {c.size}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(c))):
        raise ExerciseError(f"{name}: slopes and intercepts must be finite numbers")
    return np.max(a[None, :] * x[:, None] + c[None, :], axis=1), a


@register("ch03-relu-tropical")
def _check_relu_tropical(answer):
    """``answer = (F, G)``, each a pair (slopes, intercepts), with max-affine F − G = hat."""
    try:
        F, G = answer
    except (TypeError, ValueError):
        raise ExerciseError(
            "the answer should be a pair (F, G), each F = (slopes, intercepts)") from None
    x = np.linspace(-3, 3, 601)
    f, aF = _eval_poly(F, x, "F")
    g, aG = _eval_poly(G, x, "G")
    target = hat(x)
    diff = f - g
    hint = ""
    if np.allclose(diff, -target, atol=1e-9):
        hint = "F − G is minus the network: swap F and G."
    elif np.allclose(np.diff(diff - target), 0, atol=1e-9):
        hint = (f"F − G is off by the constant {float((diff - target)[0]):.6g} everywhere: "
                "check the intercepts (0 for relu(x), ±1 inside relu(x ± 1)).")
    elif np.any(aF != np.round(aF)) or np.any(aG != np.round(aG)):
        hint = "With integer weights every slope of F and G is an integer."
    else:
        hint = ("Put the positive-weight units in F and the negative-weight units in G: "
                "F = relu(x+1) + relu(x−1), G = 2 relu(x); then expand each as a max of affine "
                "functions (a sum of maxima is the max of all pairwise sums).")
    k = int(np.argmax(np.abs(diff - target)))
    if not np.allclose(diff, target, atol=1e-9):
        raise ExerciseError(
            f"F(x) − G(x) differs from the network at x = {x[k]:.3f}: got {diff[k]:.6g}, "
            f"expected {target[k]:.6g}. {hint}")
