"""hjlib.bifurcation: the entropy landscape, its exact derivatives, critical points and folds."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hjlib import bifurcation as B


def _torch_entropy(x, y, g, eps, t):
    s = -(g + ((x[None, :] - y) ** 2).sum(-1) / (4 * t)) / eps
    lp = s - torch.logsumexp(s, 0)
    return -(lp.exp() * lp).sum()


def test_two_clusters_is_the_legacy_global_seed_draw():
    state = np.random.get_state()
    try:
        np.random.seed(42)
        ref = np.vstack([np.random.randn(8, 2) * 0.4 + [-1, -1], np.random.randn(8, 2) * 0.4 + [1, 1]])
    finally:
        np.random.set_state(state)
    y, g, t = B.two_clusters()
    assert np.array_equal(y, ref) and g.tolist() == [0.0] * 8 + [1.0] * 8 and t == 1.0


@pytest.mark.parametrize("eps", [0.05, 0.3, 2.0])
def test_gradient_and_hessian_match_autograd(eps):
    y, g, t = B.two_clusters()
    yt, gt = torch.tensor(y), torch.tensor(g)
    rng = np.random.default_rng(3)
    for x in rng.uniform(-2, 2, size=(6, 2)):
        xt = torch.tensor(x, requires_grad=True)
        H, gr, he = B.entropy_derivatives(x, y, g, eps, t)
        ha = torch.autograd.functional.hessian(lambda z: _torch_entropy(z, yt, gt, eps, t), xt)
        (ga,) = torch.autograd.grad(_torch_entropy(xt, yt, gt, eps, t), xt)
        assert abs(H - _torch_entropy(xt, yt, gt, eps, t).item()) < 1e-12
        scale = 1 / (2 * t * eps)
        assert np.abs(gr - ga.numpy()).max() < 1e-11 * scale
        assert np.abs(he - ha.numpy()).max() < 1e-10 * scale ** 2


def test_gradient_matches_central_differences_1d():
    y, g, t = B.demo_1d()
    x = np.linspace(-3.5, 3.5, 29)[:, None]
    h = 1e-6
    fd = (B.entropy(x + h, y, g, 0.3, t) - B.entropy(x - h, y, g, 0.3, t)) / (2 * h)
    assert np.abs(B.entropy_grad(x, y, g, 0.3, t)[:, 0] - fd).max() < 1e-8


def test_saturation_mask_and_no_nan_far_away():
    y, g, t = B.two_clusters()
    far = np.array([[40.0, -40.0], [-1.0, -1.0]])
    H, gr, he = B.entropy_derivatives(far, y, g, 0.01, t)
    assert np.all(np.isfinite(H)) and np.all(np.isfinite(gr)) and np.all(np.isfinite(he))
    assert B.saturated(far, y, g, 0.01, t).tolist() == [True, False]


def test_newton_rejects_plateau_points():
    y, g, t = B.two_clusters()
    x, ok = B.newton_critical_point(np.array([2.4, 2.4]), y, g, 0.01, t)
    assert not ok


def test_demo_counts_and_kinds():
    y, g, t = B.demo_1d()
    xg = np.linspace(-4, 4, 40001)
    for eps, (n_min, n_max) in [(0.1, (4, 5)), (0.35, (3, 4)), (0.45, (2, 3)), (0.6, (0, 1))]:
        _, kind = B.critical_points_1d(xg, y, g, eps, t)
        assert (np.sum(kind == "min"), np.sum(kind == "max")) == (n_min, n_max)
        assert kind[0] == "max" and kind[-1] == "max"       # maxima and minima alternate
        assert all(a != b for a, b in zip(kind[:-1], kind[1:]))


def test_count_change_bisection_agrees_with_fold_solver():
    y, g, t = B.demo_1d()
    xg = np.linspace(-4, 4, 8001)
    e_count, n_lo, n_hi = B.count_change_1d(xg, y, g, t, 0.3, 0.35, iters=20)
    assert (n_lo, n_hi) == (9, 7)
    xf, ef, ok = B.locate_fold(np.array([1.84]), 0.3255, y, g, t)
    assert ok and abs(ef - e_count) < 1e-5
    _, gr, he = B.entropy_derivatives(xf, y, g, ef, t)
    assert abs(gr[0]) < 1e-9 and abs(he[0, 0]) < 1e-7


def test_continuation_follows_a_branch_and_finds_its_fold():
    y, g, t = B.demo_1d()
    xc, kind = B.critical_points_1d(np.linspace(-4, 4, 8001), y, g, 0.1, t)
    brs = B.continue_branches([[x] for x in xc], np.linspace(0.1, 0.6, 11), y, g, t)
    folds = sorted({round(b.fold_eps, 6) for b in brs if b.end == "fold"})
    assert len(folds) == 4
    assert np.allclose(folds, [0.325518, 0.388444, 0.509737, 0.510158], atol=2e-6)
    assert sum(b.end == "grid" for b in brs) == 1


def test_continuation_step_lands_on_a_critical_point():
    y, g, t = B.two_clusters()
    x, ok = B.newton_critical_point(np.array([0.3, 0.5]), y, g, 0.06, t)
    assert ok and B.classify(B.entropy_hessian(x, y, g, 0.06, t)) == "saddle"
    x1, ok1 = B.continuation_step(x, 0.06, 0.08, y, g, t)
    assert ok1 and np.linalg.norm(B.entropy_grad(x1, y, g, 0.08, t)) < 1e-9
    assert B.classify(B.entropy_hessian(x1, y, g, 0.08, t)) == "saddle"


def test_classify():
    assert B.classify(np.diag([1.0, 2.0])) == "min"
    assert B.classify(np.diag([-1.0, -2.0])) == "max"
    assert B.classify(np.diag([-1.0, 2.0])) == "saddle"
    assert B.classify(np.diag([0.0, 2.0])) == "degenerate"


def test_two_cluster_cascade():
    y, g, t = B.two_clusters()
    grid = np.geomspace(0.06, 3.0, 16)
    brs, unexplained, ms = B.track_critical_points(y, g, t, grid, audit=False)
    assert (ms['min'][0], ms['saddle'][0], ms['max'][0]) == (2, 1, 2)
    ends = sorted((b.kind[0], b.end) for b in brs)
    assert ends == [("max", "fold"), ("max", "grid"), ("min", "exit"), ("min", "fold"), ("saddle", "fold")]
    sad = next(b for b in brs if b.kind[0] == "saddle")
    assert abs(sad.fold_eps - 0.42) < 0.03
    mn = next(b for b in brs if b.kind[0] == "min" and b.end == "fold")
    assert abs(mn.fold_eps - 0.23) < 0.03
    last = next(b for b in brs if b.end == "grid")
    assert np.linalg.norm(last.x[-1] - [0.40, 0.47]) < 0.05 and abs(last.H[-1] - 2.766) < 0.01


def test_bad_eps():
    y, g, t = B.demo_1d()
    with pytest.raises(ValueError):
        B.entropy(np.zeros((1, 1)), y, g, 0.0, t)
    with pytest.raises(ValueError, match="no change"):
        B.count_change_1d(np.linspace(-4, 4, 801), y, g, t, 0.1, 0.2)


def test_released_multistart_at_eps_3():
    y, g, t = B.two_clusters()
    found = B.released_multistart(y, g, 3.0, t, n_random=20)
    assert len(found) == 1 and found[0][1] == "max"
    assert np.linalg.norm(found[0][0] - [0.395, 0.472]) < 0.01
