"""Checks for chapter 4, "The convex view and the ε-diagram" (book/01_hj_foundations/04_convex_view.md)."""
from __future__ import annotations

import numpy as np

from ._core import ExerciseError, _as_array, call_answer, compare, register


def _softmax(z, eps):
    w = np.exp((z - z.max()) / eps)
    return w / w.sum()


def _close(a, b, tol=1e-6):
    return a.shape == b.shape and bool(np.allclose(a, b, atol=tol, rtol=0))


@register("ch04-mirror-ascent")
def _check_mirror_ascent(mirror_ascent):
    """``mirror_ascent(z, eps)`` maximises <π, z> + ε H(π) over the simplex: returns softmax(z/ε)."""
    cases = [
        (np.array([0.0, 1.0, 2.0]), 1.0, "a small vector"),
        (np.array([0.3, -1.2, 0.7, 0.1, 0.0]), 0.2, "a small ε"),
        (np.array([1.5, -0.5, 0.25, 1.0]), 3.0, "a large ε"),
        (np.array([2.0, 2.0, 2.0]), 0.5, "all-equal entries"),
    ]
    for z, eps, label in cases:
        what = f"mirror_ascent(z={z.tolist()}, eps={eps})"
        got = _as_array(call_answer(mirror_ascent, z.copy(), eps, what=what), what)
        expected = _softmax(z, eps)
        hint = ""
        if got.shape == expected.shape and np.all(np.isfinite(got)):
            total = got.sum()
            if abs(total - 1) > 1e-6:
                hint = (f"The entries sum to {total:.6g}, not 1: renormalise log π after every step "
                        "(subtract the log-sum-exp of log π).")
            elif _close(got, _softmax(-z, eps)) or (
                    np.ptp(z) > 0 and got.argmax() == z.argmin() and got.max() > expected.max()):
                hint = ("The weight piles up on the smallest entry of z: you stepped against the "
                        "gradient (descent). Ascent adds η·∇F to log π.")
            elif _close(got, _softmax(z, 1.0)) and eps != 1.0:
                hint = "This is softmax(z) at ε = 1: the temperature is missing from the gradient."
            elif _close(got, np.full(z.size, 1 / z.size)) and label != "all-equal entries":
                hint = "This is still the uniform starting point: log π is never updated."
            elif got.argmax() == z.argmax() and got.max() > expected.max() + 1e-3:
                hint = ("Too concentrated on the largest entry: the entropy part of the gradient, "
                        "−ε(1 + log π), is missing or too small.")
            else:
                hint = ("The gradient of <π, z> + εH(π) with respect to π is z − ε(1 + log π); "
                        "with a step η < 2/ε the iteration converges. Did you run enough steps?")
        compare(got, expected, what=f"{what} on {label}", rtol=0, atol=1e-8, hint=hint)


def _reference_legendre(xs, fx, ps):
    return (ps[:, None] * xs[None, :] - fx[None, :]).max(1)


@register("ch04-legendre-grid")
def _check_legendre_grid(legendre_on_grid):
    """``legendre_on_grid(xs, fx, ps)``: f*(p) = maxᵢ (p·xᵢ − fᵢ) for 1-D arrays, shape of ps."""
    xs = np.linspace(-3.0, 3.0, 601)
    cases = [
        (xs, xs ** 2, np.linspace(-4, 4, 9), "f(x) = x² on [−3, 3] (conjugate p²/4)"),
        (np.linspace(-2, 2, 401), np.abs(np.linspace(-2, 2, 401)), np.array([-1.5, -0.5, 0.0, 2.0]),
         "f(y) = |y| on [−2, 2] (conjugate 2·max(|p| − 1, 0))"),
        (xs, np.exp(xs), np.array([0.5, 1.0, 2.0]), "f(x) = eˣ on [−3, 3] (conjugate p log p − p)"),
    ]
    for x, fx, ps, label in cases:
        what = f"legendre_on_grid for {label}"
        got = _as_array(call_answer(legendre_on_grid, x.copy(), fx.copy(), ps.copy(), what=what), what)
        expected = _reference_legendre(x, fx, ps)
        hint = ""
        if got.shape == (x.size,):
            hint = "You returned one value per grid point: maximise over the grid (the x axis), keep p."
        elif got.shape == expected.shape:
            S = ps[:, None] * x[None, :] - fx[None, :]
            if _close(got, S.min(1)):
                hint = "You took the minimum over the grid; the conjugate is a supremum."
            elif _close(got, (-S).max(1)) or _close(got, -expected):
                hint = "Sign error: the conjugate is max of p·x − f(x), not f(x) − p·x."
            elif np.issubdtype(np.asarray(got).dtype, np.integer) or _close(got, S.argmax(1).astype(float)):
                hint = "You returned the index of the maximiser; return the maximal value."
        compare(got, expected, what=what, rtol=1e-12, atol=1e-12, hint=hint)
    # a sanity reminder that the discrete transform approximates the continuous one
    p = np.linspace(-4, 4, 9)
    if np.abs(_reference_legendre(xs, xs ** 2, p) - p ** 2 / 4).max() > 1e-3:  # pragma: no cover
        raise ExerciseError("internal: the reference transform is off")
