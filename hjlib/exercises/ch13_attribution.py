"""Checks for chapter 13, "Attribution and influence" (book/04_consequences/13_attribution.md)."""
from __future__ import annotations

import math

import numpy as np

from ._core import ExerciseError, _as_array, call_answer, compare, register


def _ref_entropy(s, eps):
    s = np.asarray(s, float)
    z = (s - s.max()) / eps
    logp = z - np.log(np.exp(z).sum())
    return float(max(-(np.exp(logp) * logp).sum(), 0.0))


@register("ch13-entropy-stable")
def _check_entropy_stable(my_entropy):
    """``my_entropy(s, eps)`` for a 1-D score vector s and ε > 0: H(softmax(s/ε)), stably."""
    rng = np.random.default_rng(13)
    cases = [
        (rng.standard_normal(6), 0.7, "six random scores, ε = 0.7"),
        (np.zeros(16), 2.0, "sixteen equal scores (expect log 16)"),
        (np.array([1.0, 1.0, -3.0]), 0.01, "a tie at the top, ε = 0.01 (expect log 2)"),
        (np.array([800.0, 799.0, 790.0]), 1.0, "scores of size 800, ε = 1"),
        (np.array([0.0, -1.0, -2.0, -0.5]), 1e-4, "a unique arg-max, ε = 1e-4 (the others underflow)"),
    ]
    for s, eps, label in cases:
        what = f"my_entropy on {label} (s={np.round(s, 4).tolist()}, eps={eps})"
        got = call_answer(my_entropy, s.copy(), eps, what=what)
        expected = _ref_entropy(s, eps)
        ga = _as_array(got, what)
        hint = ""
        if ga.shape != ():
            raise ExerciseError(f"{what} returned an array of shape {ga.shape}; return one number, "
                                "H = −Σⱼ πⱼ log πⱼ (sum over j).")
        v = float(ga)
        if not math.isfinite(v):
            hint = ("0·log 0 gives NaN (or exp overflows). Compute log π = (s − max s)/ε − "
                    "log Σ exp((s − max s)/ε) first, then π = exp(log π): a weight that underflows "
                    "to 0 then carries a finite log and contributes 0·(finite) = 0.")
        elif math.isclose(v, -expected, rel_tol=1e-9) and expected > 0:
            hint = "The sign is wrong: H = −Σ π log π is ≥ 0."
        elif math.isclose(v, expected / math.log(len(s)), rel_tol=1e-9) and expected > 0:
            hint = "You normalised by log N; return H itself, in nats."
        elif "underflow" in label and v != 0.0:
            hint = ("At a unique arg-max whose rivals underflow, H must be exactly 0.0. Clipping π "
                    "(e.g. to 1e-15) adds a spurious positive term: use log π instead.")
        if "underflow" in label and math.isfinite(v):
            if v == 0.0:
                continue
            raise ExerciseError(f"{what} returned {v!r}, expected exactly 0.0. {hint}")
        compare(v, expected, what=what, rtol=1e-10, atol=1e-12, hint=hint)


def _ref_grad(x, y, g, eps, t):
    s = -(g + ((x - y) ** 2).sum(-1) / (4 * t))
    z = (s - s.max()) / eps
    logp = z - np.log(np.exp(z).sum())
    p = np.exp(logp)
    ybar = p @ y
    hbar = -(p * logp).sum()
    return ((p * (-logp - hbar))[:, None] * (y - ybar)).sum(0) / (2 * t * eps)


def _ref_H(x, y, g, eps, t):
    return _ref_entropy(-(g + ((x - y) ** 2).sum(-1) / (4 * t)), eps)


@register("ch13-entropy-gradient")
def _check_entropy_gradient(grad_H):
    """``grad_H(x, y, g, eps, t)`` → ∇ₓH(π(x)) = Cov_π(y, −log π)/(2tε), shape (d,)."""
    rng = np.random.default_rng(31)
    y2 = rng.normal(size=(7, 2))
    cases = [
        (np.array([0.2, -0.4]), y2, rng.uniform(0, 1, 7), 0.3, 1.0, "seven atoms in 2-D, ε = 0.3, t = 1"),
        (np.array([1.0, 0.5]), y2, np.zeros(7), 1.5, 0.5, "g = 0, ε = 1.5, t = 0.5"),
        (np.array([0.3, 0.1, -0.2]), rng.normal(size=(5, 3)), rng.uniform(0, 1, 5), 0.05, 2.0,
         "five atoms in 3-D, ε = 0.05, t = 2"),
    ]
    for x, y, g, eps, t, label in cases:
        what = f"grad_H on {label}"
        got = call_answer(grad_H, x.copy(), y.copy(), g.copy(), eps, t, what=what)
        expected = _ref_grad(x, y, g, eps, t)
        h = 1e-6
        fd = np.array([(_ref_H(x + h * e, y, g, eps, t) - _ref_H(x - h * e, y, g, eps, t)) / (2 * h)
                       for e in np.eye(len(x))])
        assert np.max(np.abs(fd - expected)) < 1e-6          # the reference agrees with FD
        ga = _as_array(got, what)
        hint = (f"A central finite difference of H gives {np.round(fd, 6).tolist()}. ")
        if ga.shape == expected.shape and np.all(np.isfinite(ga)):
            if np.allclose(ga, -expected, rtol=1e-6, atol=1e-10):
                hint += "Your sign is flipped: use Cov_π(y, −log π), not Cov_π(y, log π)."
            elif np.allclose(ga, expected * 2 * t * eps, rtol=1e-6, atol=1e-10):
                hint += "Divide the covariance by 2tε (∇ₓ log πⱼ = (yⱼ − ȳ)/(2tε))."
            elif np.allclose(ga, expected * eps, rtol=1e-6, atol=1e-10) or \
                    np.allclose(ga, expected * 2 * t, rtol=1e-6, atol=1e-10):
                hint += "One of the factors 2t or ε in the denominator is missing."
            else:
                hint += "Check the covariance: Σⱼ πⱼ (yⱼ − ȳ)(−log πⱼ − H)."
        compare(ga, expected, what=what, rtol=1e-7, atol=1e-10, hint=hint)
