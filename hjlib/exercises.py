"""Checks for the book's coding exercises: immediate, specific feedback for a learner.

Every coding exercise in the book ends with one call, for example::

    hjlib.exercises.check("lse-stable", my_lse)

A correct answer prints a short confirmation. A wrong one raises :class:`ExerciseError` (an
``AssertionError``) whose message says *where* the answer goes wrong — the input, what came back,
what was expected — and a hint aimed at the usual mistake. A stub that still raises
``NotImplementedError`` propagates it unchanged, so an unfinished exercise reads as unfinished.

Chapters register their checks with :func:`register`; :func:`available` lists them.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

__all__ = ["check", "register", "available", "ExerciseError", "compare"]


class ExerciseError(AssertionError):
    """A learner's answer is wrong; the message explains how."""


_CHECKS: dict[str, Callable] = {}


def register(name: str):
    """Decorator: register ``fn(answer)`` as the check for exercise ``name``."""

    def deco(fn):
        if name in _CHECKS:
            raise ValueError(f"an exercise check named {name!r} is already registered")
        _CHECKS[name] = fn
        return fn

    return deco


def available() -> list[str]:
    """Names of all registered exercise checks."""
    return sorted(_CHECKS)


def check(name: str, answer) -> bool:
    """Check a learner's ``answer`` to exercise ``name``; print ✓ or raise :class:`ExerciseError`."""
    if name not in _CHECKS:
        raise KeyError(f"no exercise check named {name!r}; known: {', '.join(available())}")
    _CHECKS[name](answer)
    print(f"✓ {name}: correct.")
    return True


def _as_array(value, what: str) -> np.ndarray:
    try:
        import torch

        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
    except ImportError:  # pragma: no cover
        pass
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ExerciseError(f"{what} should be a number or an array of numbers, got {value!r}") from None


def compare(got, expected, *, what: str, rtol: float = 1e-8, atol: float = 1e-10, hint: str = "") -> None:
    """Raise :class:`ExerciseError` with a specific message unless ``got`` ≈ ``expected``."""
    g = _as_array(got, what)
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        raise ExerciseError(f"{what} has shape {g.shape}, expected {e.shape}. {hint}".strip())
    if not np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
        bad = np.flatnonzero(~np.isfinite(g.ravel()))[0]
        raise ExerciseError(
            f"{what} is not finite (entry {bad} is {g.ravel()[bad]}), but a finite value "
            f"{e.ravel()[bad]:.6g} exists. {hint}".strip()
        )
    if not np.allclose(g, e, rtol=rtol, atol=atol):
        err = np.abs(g - e)
        k = int(np.argmax(err.ravel()))
        sign = ""
        if e.size and np.allclose(g, -e, rtol=rtol, atol=atol):
            sign = " It has the wrong sign."
        raise ExerciseError(
            f"{what} is off: entry {k} is {g.ravel()[k]:.10g}, expected {e.ravel()[k]:.10g} "
            f"(error {err.ravel()[k]:.3g}).{sign} {hint}".strip()
        )


def _call(fn, *args, what: str):
    try:
        return fn(*args)
    except NotImplementedError:
        raise
    except Exception as exc:  # a learner's bug: say which input triggered it
        raise ExerciseError(f"{what} raised {type(exc).__name__}: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Prelude: log-sum-exp in one page
# ---------------------------------------------------------------------------------------------
def _reference_lse(z, eps):
    z = np.asarray(z, dtype=float)
    m = z.max()
    return m + eps * np.log(np.sum(np.exp((z - m) / eps)))


@register("lse-stable")
def _check_lse_stable(my_lse):
    """``my_lse(z, eps)`` for a 1-D array z and eps > 0: a log-sum-exp that never overflows."""
    cases = [
        (np.array([0.0, 1.0, 2.0]), 1.0, "a small vector"),
        (np.array([0.3, -1.2, 0.7, 0.1]), 0.25, "a small ε"),
        (np.array([1000.0, 999.0, 998.0]), 1.0, "large entries"),
        (np.array([-1000.0, -1001.0]), 1.0, "very negative entries"),
        (np.array([1.0, 0.5, -2.0]), 1e-3, "ε = 1e-3"),
        (np.array([2.0, 2.0, 2.0, 2.0]), 0.5, "all-equal entries"),
    ]
    for z, eps, label in cases:
        got = _call(my_lse, z.copy(), eps, what=f"my_lse(z={z.tolist()}, eps={eps})")
        expected = _reference_lse(z, eps)
        hint = ""
        g = float(np.asarray(got, dtype=float)) if np.ndim(got) == 0 else got
        if np.ndim(g) == 0 and not math.isfinite(g):
            hint = (
                "exp(z/ε) overflows (or underflows to log 0) here: subtract m = max(z) before "
                "exponentiating and add it back outside the log."
            )
        elif np.ndim(g) == 0 and math.isclose(g, expected / eps, rel_tol=1e-6):
            hint = "You returned log Σ exp(z/ε): multiply the log by ε."
        elif np.ndim(g) == 0 and math.isclose(g, expected - eps * math.log(len(z)), rel_tol=1e-9):
            hint = "You averaged instead of summing: the ε log N term is missing."
        compare(got, expected, what=f"my_lse on {label} (z={z.tolist()}, eps={eps})", rtol=1e-10, hint=hint)


@register("eps-for-tolerance")
def _check_eps_for_tolerance(eps_for_tolerance):
    """``eps_for_tolerance(N, tol)``: the largest ε with LSE_ε − max ≤ tol for *every* z ∈ R^N."""
    for N, tol in [(2, 0.1), (10, 0.01), (1000, 0.01), (1, 0.5)]:
        got = _call(eps_for_tolerance, N, tol, what=f"eps_for_tolerance(N={N}, tol={tol})")
        if N == 1:
            if not (isinstance(got, float) and math.isinf(got)) and not (
                np.ndim(got) == 0 and np.isinf(float(got))
            ):
                raise ExerciseError(
                    f"eps_for_tolerance(N=1, tol={tol}) returned {got!r}: with one entry LSE_ε(z) = z "
                    "exactly, so every ε works — return math.inf."
                )
            continue
        expected = tol / math.log(N)
        hint = ""
        if np.ndim(got) == 0 and math.isclose(float(got), tol * math.log(N), rel_tol=1e-9):
            hint = "You multiplied by log N; the gap bound is ε log N ≤ tol, so divide."
        elif np.ndim(got) == 0 and math.isclose(float(got), tol / N, rel_tol=1e-9):
            hint = "The worst case is all entries equal, where the gap is ε log N, not ε N."
        compare(got, expected, what=f"eps_for_tolerance(N={N}, tol={tol})", rtol=1e-12, hint=hint)
