"""Checks for chapter 9's exercises (book/03_architectures/09_depth.md): depth and composition."""
from __future__ import annotations

import numpy as np

from ._core import ExerciseError, call_answer, compare, register

_W1 = np.array([1.5, -1.0, 0.8])
_B1 = np.array([0.3, 0.5, -0.4])
_W2 = np.array([0.5, 0.5, 0.5])


def _softplus(z, eps):
    return np.maximum(z, 0) + eps * np.log1p(np.exp(-np.abs(z) / eps))


def _net(x, W1, b1, w2, eps):
    return _softplus(np.outer(x, W1) + b1, eps) @ w2


@register("ch09-softplus-net")
def _check_softplus_net(softplus_net):
    """``softplus_net(x, W1, b1, w2, eps)``: x (n,), W1, b1, w2 (H,), eps > 0 → w2·softplus_ε(W1 x + b1), shape (n,)."""
    rng = np.random.default_rng(9)
    cases = [
        (np.linspace(-2, 2, 9), _W1, _B1, _W2, 0.1, "the Claim B network at ε = 0.1"),
        (np.linspace(-2, 2, 9), _W1, _B1, _W2, 2.0, "the Claim B network at ε = 2"),
        (np.linspace(-1, 1, 7), rng.standard_normal(5), rng.standard_normal(5),
         np.array([1.0, -0.5, 0.3, -2.0, 0.7]), 0.5, "a width-5 network with signed output weights"),
        (np.linspace(-2, 2, 9), _W1, _B1, _W2, 1e-3, "the Claim B network at ε = 1e-3"),
    ]
    for x, W1, b1, w2, eps, label in cases:
        what = f"softplus_net on {label}"
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            got = call_answer(softplus_net, x.copy(), W1.copy(), b1.copy(), w2.copy(), eps, what=what)
        expected = _net(x, W1, b1, w2, eps)
        g = np.asarray(got, dtype=float) if not isinstance(got, (list, tuple)) else np.asarray(got, dtype=float)
        hint = ""
        Z = np.outer(x, W1) + b1
        if g.shape == expected.shape:
            if not np.all(np.isfinite(g)):
                hint = ("exp(z/ε) overflows for small ε: use softplus_ε(z) = max(z, 0) + ε·log1p(exp(−|z|/ε)), "
                        "whose exponent is never positive.")
            elif np.allclose(g, np.maximum(Z, 0) @ w2, rtol=1e-9, atol=1e-12):
                hint = "That is the ReLU network (ε = 0); the hidden units should be ε-softplus."
            elif np.allclose(g, (_softplus(Z, eps) / eps) @ w2, rtol=1e-8, atol=1e-12):
                hint = "You returned log(1 + e^{z/ε}) without the factor ε in front."
            elif np.allclose(g, _softplus(Z, eps).sum(1), rtol=1e-8, atol=1e-12):
                hint = "The hidden activations are summed: weight them with w2."
            elif np.allclose(g, _softplus(Z * 1.0, 1.0) @ w2, rtol=1e-8, atol=1e-12):
                hint = "That is the ordinary softplus (ε = 1): divide z by ε inside and multiply by ε outside."
        elif g.shape == (x.size, W1.size):
            hint = "You returned the hidden layer h; the output is w2·h, one number per input."
        compare(got, expected, what=what, rtol=1e-9, atol=1e-12, hint=hint)


def _reference_convex_fit(x, y):
    from hjlib.depth import convex_fit_1d

    return convex_fit_1d(x, y)


@register("ch09-convex-fit")
def _check_convex_fit(convex_fit):
    """``convex_fit(x, y)``: fitted values (n,) of the least-squares best convex function on sorted x."""
    rng = np.random.default_rng(90)
    x41 = np.linspace(-2, 2, 41)
    xr = np.sort(rng.uniform(-1, 3, 30))
    cases = [
        (x41, 0.8 * np.sin(3 * x41), "0.8 sin 3x on 41 points of [-2, 2]"),
        (x41, np.abs(x41) + 0.3 * x41, "a convex target, |x| + 0.3x"),
        (xr, np.cos(2 * xr) + 0.1 * rng.standard_normal(30), "noisy cos 2x on 30 unevenly spaced points"),
    ]
    for x, y, label in cases:
        what = f"convex_fit on {label}"
        got = call_answer(convex_fit, x.copy(), y.copy(), what=what)
        g = np.asarray(got, dtype=float)
        if g.shape != x.shape:
            raise ExerciseError(f"{what} returned shape {g.shape}; expected the fitted values, shape {x.shape}. "
                                "Return A @ coef, not the coefficients or the RMSE.")
        if not np.all(np.isfinite(g)):
            raise ExerciseError(f"{what} returned non-finite values.")
        slopes = np.diff(g) / np.diff(x)
        k = int(np.argmin(np.diff(slopes)))
        scale = 1e-7 * (1 + np.abs(slopes).max())
        if np.diff(slopes)[k] < -scale:
            hint = ("the kink coefficients c_k must be ≥ 0 (bounds (0, ∞)), while a and b stay free."
                    if not np.allclose(g, y) else "you returned y itself.")
            raise ExerciseError(f"{what} is not convex: the slope drops from {slopes[k]:.4g} to {slopes[k + 1]:.4g} "
                                f"at x = {x[k + 1]:.3f}. Hint: {hint}")
        ref = _reference_convex_fit(x, y)
        r_got, r_ref = np.sqrt(np.mean((g - y) ** 2)), np.sqrt(np.mean((ref - y) ** 2))
        if r_got > r_ref + 1e-7:
            line = np.polyval(np.polyfit(x, y, 1), x)
            hint = ""
            if np.allclose(g, line, atol=1e-8):
                hint = " You fitted a straight line: add the ramps (x − x_k)₊ as columns so the fit can bend."
            elif abs(np.mean(g - y)) > 1e-6:
                hint = (" The residuals do not average to zero, which a free intercept would ensure: "
                        "is a bounded below by 0?")
            raise ExerciseError(f"{what} is convex but not the best: RMSE {r_got:.6f}, the best convex fit "
                                f"reaches {r_ref:.6f}.{hint} Also check that a and b have bounds (−∞, ∞).")
        compare(g, ref, what=what, rtol=1e-5, atol=1e-5,
                hint="The RMSE is optimal, but the values differ: the best fit is unique, so recheck the columns.")
