"""Chapter 9 exercise checks: right answers pass, typical wrong ones get the specific hint."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import lsq_linear

from hjlib import exercises
from hjlib.exercises import ExerciseError


def good_net(x, W1, b1, w2, eps):
    Z = np.outer(x, W1) + b1
    return (np.maximum(Z, 0) + eps * np.log1p(np.exp(-np.abs(Z) / eps))) @ w2


def good_convex_fit(x, y):
    K = x[1:-1]
    A = np.hstack([np.ones((x.size, 1)), x[:, None], np.maximum(x[:, None] - K[None, :], 0.0)])
    lb = np.r_[-np.inf, -np.inf, np.zeros(K.size)]
    return A @ lsq_linear(A, y, bounds=(lb, np.inf), method="bvls", tol=1e-12).x


def test_registered():
    assert {"ch09-softplus-net", "ch09-convex-fit"} <= set(exercises.available())


def test_right_answers_pass(capsys):
    assert exercises.check("ch09-softplus-net", good_net)
    assert exercises.check("ch09-convex-fit", good_convex_fit)
    assert "✓ ch09-convex-fit" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, W1, b1, w2, eps: eps * np.log(1 + np.exp((np.outer(x, W1) + b1) / eps)) @ w2, "overflows"),
    (lambda x, W1, b1, w2, eps: np.maximum(np.outer(x, W1) + b1, 0) @ w2, "ReLU network"),
    (lambda x, W1, b1, w2, eps: good_net(x, W1, b1, w2, eps) / eps, "factor ε"),
    (lambda x, W1, b1, w2, eps: good_net(x, W1, b1, np.ones_like(w2), eps), "weight them with w2"),
    (lambda x, W1, b1, w2, eps: good_net(x, W1, b1, w2, 1.0), "ordinary softplus"),
    (lambda x, W1, b1, w2, eps: np.maximum(np.outer(x, W1) + b1, 0), "hidden layer"),
])
def test_softplus_net_wrong_answers_get_hints(wrong, hint):
    with np.errstate(over="ignore"), pytest.raises(ExerciseError, match=hint):
        exercises.check("ch09-softplus-net", wrong)


def test_convex_fit_line_gets_the_ramp_hint():
    with pytest.raises(ExerciseError, match="straight line"):
        exercises.check("ch09-convex-fit", lambda x, y: np.polyval(np.polyfit(x, y, 1), x))


def test_convex_fit_unbounded_kinks_is_not_convex():
    def unconstrained(x, y):
        K = x[1:-1]
        A = np.hstack([np.ones((x.size, 1)), x[:, None], np.maximum(x[:, None] - K[None, :], 0.0)])
        return A @ np.linalg.lstsq(A, y, rcond=None)[0]

    with pytest.raises(ExerciseError, match="not convex"):
        exercises.check("ch09-convex-fit", unconstrained)


def test_convex_fit_with_nonnegative_intercept_is_not_best():
    def all_nonneg(x, y):
        K = x[1:-1]
        A = np.hstack([np.ones((x.size, 1)), x[:, None], np.maximum(x[:, None] - K[None, :], 0.0)])
        return A @ lsq_linear(A, y, bounds=(0, np.inf), method="bvls").x

    with pytest.raises(ExerciseError, match="not the best"):
        exercises.check("ch09-convex-fit", all_nonneg)


def test_convex_fit_returning_rmse_gets_shape_message():
    with pytest.raises(ExerciseError, match="fitted values"):
        exercises.check("ch09-convex-fit", lambda x, y: float(np.sqrt(np.mean((good_convex_fit(x, y) - y) ** 2))))


def test_stubs_stay_unfinished():
    def stub(*a, **k):
        raise NotImplementedError("fill in")

    for name in ("ch09-softplus-net", "ch09-convex-fit"):
        with pytest.raises(NotImplementedError):
            exercises.check(name, stub)
