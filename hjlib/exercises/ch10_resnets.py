"""Checks for chapter 10 (book/03_architectures/10_resnets.md): co-states and parameter gradients.

Both checks compare the learner's hand-written recursion with torch autograd of the plain
forward pass x_{k+1} = x_k + h tanh(A_k x_k + c_k), Φ = ½|x_K − x*|², and name the usual
mistakes: a flipped sign (∇Φ instead of p = −∇Φ), A_k instead of A_kᵀ, tanh' taken at the wrong
state, a missing identity term or factor h, p_k used where p_{k+1} belongs.
"""
from __future__ import annotations

import numpy as np

from .. import pontryagin as _P
from ._core import ExerciseError, call_answer, compare, register


def _cases():
    rng = np.random.default_rng(1010)
    out = []
    for K, d, h, label in [(3, 2, 0.5, "K = 3, d = 2, h = 0.5"),
                           (8, 3, 0.25, "the C25 net K = 8, d = 3, h = 0.25"),
                           (5, 4, 0.1, "K = 5, d = 4, h = 0.1")]:
        A = rng.standard_normal((K, d, d))
        c = 0.5 * rng.standard_normal((K, d))
        x0, x_star = rng.standard_normal(d), rng.standard_normal(d)
        out.append((x0, A, c, h, x_star, label))
    return out


def _close(a, b):
    a = np.asarray(a, dtype=float)
    return a.shape == np.shape(b) and np.allclose(a, b, rtol=1e-8, atol=1e-10)


def _wrong_costates(xs, A, c, h, pK):
    """Co-states with the usual mistakes, to recognise them."""
    At = np.transpose(A, (0, 2, 1))
    K = A.shape[0]

    def run(step):
        ps = [pK]
        for k in range(K - 1, -1, -1):
            ps.append(step(k, ps[-1]))
        return np.stack(ps[::-1])

    def d(k, x):
        return 1 - np.tanh(A[k] @ x + c[k]) ** 2

    return {
        "you applied A_k where its transpose belongs: the co-state needs J_Fᵀ p = A_kᵀ(tanh'(z_k) ⊙ p)":
            run(lambda k, p: p + h * A[k] @ (d(k, xs[k]) * p)),
        "tanh' must be taken at z_k = A_k x_k + c_k, the input of block k, not at the next state x_{k+1}":
            run(lambda k, p: p + h * At[k] @ (d(k, xs[k + 1]) * p)),
        "the identity (skip) term is missing: p_k = p_{k+1} + h J_Fᵀ p_{k+1}, not h J_Fᵀ p_{k+1}":
            run(lambda k, p: h * At[k] @ (d(k, xs[k]) * p)),
        "the step h is missing in front of J_Fᵀ p_{k+1}":
            run(lambda k, p: p + At[k] @ (d(k, xs[k]) * p)),
        "you used tanh(z_k) where its derivative 1 − tanh²(z_k) belongs":
            run(lambda k, p: p + h * At[k] @ (np.tanh(A[k] @ xs[k] + c[k]) * p)),
    }


@register("ch10-costates")
def _check_costates(my_costates):
    """``my_costates(xs, A, c, h, x_star)`` → ps of shape (K + 1, d), ps[k] = −∂Φ/∂x_k."""
    for x0, A, c, h, x_star, label in _cases():
        ref = _P.autograd_gradients(x0, A, c, h, x_star)           # torch autograd: the truth
        xs = ref.xs
        what = f"my_costates on {label}"
        got = call_answer(my_costates, xs.copy(), A.copy(), c.copy(), h, x_star.copy(), what=what)
        g = np.asarray(got, dtype=float) if not isinstance(got, (list, tuple)) else np.asarray(got, float)
        if g.shape != ref.ps.shape:
            raise ExerciseError(f"{what} returned shape {g.shape}, expected {ref.ps.shape}: one "
                                f"co-state per state x_0 … x_K, stacked along axis 0.")
        hint = ""
        if _close(g, -ref.ps):
            hint = ("Every entry has the wrong sign: the co-state is p = −∇Φ, so p_K = x* − x_K, "
                    "not x_K − x*.")
        elif not _close(g[-1], ref.ps[-1]):
            hint = "The terminal co-state is wrong: p_K = −∇Φ(x_K) = −(x_K − x*)."
        else:
            for msg, wrong in _wrong_costates(xs, A, c, h, ref.ps[-1]).items():
                if _close(g, wrong):
                    hint = msg[0].upper() + msg[1:] + "."
                    break
        compare(g, ref.ps, what=f"{what} (compared with −∂Φ/∂x_k from torch autograd)",
                rtol=1e-9, atol=1e-11, hint=hint)


@register("ch10-param-grad")
def _check_param_grad(my_param_grads):
    """``my_param_grads(xs, ps, A, c, h)`` → (grad_A, grad_c) of shapes (K, d, d) and (K, d)."""
    for x0, A, c, h, x_star, label in _cases():
        ref = _P.autograd_gradients(x0, A, c, h, x_star)
        xs, ps = ref.xs, _P.backprop_by_hand(x0, A, c, h, x_star).ps
        what = f"my_param_grads on {label}"
        got = call_answer(my_param_grads, xs.copy(), ps.copy(), A.copy(), c.copy(), h, what=what)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise ExerciseError(f"{what} should return a pair (grad_A, grad_c), got "
                                f"{type(got).__name__}.")
        gA, gc = (np.asarray(v, dtype=float) for v in got)
        z = np.einsum("kij,kj->ki", A, xs[:-1]) + c
        dz = 1 - np.tanh(z) ** 2
        hint_c = ""
        if _close(gc, -ref.c):
            hint_c = "Wrong sign: ∂Φ/∂c_k = −h tanh'(z_k) ⊙ p_{k+1} (the co-state is −∇Φ)."
        elif _close(gc, -h * dz * ps[:-1]):
            hint_c = "Use p_{k+1}, the co-state *after* block k, not p_k."
        elif _close(gc, -dz * ps[1:]):
            hint_c = "The factor h is missing: ∂Φ/∂θ_k = −h ∇_θ(p_{k+1}·F(x_k, θ_k))."
        compare(gc, ref.c, what=f"{what}: grad_c (compared with torch autograd)", rtol=1e-9,
                atol=1e-11, hint=hint_c)
        hint_A = ""
        if _close(gA, np.transpose(ref.A, (0, 2, 1))):
            hint_A = ("grad_A is transposed: ∂Φ/∂(A_k)_{ij} = s_i (x_k)_j with s = −h tanh'(z_k) ⊙ "
                      "p_{k+1}, i.e. the outer product s x_kᵀ (np.outer(s, x_k)).")
        elif _close(gA, -ref.A):
            hint_A = "grad_A has the wrong sign."
        elif _close(gA, np.einsum("ki,kj->kij", -h * dz * ps[1:], xs[1:])):
            hint_A = "The outer product must use x_k, the input of block k, not x_{k+1}."
        compare(gA, ref.A, what=f"{what}: grad_A (compared with torch autograd)", rtol=1e-9,
                atol=1e-11, hint=hint_A)
