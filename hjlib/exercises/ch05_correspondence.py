"""Checks for chapter 5, "The exact correspondence: an LSE layer is a Hopf–Cole solution"
(book/02_lse_layers/05_exact_correspondence.md)."""
from __future__ import annotations

import numpy as np

from ._core import ExerciseError, _as_array, call_answer, compare, register


def _ref_params(y, g, t):
    return y / (2 * t), -g - (y * y).sum(-1) / (4 * t)


def _ref_data(W, b, t):
    return 2 * t * W, -b - t * (W * W).sum(-1)


def _pair(out, what):
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise ExerciseError(f"{what} should return a pair of arrays, got {type(out).__name__} "
                            f"{out!r:.80}")
    return out


def _param_cases():
    rng = np.random.default_rng(5)
    return [
        (np.array([[-1.5], [-0.5], [0.5], [1.5]]), np.array([1.0, 0.3, 0.3, 1.0]), 1.0,
         "the four atoms of the chapter's figure (d = 1, t = 1)"),
        (rng.standard_normal((6, 3)), rng.uniform(0, 1, 6), 0.5, "d = 3, six atoms, t = 0.5"),
        (2 * rng.standard_normal((5, 2)), rng.uniform(-1, 1, 5), 3.0, "d = 2, five atoms, t = 3"),
    ]


@register("ch05-lse-params")
def _check_lse_params(answer):
    """``answer = (my_lse_params, my_initial_data)``: (y (M, d), g (M,), t) → (W, b) and back."""
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2 and all(map(callable, answer))):
        raise ExerciseError("pass the pair of functions (my_lse_params, my_initial_data)")
    my_lse_params, my_initial_data = answer
    for y, g, t, label in _param_cases():
        what = f"my_lse_params on {label}"
        W, b = _pair(call_answer(my_lse_params, y.copy(), g.copy(), t, what=what), what)
        W_ref, b_ref = _ref_params(y, g, t)
        Wa = _as_array(W, f"W from {what}")
        hint = ""
        if Wa.shape == W_ref.shape and np.allclose(Wa, y / t):
            hint = "Wⱼ = yⱼ/(2t): the cross term of |x − yⱼ|² is −2x·yⱼ, divided by 4t."
        elif Wa.shape == W_ref.shape and np.allclose(Wa, 2 * t * y):
            hint = "That is the inverse map: W = y/(2t), while y = 2tW."
        compare(W, W_ref, what=f"W from {what}", rtol=1e-12, atol=1e-14, hint=hint)
        ba = _as_array(b, f"b from {what}")
        hint = ""
        if ba.shape == b_ref.shape:
            ysq = (y * y).sum(-1)
            if np.allclose(ba, g + ysq / (4 * t)):
                hint = "The sign is wrong: b = −g − |y|²/(4t) (a large g lowers the neuron's logit)."
            elif np.allclose(ba, -g - ysq / (2 * t)):
                hint = "The quadratic term is |y|²/(4t), not |y|²/(2t)."
            elif np.allclose(ba, -g - (y * y).sum() / (4 * t)):
                hint = "|yⱼ|² is a per-atom sum over the d coordinates: use (y**2).sum(-1), not a total."
            elif np.allclose(ba, -g):
                hint = "Completing the square leaves −|yⱼ|²/(4t) in the bias as well as −gⱼ."
        elif ba.size == y.size:
            hint = "b has one entry per atom: sum |yⱼ|² over the coordinates (axis −1)."
        compare(b, b_ref, what=f"b from {what}", rtol=1e-12, atol=1e-14, hint=hint)

        what = f"my_initial_data on {label}"
        y2, g2 = _pair(call_answer(my_initial_data, W_ref.copy(), b_ref.copy(), t, what=what), what)
        compare(y2, y, what=f"y recovered by {what}", rtol=1e-12, atol=1e-14,
                hint="Invert Wⱼ = yⱼ/(2t): yⱼ = 2tWⱼ.")
        ga = _as_array(g2, f"g recovered by {what}")
        hint = ""
        if ga.shape == g.shape:
            Wsq = (W_ref * W_ref).sum(-1)
            if np.allclose(ga, -b_ref - Wsq / (4 * t)):
                hint = ("Substitute y = 2tW into |y|²/(4t): it becomes t|W|², so g = −b − t|W|², "
                        "not −b − |W|²/(4t).")
            elif np.allclose(ga, b_ref + t * Wsq):
                hint = "The sign is wrong: g = −b − t|W|²."
        compare(g2, g, what=f"g recovered by {what}", rtol=1e-12, atol=1e-13, hint=hint)


@register("ch05-abs-data")
def _check_abs_data(abs_initial_data):
    """``abs_initial_data(t)`` → (y (M,), g (M,)) with |x|²/(4t) − Hopf–Lax(x; y, g, t) = |x|."""
    from ..hopf import hopf_lax

    x = np.linspace(-4.0, 4.0, 801)
    for t in [1.0, 0.5, 2.5]:
        what = f"abs_initial_data(t={t})"
        y, g = _pair(call_answer(abs_initial_data, t, what=what), what)
        y = _as_array(y, f"y from {what}")
        g = _as_array(g, f"g from {what}")
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or g.shape != y.shape:
            raise ExerciseError(f"{what} should return 1-D arrays y and g of equal length, got "
                                f"shapes {y.shape} and {g.shape}")
        f0 = x**2 / (4 * t) - hopf_lax(x, y, g, t)
        target = np.abs(x)
        hint = ""
        diff = f0 - target
        if np.allclose(f0, np.maximum(x, 0), atol=1e-9):
            hint = "That is the ReLU max(x, 0); |x| = max(x, −x) needs the pieces x and −x."
        elif np.allclose(f0, 2 * target, atol=1e-9):
            hint = "The slopes come out as ±2: the atoms should sit at y = ±2t (W = y/(2t) = ±1)."
        elif np.allclose(f0, target / 2, atol=1e-9) or np.allclose(f0, target / (2 * t), atol=1e-9):
            hint = "The slopes are too small: W = y/(2t) must be ±1, so y = ±2t."
        elif np.ptp(diff) < 1e-9:
            hint = (f"Your function is |x| shifted by {diff[0]:.4g}: the values must make the biases "
                    "vanish, gⱼ = −bⱼ − t|Wⱼ|² = −t.")
        compare(f0, target, what=f"|x|²/(4t) − u₀(x, t) from {what}, on x in [−4, 4]",
                rtol=0, atol=1e-12 * max(1.0, 16 / (4 * t)), hint=hint)
