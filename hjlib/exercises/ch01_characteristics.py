"""Checks for chapter 1 (book/01_hj_foundations/01_characteristics.md): Hopf–Lax and kinks."""
from __future__ import annotations

import math

import numpy as np

from ._core import ExerciseError, call_answer, compare, register


def _reference_hopf_lax(x, y, g, t):
    cost = g[None, :] + (x[:, None] - y[None, :]) ** 2 / (4 * t)
    j = np.argmin(cost, axis=1)
    return cost[np.arange(len(x)), j], j


def _unpack_pair(got, what):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise ExerciseError(
            f"{what} should return a pair (u, j) — the values and the indices of the minimising "
            f"atoms — but returned {type(got).__name__}"
            + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "") + ".")
    return got


@register("ch01-hopf-lax")
def _check_hopf_lax(my_hopf_lax):
    """``my_hopf_lax(x, y, g, t)`` → (u, j): u₀(xᵢ) = minⱼ (gⱼ + (xᵢ − yⱼ)²/(4t)) and its argmin."""
    rng = np.random.default_rng(11)
    cases = [
        (np.array([-1.0, 0.5, 2.0]), np.array([0.0, 2.0]), np.array([0.0, -1.0]), 1.0,
         "the ReLU data y = (0, 2t), g = (0, −t)"),
        (np.linspace(-2, 2, 9), np.array([-1.0, 0.0, 1.5]), np.array([0.3, 0.8, 0.0]), 0.5,
         "three atoms at t = 0.5"),
        (np.sort(rng.uniform(-3, 3, 25)), np.sort(rng.uniform(-3, 3, 12)), rng.uniform(0, 1, 12), 0.2,
         "random data at t = 0.2"),
    ]
    for x, y, g, t, label in cases:
        what = f"my_hopf_lax on {label}"
        got = call_answer(my_hopf_lax, x.copy(), y.copy(), g.copy(), t, what=what)
        u, j = _unpack_pair(got, what)
        u_ref, j_ref = _reference_hopf_lax(x, y, g, t)
        u_arr = np.asarray(u, dtype=float)
        hint = ""
        if u_arr.shape == u_ref.shape:
            cost = g[None, :] + (x[:, None] - y[None, :]) ** 2
            if np.allclose(u_arr, (g[None, :] + (x[:, None] - y[None, :]) ** 2 / (2 * t)).min(1)):
                hint = ("You used the cost |x − y|²/(2t) of the ½|p|² convention; here H(p) = |p|², "
                        "L(q) = |q|²/4, so the cost is |x − y|²/(4t).")
            elif np.allclose(u_arr, cost.min(1)):
                hint = "The kinetic cost must be divided by 4t."
            elif np.allclose(u_arr, (g[None, :] + (x[:, None] - y[None, :]) ** 2 / (4 * t)).max(1)):
                hint = "Hopf–Lax takes the *minimum* over atoms (cheapest starting point), not the maximum."
            elif np.allclose(u_arr, ((x[:, None] - y[None, :]) ** 2 / (4 * t)).min(1) + g.min()):
                hint = "Add gⱼ inside the minimum, atom by atom, not min(g) outside it."
        compare(u, u_ref, what=f"u from {what}", rtol=1e-10, atol=1e-12, hint=hint)
        j_arr = np.asarray(j)
        if j_arr.shape != j_ref.shape:
            raise ExerciseError(f"j from {what} has shape {j_arr.shape}, expected {j_ref.shape}: "
                                "one atom index per evaluation point (argmin over axis 1).")
        if not np.array_equal(j_arr.astype(int), j_ref):
            k = int(np.flatnonzero(j_arr.astype(int) != j_ref)[0])
            extra = ""
            if j_arr.max() >= len(y) or (len(x) != len(y) and j_arr.max() >= len(y)):
                extra = " An index ≥ len(y) means the argmin ran over the wrong axis."
            raise ExerciseError(
                f"j from {what} is off at x = {x[k]:.4g}: got atom {int(j_arr[k])}, the cheapest is "
                f"atom {int(j_ref[k])} (y = {y[j_ref[k]]:.4g}).{extra} Take np.argmin(cost, axis=1).")


def _reference_kink_time(g_values, y):
    h = y[1] - y[0]
    gpp = (g_values[2:] - 2 * g_values[1:-1] + g_values[:-2]) / h**2
    worst = np.max(-gpp)
    return math.inf if worst <= 0 else 1.0 / (2.0 * worst)


@register("ch01-first-kink")
def _check_first_kink(first_kink_time):
    """``first_kink_time(g_values, y)``: t* = 1/(2 max(−g'')) from samples on a uniform grid."""
    y = np.linspace(-3, 3, 3001)
    cases = [
        (np.exp(-y**2), "the bump g = exp(−y²)", 0.25),
        (-0.5 * y**2, "the concave parabola g = −y²/2", 0.5),
        (0.3 * np.sin(3 * y) + 0.2 * y**2, "g = 0.3 sin 3y + 0.2 y²", 1 / 4.6),
        (0.5 * y**2, "the convex parabola g = y²/2", math.inf),
        (np.abs(y - 0.0005) ** 3 / 3, "the convex g = |y|³/3", math.inf),
    ]
    for g_values, label, exact in cases:
        what = f"first_kink_time on {label}"
        got = call_answer(first_kink_time, g_values.copy(), y.copy(), what=what)
        try:
            got_f = float(got)
        except (TypeError, ValueError):
            raise ExerciseError(f"{what} should return a number, got {got!r}") from None
        if math.isinf(exact):
            if not (math.isinf(got_f) and got_f > 0):
                hint = ""
                if math.isfinite(got_f) and got_f < 0:
                    hint = (" A negative time comes from dividing by max(−g'') ≤ 0: for a convex "
                            "datum no two characteristics ever meet.")
                raise ExerciseError(
                    f"{what} returned {got_f:.6g}, expected math.inf: g'' ≥ 0 everywhere, so the "
                    f"characteristics x = y + 2t g'(y) spread apart and never cross.{hint}")
            continue
        ref = _reference_kink_time(g_values, y)
        hint = ""
        if math.isclose(got_f, 2 * ref, rel_tol=1e-3):
            hint = ("Off by a factor 2: with H(p) = |p|² the characteristic speed is 2g'(y), so "
                    "dx/dy = 1 + 2t g''(y) vanishes at t = 1/(2 max(−g'')).")
        elif math.isclose(got_f, ref / 2, rel_tol=1e-3):
            hint = "Off by a factor 1/2: dx/dy = 1 + 2t g''(y) = 0 gives t = −1/(2 g'')."
        elif math.isclose(got_f, 1 / (2 * np.max(np.abs(
                (g_values[2:] - 2 * g_values[1:-1] + g_values[:-2]) / (y[1] - y[0]) ** 2))), rel_tol=1e-3):
            hint = "Only concave parts (g'' < 0) make characteristics cross: use max(−g''), not max|g''|."
        compare(got_f, exact, what=what, rtol=2e-3, atol=0.0, hint=hint)
