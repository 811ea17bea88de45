"""Checks for chapter 12's exercises (book/03_architectures/12_recurrent.md)."""
from __future__ import annotations

import numpy as np
import torch

from ._core import ExerciseError, call_answer, compare, register

F64 = torch.float64


def _lstm_variant(x, h, c, Wih, Whh, bih, bhh, order=(0, 1, 2, 3), g_act="tanh", tanh_out=True):
    z = x @ Wih.T + bih + h @ Whh.T + bhh
    chunks = z.chunk(4, dim=-1)
    zi, zf, zg, zo = (chunks[k] for k in order)
    g = torch.tanh(zg) if g_act == "tanh" else torch.sigmoid(zg)
    c2 = torch.sigmoid(zf) * c + torch.sigmoid(zi) * g
    h2 = torch.sigmoid(zo) * (torch.tanh(c2) if tanh_out else c2)
    return h2, c2


def _close(a, b):
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-9, atol=1e-11)


@register("ch12-lstm-cell")
def _check_lstm_cell(my_lstm_cell):
    """``my_lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh) -> (h_new, c_new)`` equals torch.nn.LSTMCell."""
    gen = torch.Generator().manual_seed(12)
    for batch, n_in, n_hid in [(1, 2, 1), (4, 3, 2), (7, 5, 6)]:
        cell = torch.nn.LSTMCell(n_in, n_hid, dtype=F64)
        with torch.no_grad():
            for p in cell.parameters():
                p.copy_(torch.randn(p.shape, generator=gen, dtype=F64))
        x = torch.randn(batch, n_in, generator=gen, dtype=F64)
        h = torch.randn(batch, n_hid, generator=gen, dtype=F64)
        c = torch.randn(batch, n_hid, generator=gen, dtype=F64)
        args = (x, h, c, cell.weight_ih.detach(), cell.weight_hh.detach(),
                cell.bias_ih.detach(), cell.bias_hh.detach())
        what = f"my_lstm_cell on a batch of {batch}, input size {n_in}, hidden size {n_hid}"
        with torch.no_grad():
            got = call_answer(my_lstm_cell, *args, what=what)
            h_ref, c_ref = cell(x, (h, c))
        if not (isinstance(got, tuple) and len(got) == 2):
            raise ExerciseError(f"{what} returned {type(got).__name__}; return the pair (h_new, c_new).")
        h_got, c_got = (torch.as_tensor(v, dtype=F64) for v in got)
        hint = ""
        if _close(h_got, c_ref) and _close(c_got, h_ref):
            hint = "You returned (c_new, h_new); the order is (h_new, c_new), as torch.nn.LSTMCell."
        else:
            for order, name in [((0, 1, 3, 2), "i, f, o, g"), ((1, 0, 2, 3), "f, i, g, o"),
                                ((0, 2, 1, 3), "i, g, f, o"), ((3, 1, 2, 0), "o, f, g, i")]:
                hv, cv = _lstm_variant(*args, order=order)
                if _close(h_got, hv) and _close(c_got, cv):
                    hint = (f"Your gates are in the order ({name}); PyTorch stacks the pre-activations as "
                            "(input i, forget f, cell g, output o).")
                    break
            else:
                hv, cv = _lstm_variant(*args, g_act="sigmoid")
                if _close(h_got, hv) and _close(c_got, cv):
                    hint = ("The cell candidate g is a tanh gate (π₊ − π₋ of softmax(z, −z)), not a "
                            "sigmoid gate: it must be able to be negative.")
                else:
                    hv, cv = _lstm_variant(*args, tanh_out=False)
                    if _close(h_got, hv):
                        hint = "h_new = o ⊙ tanh(c_new): the tanh gate is applied to the new cell state."
        if not hint and _close(c_got, c_ref):
            hint = "c_new is right; check h_new = σ(z_o) ⊙ tanh(c_new)."
        compare(c_got.numpy(), c_ref.numpy(), what=f"c_new of {what}", rtol=1e-10, atol=1e-12, hint=hint)
        compare(h_got.numpy(), h_ref.numpy(), what=f"h_new of {what}", rtol=1e-10, atol=1e-12, hint=hint)


def _ref_transition(n, length, eps, dt):
    dx = length / n
    L = -2.0 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    L[0, -1] = L[-1, 0] = 1.0
    return np.eye(n) + dt * eps * L / dx**2, L / dx**2


@register("ch12-heat-transition")
def _check_heat_transition(heat_transition):
    """``heat_transition(n, length, eps, dt)``: the Euler matrix I + Δt ε L of the periodic heat SSM."""
    for n, length, eps, dt in [(6, 3.0, 0.5, 0.05), (16, 2 * np.pi, 0.2, 0.01), (5, 1.0, 1.0, 0.004)]:
        what = f"heat_transition(n={n}, length={length:g}, eps={eps}, dt={dt})"
        got = np.asarray(call_answer(heat_transition, n, length, eps, dt, what=what), dtype=float)
        ref, L = _ref_transition(n, length, eps, dt)
        dx = length / n
        hint = ""
        if got.shape == ref.shape:
            no_wrap = ref.copy()
            no_wrap[0, -1] = no_wrap[-1, 0] = 0.0
            variants = [
                (no_wrap, "The corners are missing: on a periodic grid point 0 and point n−1 are "
                          "neighbours, so A[0, n−1] = A[n−1, 0] = r."),
                (np.eye(n) + dt * L, "ε is missing: the generator of ∂ₜw = εw_xx is εL."),
                (np.eye(n) + dt * eps * L * dx, "Divide by Δx², not Δx: (Lh)ᵢ = (hᵢ₊₁ − 2hᵢ + hᵢ₋₁)/Δx²."),
                (np.eye(n) - dt * eps * L, "Sign: forward Euler for ∂ₜw = εLw is I + Δt εL (diagonal 1 − 2r)."),
                (dt * eps * L, "The identity is missing: h_{k+1} = h_k + Δt εL h_k."),
            ]
            for v, text in variants:
                if np.allclose(got, v, rtol=1e-10, atol=1e-12):
                    hint = text
                    break
        compare(got, ref, what=what, rtol=1e-10, atol=1e-12, hint=hint)
