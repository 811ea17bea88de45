"""hjlib.scaling: the authors' width experiments reproduce, the offset explains them, the trainer is exact."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hjlib import scaling as sc
from hjlib.training import fit_lse

# the authors' released code (run_all.py), recomputed to 10 digits
AUTHORS_ERR_D1 = [0.3674067724, 0.1363626199, 0.06030060823, 0.02846436204, 0.0138218393,
                  0.006792057936, 0.003346942194, 0.001641459808, 0.0007929425603, 0.000369734374]
AUTHORS_RMSE_D2 = [0.08534281392, 0.09320085615, 0.03303929078, 0.01450945878, 0.006350950445,
                   0.002597688872, 0.001265890399, 0.0005602372772]


def test_grids_and_weights():
    y = sc.grid_support(2, 3)
    assert y.shape == (9, 2) and y.min() == -2 and y.max() == 2
    ym = sc.grid_support(1, 4, kind="midpoints")[:, 0]
    np.testing.assert_allclose(ym, [-1.5, -0.5, 0.5, 1.5])
    assert math.isclose(sc.grid_weights(2, 5, "trapezoid").sum(), 1.0)
    assert math.isclose(sc.grid_weights(2, 5, "cell").sum(), (5 / 4) ** 2)
    assert math.isclose(sc.grid_weights(3, 4).sum(), 1.0)
    with pytest.raises(ValueError, match="rule must be"):
        sc.grid_weights(1, 4, "simpson")
    with pytest.raises(ValueError, match="kind must be"):
        sc.grid_support(1, 4, kind="random")


def test_normalized_lse_matches_definition_and_is_stable():
    rng = np.random.default_rng(0)
    x, y, g = rng.normal(size=(5, 2)), rng.normal(size=(7, 2)), rng.uniform(size=7)
    z = x @ (y / 2).T - g - (y ** 2).sum(1) / 4
    np.testing.assert_allclose(sc.normalized_lse(x, y, g, 0.3), 0.3 * np.log(np.mean(np.exp(z / 0.3), 1)), rtol=1e-12)
    two = sc.normalized_lse(x, y, g, 0.3, weights=np.stack([np.full(7, 1 / 7), np.full(7, 2 / 7)], 1))
    np.testing.assert_allclose(two[:, 1] - two[:, 0], 0.3 * math.log(2), rtol=1e-12)
    assert np.all(np.isfinite(sc.normalized_lse(x, y, g + 1e3, 1e-4)))


def test_quadrature_table_d1_reproduces_authors():
    N, err = sc.quadrature_errors(1, [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048], n_ref=16384)
    np.testing.assert_allclose(err, AUTHORS_ERR_D1, rtol=1e-6)
    assert abs(sc.log_slope(N, err) + 1.08) < 0.01


def test_synthetic_law_is_the_endpoint_offset():
    pa = [3, 5, 8, 12, 18, 28, 40, 60]
    N, eps, R = sc.synthetic_scaling_rmse(2, pa, rule=["authors", "cell"])
    np.testing.assert_allclose(R[:, 0], AUTHORS_RMSE_D2, rtol=1e-6)
    assert abs(-sc.log_slope(N, R[:, 0]) - 0.91) < 0.01
    off = sc.endpoint_offset(2, eps, np.array(pa))
    big = np.array(pa) >= 9
    assert np.all(np.abs(R[big, 0] / off[big] - 1) < 1e-3)
    assert R[-1, 1] < 1e-14 < R[-1, 0]                       # corrected: only rounding left


def test_endpoint_offset_formula():
    assert math.isclose(sc.endpoint_offset(2, 0.5, 10), 2 * 0.5 * math.log(10 / 9))
    assert math.isclose(sc.endpoint_offset(1, 1.0, 10, 100), math.log(10 / 9) - math.log(100 / 99))


def test_slope_with_se():
    x = np.log([1, 2, 4, 8, 16.0])
    s, se = sc.slope_with_se(x, -0.5 * x + 1)
    assert abs(s + 0.5) < 1e-12 and se < 1e-12
    s2, se2 = sc.slope_with_se(x, -0.5 * x + np.array([0, 0.1, -0.1, 0.1, 0]))
    assert se2 > 0.01


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_trainer_equals_fit_lse(dtype):
    x = np.linspace(-2, 2, 150)[:, None]
    y = np.abs(x[:, 0])
    start = fit_lse(x, y, width=7, eps=0.2, steps=0, seeds=[0, 1], dtype=dtype)
    ref = fit_lse(x, y, width=7, eps=0.2, steps=120, lr=0.02, seeds=[0, 1], dtype=dtype)
    W, b, hist = sc.train_lse_adam(x, y, start.W.numpy(), start.b.numpy(), 0.2, steps=120, lr=0.02,
                                   dtype=dtype, chunk_elems=64)     # several sample blocks
    tol = 1e-12 if dtype == torch.float64 else 2e-5
    assert (W - ref.W).abs().max().item() < tol and (b - ref.b).abs().max().item() < tol
    np.testing.assert_allclose(hist, ref.loss_history, rtol=max(tol, 1e-10))


def test_trainer_runs_are_independent_and_per_run_eps():
    x = np.linspace(-2, 2, 80)[:, None]
    y = np.abs(x[:, 0])
    W0, b0 = sc.authors_init(5, 1, 3)
    both, bb, _ = sc.train_lse_adam(x, y, np.stack([W0, W0]), np.stack([b0, b0]), [0.3, 0.05], steps=50,
                                    lr=0.02, dtype=torch.float64)
    one, ob, _ = sc.train_lse_adam(x, y, W0[None], b0[None], 0.05, steps=50, lr=0.02, dtype=torch.float64)
    assert (both[1] - one[0]).abs().max().item() < 1e-13
    assert (both[0] - both[1]).abs().max().item() > 1e-3
    assert torch.get_num_threads() >= 1


def test_experiment_b_setting_small_and_authors_init():
    W, b = sc.authors_init(4, 2, 201)
    rng = np.random.default_rng(201)
    np.testing.assert_allclose(W, rng.standard_normal((4, 2)) * 0.5 / math.sqrt(2))
    np.testing.assert_allclose(b, rng.standard_normal(4) * 0.3)
    res = sc.experiment_b_setting(1, 10, seeds=[0, 1], steps=200, n_train=300, n_test=100)
    assert res["rmse"].shape == (2,) and np.all(res["rmse"] < 0.2) and math.isclose(res["eps"], 0.1)
    sweep = sc.experiment_b_eps_sweep(1, 10, [0.1, 0.05], seeds=[0, 1], steps=200, n_train=300, n_test=100)
    np.testing.assert_allclose(sweep[0.1], res["rmse"], rtol=1e-6)


def test_entropy_crossing_scales():
    x = np.random.default_rng(1).uniform(-1.5, 1.5, (60, 1))
    half = []
    for n in (32, 64, 128):
        y = sc.grid_support(1, n)
        half.append(sc.entropy_crossing_eps(x, y, np.zeros(n), 0.5 * math.log(n), iters=40))
    assert abs(sc.log_slope([32, 64, 128], half) + 1) < 0.15
    with pytest.raises(ValueError, match="level must lie"):
        sc.entropy_crossing_eps(x, sc.grid_support(1, 4), np.zeros(4), 2.0)


def test_sample_size_errors_shapes():
    out = sc.sample_size_errors(1, [40, 80], widths=[4], eps_grid=[0.05, 0.2], reps=2, steps=50)
    assert out["err"].shape == (2, 2) and out["choice"].shape == (2, 2, 2)
    assert np.all(np.isfinite(out["err"]))


def test_load_experiment_b(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("d,N,eps,dtype,seed,test_rmse,train_mse,wall_seconds,cpu_seconds\n"
                 "1,10,0.1,float32,0,0.01,1e-4,1,1\n1,10,0.1,float32,1,0.02,2e-4,1,1\n")
    res = sc.load_experiment_b(p)
    np.testing.assert_allclose(res[(1, 10, "float32")]["rmse"], [0.01, 0.02])
