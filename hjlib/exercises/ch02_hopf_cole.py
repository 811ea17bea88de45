"""Checks for chapter 2, "Viscous Hamilton–Jacobi and the Hopf–Cole transform"
(book/01_hj_foundations/02_hopf_cole.md)."""
from __future__ import annotations

import math

import numpy as np

from ._core import ExerciseError, _as_array, call_answer, compare, register


def _reference_hopf_cole(x, y, g, t, eps, normalized):
    """Independent reference: −ε log Σⱼ exp(−(gⱼ + |x − yⱼ|²/(4t))/ε) [+ (εd/2) log(4πεt)]."""
    d = x.shape[-1]
    cost = g + ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1) / (4 * t)
    m = cost.min(axis=1)
    u = m - eps * np.log(np.exp(-(cost - m[:, None]) / eps).sum(axis=1))
    if normalized:
        u = u + eps * d / 2 * math.log(4 * math.pi * eps * t)
    return u


def _hopf_cole_cases():
    rng = np.random.default_rng(2)
    cases = []
    x1 = np.linspace(-2, 2, 9)[:, None]
    y1 = np.array([[-1.5], [-0.5], [0.5], [1.5]])
    g1 = np.array([1.0, 0.3, 0.3, 1.0])
    cases.append((x1, y1, g1, 1.0, 0.3, False, "d = 1, four atoms, ε = 0.3"))
    cases.append((x1, y1, g1, 0.5, 0.3, True, "d = 1, normalized=True, t = 0.5"))
    cases.append((x1, y1, g1 + 10.0, 1.0, 1e-3, False, "ε = 1e-3 with costs near 10 (exp underflows)"))
    x2 = rng.standard_normal((6, 2))
    y2 = rng.standard_normal((8, 2))
    g2 = rng.uniform(0, 1, 8)
    cases.append((x2, y2, g2, 2.0, 0.1, True, "d = 2, normalized=True, t = 2"))
    x3 = rng.standard_normal((5, 3))
    y3 = 3 * rng.standard_normal((6, 3))
    g3 = rng.uniform(-1, 1, 6)
    cases.append((x3, y3, g3, 0.25, 0.02, True, "d = 3, normalized=True, ε = 0.02"))
    return cases


@register("ch02-hopf-cole")
def _check_hopf_cole(my_hopf_cole):
    """``my_hopf_cole(x, y, g, t, eps, normalized=False)``: x (n, d), y (M, d), g (M,) → u (n,)."""
    for x, y, g, t, eps, normalized, label in _hopf_cole_cases():
        what = f"my_hopf_cole on {label}"
        got = call_answer(lambda *a: my_hopf_cole(*a, normalized=normalized),
                          x.copy(), y.copy(), g.copy(), t, eps, what=what)
        expected = _reference_hopf_cole(x, y, g, t, eps, normalized)
        ga = _as_array(got, what)
        hint = ""
        d = x.shape[-1]
        const = eps * d / 2 * math.log(4 * math.pi * eps * t)
        if ga.shape == expected.shape:
            diff = ga - expected
            if not np.all(np.isfinite(ga)):
                hint = ("exp(−cost/ε) underflows to 0 (or overflows) here, and log 0 = −∞: subtract "
                        "m = min over j of the cost before exponentiating and add it back outside "
                        "the log (the max-shift of log-sum-exp, with a minus sign).")
            elif normalized and np.allclose(diff, -const, atol=1e-9):
                hint = ("normalized=True must add (εd/2)·log(4πεt); your values lack that "
                        "constant.")
            elif normalized and np.allclose(diff, -2 * const, atol=1e-9):
                hint = "The normalisation has the wrong sign: add (εd/2)·log(4πεt), do not subtract it."
            elif normalized and d > 1 and np.allclose(diff, -const * (d - 1) / d, atol=1e-9):
                hint = "The normalisation is (εd/2)·log(4πεt): the dimension d multiplies it."
            elif not normalized and np.allclose(diff, const, atol=1e-9):
                hint = "normalized=False must return the plain sum, without (εd/2)·log(4πεt)."
            else:
                wrong_t = _reference_hopf_cole(x, y, g, t / 2, eps, normalized) if not normalized else None
                if wrong_t is not None and np.allclose(ga, wrong_t, atol=1e-9):
                    hint = "The cost is |x − y|²/(4t) (H = |p|², L = |q|²/4), not |x − y|²/(2t)."
                elif np.allclose(ga, expected / eps, rtol=1e-6):
                    hint = "You returned −log Σ …: multiply the log by ε."
        compare(got, expected, what=what, rtol=1e-9, atol=1e-10, hint=hint)


def _measured_source(eps, d, t):
    import torch

    from ..hopf import hopf_cole
    from ..residual import pde_residual

    rng = np.random.default_rng(10 + d)
    y = torch.tensor(rng.standard_normal((5, d)))
    g = torch.tensor(rng.uniform(0, 1, 5))
    x = rng.standard_normal((4, d))
    R = pde_residual(lambda xx, tt: hopf_cole(xx, y, g, tt, eps), x, t, eps)
    return float(np.mean(R)), float(np.ptp(R))


@register("ch02-source-constant")
def _check_source_constant(predicted_source):
    """``predicted_source(eps, d, t)``: the constant residual ∂ₜu + |∇u|² − εΔu of the
    unnormalised discrete Hopf–Cole sum, compared with a measurement by autograd."""
    for eps, d, t in [(0.3, 1, 1.0), (0.2, 3, 0.5), (0.1, 2, 2.0), (0.05, 4, 0.25)]:
        what = f"predicted_source(eps={eps}, d={d}, t={t})"
        got = call_answer(predicted_source, eps, d, t, what=what)
        measured, spread = _measured_source(eps, d, t)
        if spread > 1e-9:  # pragma: no cover - would be a bug in hjlib, not in the answer
            raise RuntimeError(f"the measured residual is not constant (spread {spread:.2e})")
        g = _as_array(got, what)
        hint = ""
        if g.shape == ():
            v = float(g)
            if math.isclose(v, -measured, rel_tol=1e-6):
                hint = ("Wrong sign: the plain sum is the exact solution minus (εd/2) log(4πεt), "
                        "so ∂ₜu picks up −εd/(2t) and the residual is negative.")
            elif math.isclose(v, measured / d, rel_tol=1e-6) and d > 1:
                hint = "Each of the d dimensions contributes −ε/(2t): the constant is −εd/(2t)."
            elif math.isclose(v, 2 * measured, rel_tol=1e-6) or math.isclose(v, measured / 2, rel_tol=1e-6):
                hint = "Check the factor 2: d/dt of (εd/2) log(4πεt) is εd/(2t)."
            elif math.isclose(v, eps * d / 2 * math.log(4 * math.pi * eps * t), rel_tol=1e-6):
                hint = ("(εd/2) log(4πεt) is the offset between the plain sum and the exact "
                        "solution; the residual is its time derivative, with a minus sign.")
        if g.shape != ():
            raise ExerciseError(f"{what} should return one number, got shape {g.shape}.")
        compare(got, measured, what=f"{what} (measured by autograd: {measured:.6g})",
                rtol=1e-8, atol=1e-10, hint=hint)
