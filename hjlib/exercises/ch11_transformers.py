"""Checks for chapter 11 (book/03_architectures/11_transformers.md): L2 attention, Hopfield step.

``ch11-l2-attention`` compares the learner's distance attention with the Hopf–Cole weights of
:func:`hjlib.gibbs_weights` (an independent computation through the LSE-layer form) contracted
with the values, and names the usual mistakes: cost |x−y|²/(2t) or |x−y|² instead of /(4t), the
bias g with the wrong sign, no division by ε, the softmax taken over queries instead of keys.

``ch11-hopfield`` compares one learner step with the reference Xᵀ softmax(Xξ/ε), then iterates the
learner's step and checks that the Hopfield energy never increases.
"""
from __future__ import annotations

import numpy as np
import torch

from .. import hopf as _hopf
from ._core import ExerciseError, call_answer, compare, register


def _softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _np(a):
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=float)


def _l2_cases():
    rng = np.random.default_rng(1111)
    out = []
    for n_q, n_k, d, d_v, t, eps, label in [(4, 5, 2, 3, 1.0, 0.5, "4 queries, 5 keys in R², t = 1, ε = 0.5"),
                                            (3, 7, 3, 2, 0.5, 0.2, "3 queries, 7 keys in R³, t = 0.5, ε = 0.2"),
                                            (5, 6, 1, 4, 2.0, 1.5, "5 queries, 6 keys in R, t = 2, ε = 1.5")]:
        x = rng.standard_normal((n_q, d))
        keys = rng.standard_normal((n_k, d))
        values = rng.standard_normal((n_k, d_v))
        g = rng.uniform(-1, 1, n_k)
        out.append((x, keys, values, g, t, eps, label))
    return out


def _l2_wrong(x, keys, values, g, t, eps):
    sq = ((x[:, None, :] - keys[None, :, :]) ** 2).sum(-1)

    def out(logits, axis=-1):
        return _softmax(logits, axis) @ values

    return {
        "the cost is |x − y|²/(4t), not |x − y|²/(2t)": out(-(g + sq / (2 * t)) / eps),
        "the cost is |x − y|²/(4t): the 1/(4t) factor is missing": out(-(g + sq) / eps),
        "the bias enters as −gⱼ/ε (a larger gⱼ means a smaller weight): the sign of g is flipped":
            out(-(-g + sq / (4 * t)) / eps),
        "the whole exponent −(gⱼ + |x − yⱼ|²/(4t)) must be divided by ε": out(-(g + sq / (4 * t))),
        "the softmax runs over the keys j (axis −1), not over the queries":
            out(-(g + sq / (4 * t)) / eps, axis=0),
        "the weights need a minus sign: exp(−cost/ε), so near keys get large weights":
            out((g + sq / (4 * t)) / eps),
    }


@register("ch11-l2-attention")
def _check_l2_attention(my_l2_attention):
    """``my_l2_attention(x, keys, values, g, t, eps)`` → (n_q, d_v) outputs Σⱼ πⱼ(x) vⱼ."""
    for x, keys, values, g, t, eps, label in _l2_cases():
        what = f"my_l2_attention on {label}"
        got = call_answer(my_l2_attention, x.copy(), keys.copy(), values.copy(), g.copy(), t, eps, what=what)
        got = _np(got)
        pi = _np(_hopf.gibbs_weights(x, keys, g, t, eps))        # Hopf–Cole weights, LSE-layer form
        expected = pi @ values
        if got.shape != expected.shape:
            raise ExerciseError(f"{what} returned shape {got.shape}, expected {expected.shape}: one "
                                f"output row (of length d_v) per query.")
        hint = ""
        for msg, wrong in _l2_wrong(x, keys, values, g, t, eps).items():
            if np.allclose(got, wrong, rtol=1e-9, atol=1e-12):
                hint = msg[0].upper() + msg[1:] + "."
                break
        compare(got, expected, what=f"{what} (compared with the Hopf–Cole weights of hjlib.gibbs_weights)",
                rtol=1e-9, atol=1e-12, hint=hint)


def _energy(xi, X, eps):
    z = X @ xi / eps
    m = z.max()
    return -eps * (m + np.log(np.exp(z - m).sum())) + 0.5 * xi @ xi


@register("ch11-hopfield")
def _check_hopfield(my_hopfield_step):
    """``my_hopfield_step(xi, X, eps)`` → ξ_new = Xᵀ softmax(Xξ/ε); X holds the patterns as rows."""
    rng = np.random.default_rng(1112)
    for M, d, eps, label in [(5, 3, 1.0, "5 patterns in R³, ε = 1"), (8, 4, 0.3, "8 patterns in R⁴, ε = 0.3"),
                             (3, 6, 2.5, "3 patterns in R⁶, ε = 2.5")]:
        X = rng.standard_normal((M, d))
        xi = rng.standard_normal(d)
        what = f"my_hopfield_step on {label}"
        got = _np(call_answer(my_hopfield_step, xi.copy(), X.copy(), eps, what=what))
        expected = X.T @ _softmax(X @ xi / eps)
        hint = ""
        if got.shape == (M,):
            hint = ("You returned the M attention weights; the new state is their average of the "
                    "patterns, Xᵀ softmax(Xξ/ε), a vector in R^d.")
        elif got.shape == expected.shape:
            if np.allclose(got, X.T @ _softmax(X @ xi * eps)):
                hint = "β = 1/ε: divide the scores Xξ by ε, do not multiply."
            elif np.allclose(got, X.T @ (X @ xi)):
                hint = "The softmax is missing: the weights are softmax(Xξ/ε), not the raw scores."
            elif np.allclose(got, X.T @ _softmax(X @ xi)) and eps != 1.0:
                hint = "The temperature ε is missing: softmax(Xξ/ε)."
        compare(got, expected, what=f"{what} (compared with Xᵀ softmax(Xξ/ε))", rtol=1e-9, atol=1e-12, hint=hint)
        # iterate the learner's step: the energy must never increase (CCCP)
        E_prev, cur = _energy(xi, X, eps), xi.copy()
        for k in range(15):
            cur = _np(my_hopfield_step(cur.copy(), X.copy(), eps))
            E = _energy(cur, X, eps)
            if E > E_prev + 1e-12:
                raise ExerciseError(f"{what}: the energy rose at iteration {k + 1} (from {E_prev:.10g} to "
                                    f"{E:.10g}); a CCCP step never increases it.")
            E_prev = E
