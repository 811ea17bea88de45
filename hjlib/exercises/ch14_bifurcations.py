"""Checks for chapter 14 (book/04_consequences/14_bifurcations.md): critical points and continuation.

* ``ch14-count-1d``: ``my_count(xgrid, y, g, eps, t)`` → (number of minima, number of maxima) of
  H on the grid, from sign changes of the exact derivative H'.
* ``ch14-continuation-step``: ``my_step(x, eps0, eps1, y, g, t)`` → (x_pred, x_new): the tangent
  predictor x̂ = x − (ε₁ − ε₀)(∇²H)⁻¹∂_ε∇H at ε₀, then three Newton corrections at ε₁.
"""
from __future__ import annotations

import numpy as np

from .. import bifurcation as _B
from ._core import ExerciseError, call_answer, compare, register


def _reference_count(xgrid, y, g, eps, t):
    _, kind = _B.critical_points_1d(xgrid, y, g, eps, t)
    return int(np.sum(kind == "min")), int(np.sum(kind == "max"))


def _count_cases():
    y, g, t = _B.demo_1d()
    xg = np.linspace(-4, 4, 4001)
    cases = [(xg, y, g, e, t, f"the demo at ε = {e}") for e in (0.1, 0.35, 0.45, 0.8)]
    y3 = np.array([[-1.0], [0.2], [1.5]])
    cases.append((np.linspace(-3, 3, 3001), y3, np.array([0.0, 0.3, -0.2]), 0.15, 1.0,
                  "three atoms with g = (0, 0.3, −0.2), t = 1, ε = 0.15"))
    return cases


@register("ch14-count-1d")
def _check_count(my_count):
    """``my_count(xgrid, y, g, eps, t)`` → (n_min, n_max)."""
    for xg, y, g, eps, t, label in _count_cases():
        what = f"my_count on {label}"
        got = call_answer(my_count, xg.copy(), y.copy(), g.copy(), eps, t, what=what)
        try:
            n_min, n_max = (int(v) for v in got)
        except (TypeError, ValueError):
            raise ExerciseError(f"{what} returned {got!r}; return a pair (number of minima, number of maxima).") from None
        e_min, e_max = _reference_count(xg, y, g, eps, t)
        if (n_min, n_max) == (e_min, e_max):
            continue
        hint = ""
        dH = _B.entropy_grad(xg[:, None], y, g, eps, t)[:, 0]
        s = np.sign(dH)
        if (n_min, n_max) == (e_max, e_min):
            hint = ("Minima and maxima are swapped: H' going from + to − is a maximum (H rises, then "
                    "falls), from − to + a minimum.")
        elif n_min + n_max == 2 * (e_min + e_max):
            hint = "Each change seems counted twice: compare neighbours s[i] and s[i+1] once, not both ways."
        elif n_min + n_max == int(np.sum(s[:-1] != s[1:])) and n_min + n_max != e_min + e_max:
            hint = ("Exact zeros of H' count as a sign of their own here; drop points where H' == 0 "
                    "before comparing neighbours.")
        else:
            Hv = _B.entropy(xg[:, None], y, g, eps, t)
            sh = np.sign(np.diff(Hv))
            if n_min + n_max == int(np.sum(sh[:-1] != sh[1:])):
                hint = ("This looks like sign changes of a difference quotient of H; use the exact "
                        "derivative hjlib.bifurcation.entropy_grad, as the exercise asks.")
            else:
                hint = "Count sign changes of H'(x) = entropy_grad(xgrid[:, None], y, g, eps, t)[:, 0]."
        raise ExerciseError(f"{what} returned (minima, maxima) = ({n_min}, {n_max}), expected "
                            f"({e_min}, {e_max}). {hint}")


def _reference_step(x, eps0, eps1, y, g, t, n_newton=3):
    he = _B.entropy_hessian(x, y, g, eps0, t)
    x_pred = x - (eps1 - eps0) * np.linalg.solve(he, _B.entropy_grad_eps(x, y, g, eps0, t))
    xn = x_pred.copy()
    for _ in range(n_newton):
        xn = xn - np.linalg.solve(_B.entropy_hessian(xn, y, g, eps1, t), _B.entropy_grad(xn, y, g, eps1, t))
    return x_pred, xn


def _step_cases():
    y, g, t = _B.two_clusters()
    out = []
    for x0, e0, e1, label in [((0.30, 0.51), 0.06, 0.07, "the saddle between the clusters, ε 0.06 → 0.07"),
                              ((0.94, 0.85), 0.06, 0.08, "the upper maximum, ε 0.06 → 0.08"),
                              ((2.01, -1.39), 0.06, 0.065, "a minimum, ε 0.06 → 0.065")]:
        x, ok = _B.newton_critical_point(np.array(x0), y, g, e0, t)
        assert ok
        out.append((x, e0, e1, y, g, t, label))
    return out


@register("ch14-continuation-step")
def _check_step(my_step):
    """``my_step(x, eps0, eps1, y, g, t)`` → (x_pred, x_new)."""
    for x, e0, e1, y, g, t, label in _step_cases():
        what = f"my_step on {label}"
        got = call_answer(my_step, x.copy(), e0, e1, y.copy(), g.copy(), t, what=what)
        try:
            x_pred, x_new = got
        except (TypeError, ValueError):
            raise ExerciseError(f"{what} returned {got!r}; return the pair (x_pred, x_new).") from None
        ref_pred, ref_new = _reference_step(x, e0, e1, y, g, t)
        hint = ""
        xp = np.asarray(x_pred, float)
        if xp.shape == ref_pred.shape:
            if np.allclose(xp, x, atol=1e-12):
                hint = "x_pred equals x: the predictor must move along the tangent dx/dε."
            elif np.allclose(xp, 2 * x - ref_pred, rtol=1e-6, atol=1e-9):
                hint = ("The predictor goes the wrong way: differentiating ∇H(x(ε), ε) = 0 gives "
                        "∇²H · dx/dε + ∂_ε∇H = 0, so dx/dε = −(∇²H)⁻¹ ∂_ε∇H.")
            elif np.allclose(xp - x, (ref_pred - x) / (e1 - e0), rtol=1e-6, atol=1e-9):
                hint = "Multiply the tangent dx/dε by the step ε₁ − ε₀."
        compare(x_pred, ref_pred, what=f"x_pred from {what}", rtol=1e-7, atol=1e-9, hint=hint)
        hint = ""
        xn = np.asarray(x_new, float)
        if xn.shape == ref_new.shape and np.allclose(xn, xp, atol=1e-12):
            hint = "x_new equals x_pred: apply three Newton corrections at ε₁."
        elif xn.shape == ref_new.shape and np.linalg.norm(_B.entropy_grad(xn, y, g, e1, t)) > 1e-6:
            hint = ("x_new is not a critical point at ε₁. Newton is x ← x − (∇²H)⁻¹∇H with both "
                    "evaluated at ε₁ (not ε₀) at the current x.")
        compare(x_new, ref_new, what=f"x_new from {what}", rtol=1e-7, atol=1e-9, hint=hint)
