"""Checks for the exercises of chapter 15 (the reproduction ledger)."""
from __future__ import annotations

import numpy as np

from ._core import ExerciseError, call_answer, compare, register


@register("ch15-verdict-counts")
def _check_verdict_counts(verdict_counts):
    """``verdict_counts(verdicts)``: dict with the number of "reproduced", "differs", "open"."""
    cases = [
        (["reproduced", "open", "reproduced"], {"reproduced": 2, "differs": 0, "open": 1}),
        ([], {"reproduced": 0, "differs": 0, "open": 0}),
        (["differs"] * 3 + ["open"], {"reproduced": 0, "differs": 3, "open": 1}),
    ]
    for verdicts, expected in cases:
        got = call_answer(verdict_counts, list(verdicts), what=f"verdict_counts({verdicts})")
        if not isinstance(got, dict):
            raise ExerciseError(f"verdict_counts({verdicts}) returned {type(got).__name__}; return a dict")
        missing = [k for k in expected if k not in got]
        if missing:
            raise ExerciseError(
                f"verdict_counts({verdicts}) has no entry for {missing}: every verdict needs a count, "
                "including the ones that do not occur (count 0)")
        for k, v in expected.items():
            if got[k] != v:
                raise ExerciseError(f"verdict_counts({verdicts})[{k!r}] is {got[k]}, expected {v}")


@register("ch15-attention-autograd")
def _check_attention_autograd(attention_via_autograd):
    """``attention_via_autograd(q, K, V, eps)``: ∇_z LSE_ε(z) at z = K q, contracted with V."""
    import torch

    gen = torch.Generator().manual_seed(15)
    for d, n_k, d_v, eps in [(4, 6, 3, 2.0), (8, 12, 16, 8 ** 0.5), (3, 5, 2, 0.1)]:
        q = torch.randn(d, generator=gen, dtype=torch.float64)
        K = torch.randn(n_k, d, generator=gen, dtype=torch.float64)
        V = torch.randn(n_k, d_v, generator=gen, dtype=torch.float64)
        expected = torch.softmax(K @ q / eps, dim=0) @ V
        got = call_answer(attention_via_autograd, q, K, V, eps,
                          what=f"attention_via_autograd(q, K, V, eps={eps:g}) with d={d}, {n_k} keys")
        hint = ""
        g = np.asarray(got.detach() if hasattr(got, "detach") else got, dtype=float)
        if g.shape == (n_k,):
            hint = "You returned the attention weights ∇LSE; contract them with V (weights @ V)."
        elif g.shape == expected.shape and np.allclose(g, (torch.softmax(K @ q, 0) @ V).numpy()):
            hint = "The temperature is missing: differentiate ε·log Σ exp(z/ε), not log Σ exp(z)."
        compare(got.detach() if hasattr(got, "detach") else got, expected.numpy(),
                what=f"attention output (d={d}, eps={eps:g})", rtol=1e-10, atol=1e-12, hint=hint)
