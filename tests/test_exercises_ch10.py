"""Chapter 10 exercise checks: right answers pass, typical mistakes get their hint."""
from __future__ import annotations

import numpy as np
import pytest

from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_costates(xs, A, c, h, x_star):
    K = A.shape[0]
    ps = [None] * (K + 1)
    ps[K] = -(xs[K] - x_star)
    for k in range(K - 1, -1, -1):
        s = 1 - np.tanh(A[k] @ xs[k] + c[k]) ** 2
        ps[k] = ps[k + 1] + h * A[k].T @ (s * ps[k + 1])
    return np.stack(ps)


def good_param_grads(xs, ps, A, c, h):
    K = A.shape[0]
    gA, gc = np.zeros_like(A), np.zeros_like(c)
    for k in range(K):
        s = -h * (1 - np.tanh(A[k] @ xs[k] + c[k]) ** 2) * ps[k + 1]
        gc[k] = s
        gA[k] = np.outer(s, xs[k])
    return gA, gc


def test_registered():
    assert {"ch10-costates", "ch10-param-grad"} <= set(exercises.available())


def test_costates_correct(capsys):
    assert exercises.check("ch10-costates", good_costates)
    assert "✓ ch10-costates" in capsys.readouterr().out


def _costates_variant(kind):
    def f(xs, A, c, h, x_star):
        K = A.shape[0]
        ps = [None] * (K + 1)
        ps[K] = (xs[K] - x_star) if kind == "sign" else -(xs[K] - x_star)
        for k in range(K - 1, -1, -1):
            at = xs[k + 1] if kind == "next" else xs[k]
            s = 1 - np.tanh(A[k] @ at + c[k]) ** 2
            M = A[k] if kind == "notranspose" else A[k].T
            step = h * M @ (s * ps[k + 1])
            ps[k] = step if kind == "noskip" else ps[k + 1] + step
        return np.stack(ps)
    return f


@pytest.mark.parametrize("kind, message", [
    ("sign", "wrong sign"),
    ("notranspose", "transpose"),
    ("next", "input of block k"),
    ("noskip", "identity"),
])
def test_costates_typical_mistakes(kind, message):
    with pytest.raises(ExerciseError, match=message):
        exercises.check("ch10-costates", _costates_variant(kind))


def test_costates_shape_message():
    with pytest.raises(ExerciseError, match="shape"):
        exercises.check("ch10-costates", lambda xs, A, c, h, x_star: good_costates(xs, A, c, h, x_star)[1:])


def test_costates_stub_propagates_not_implemented():
    def stub(xs, A, c, h, x_star):
        raise NotImplementedError("fill in")
    with pytest.raises(NotImplementedError):
        exercises.check("ch10-costates", stub)


def test_param_grads_correct(capsys):
    assert exercises.check("ch10-param-grad", good_param_grads)
    assert "✓ ch10-param-grad" in capsys.readouterr().out


def test_param_grads_uses_p_k_hint():
    def bad(xs, ps, A, c, h):
        return good_param_grads(xs, np.concatenate([ps[:1], ps[:-1]]), A, c, h)
    with pytest.raises(ExerciseError, match=r"p_\{k\+1\}"):
        exercises.check("ch10-param-grad", bad)


def test_param_grads_transposed_hint():
    def bad(xs, ps, A, c, h):
        gA, gc = good_param_grads(xs, ps, A, c, h)
        return np.transpose(gA, (0, 2, 1)), gc
    with pytest.raises(ExerciseError, match="transposed"):
        exercises.check("ch10-param-grad", bad)


def test_param_grads_missing_h_and_sign_hints():
    def no_h(xs, ps, A, c, h):
        gA, gc = good_param_grads(xs, ps, A, c, h)
        return gA / h, gc / h
    with pytest.raises(ExerciseError, match="factor h"):
        exercises.check("ch10-param-grad", no_h)

    def flipped(xs, ps, A, c, h):
        gA, gc = good_param_grads(xs, ps, A, c, h)
        return -gA, -gc
    with pytest.raises(ExerciseError, match="sign"):
        exercises.check("ch10-param-grad", flipped)


def test_param_grads_not_a_pair():
    with pytest.raises(ExerciseError, match="pair"):
        exercises.check("ch10-param-grad", lambda xs, ps, A, c, h: 0.0)
