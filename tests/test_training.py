"""hjlib.training: batched runs are exactly independent runs; training actually fits."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from hjlib import lse_params
from hjlib.training import fit_lse, fit_lse_widths

X = np.linspace(-2, 2, 120)
Y = np.abs(X)


def test_batched_seeds_equal_independent_runs():
    both = fit_lse(X, Y, width=6, eps=0.2, steps=150, lr=0.02, seeds=[0, 1])
    alone = fit_lse(X, Y, width=6, eps=0.2, steps=150, lr=0.02, seeds=[1])
    assert torch.allclose(both.W[1], alone.W[0], atol=1e-12, rtol=0)
    assert torch.allclose(both.b[1], alone.b[0], atol=1e-12, rtol=0)
    np.testing.assert_allclose(both.loss_history[1], alone.loss_history[0], rtol=1e-12)


def test_padded_widths_equal_independent_runs():
    fits = fit_lse_widths(X, Y, widths=[3, 7], eps=[0.2, 0.2], steps=120, lr=0.02, seeds=[4])
    alone = fit_lse(X, Y, width=3, eps=0.2, steps=120, lr=0.02, seeds=[4])
    assert fits[3].W.shape == (1, 3, 1) and fits[7].W.shape == (1, 7, 1)
    assert torch.allclose(fits[3].W, alone.W, atol=1e-12, rtol=0)
    np.testing.assert_allclose(fits[3].train_mse, alone.train_mse, rtol=1e-10)
    assert np.isfinite(fits[7].train_mse).all()


def test_training_fits_abs_and_reads_as_initial_data():
    fit = fit_lse(X, Y, width=10, eps=0.05, steps=1500, lr=0.03, seeds=[0, 1])
    assert fit.train_mse[fit.best] < 2e-3, fit.train_mse
    assert fit.loss_history[fit.best, -1] < 0.05 * fit.loss_history[fit.best, 0]
    y, g = fit.initial_data()
    W2, b2 = lse_params(y, g, 1.0)
    np.testing.assert_allclose(W2, fit.W[fit.best].numpy(), atol=1e-12)
    np.testing.assert_allclose(b2, fit.b[fit.best].numpy(), atol=1e-12)
    pi = fit.gibbs(X[:, None])
    np.testing.assert_allclose(pi.sum(axis=1), 1.0, atol=1e-12)


def test_lbfgs_polish_lowers_the_loss_and_output_scale_trains():
    adam = fit_lse(X, Y, width=5, eps=0.3, steps=200, lr=0.02, seeds=[0])
    polished = fit_lse(X, Y, width=5, eps=0.3, steps=200, lr=0.02, seeds=[0], lbfgs_steps=200)
    assert polished.train_mse[0] < adam.train_mse[0]
    scaled = fit_lse(X, 3 * Y, width=5, eps=0.3, steps=300, lr=0.02, seeds=[0], output_scale=True)
    assert scaled.w2 is not None and float(scaled.w2[0]) != 1.0


def test_minibatch_and_float32():
    fit = fit_lse(X, Y, width=6, eps=0.2, steps=200, lr=0.02, seeds=[0], batch_size=32, dtype=torch.float32)
    assert fit.W.dtype == torch.float32 and np.isfinite(fit.train_mse).all()


@pytest.mark.parametrize(
    "kw, words",
    [
        (dict(width=0, eps=0.1), "width must be a positive int"),
        (dict(width=3, eps=-1.0), "eps must be a finite number >= 0"),
        (dict(width=3, eps=0.1, lr=0.0), "lr must be > 0"),
        (dict(width=3, eps=0.1, seeds=[]), "seeds must list at least one seed"),
    ],
)
def test_bad_arguments(kw, words):
    with pytest.raises(ValueError, match=words):
        fit_lse(X, Y, steps=1, **kw)


def test_bad_data():
    with pytest.raises(ValueError, match="one target per input"):
        fit_lse(X, Y[:-1], width=3, eps=0.1, steps=1)
    with pytest.raises(ValueError, match="x must be finite"):
        fit_lse(np.r_[X[:-1], np.nan], Y, width=3, eps=0.1, steps=1)


def test_lbfgs_only_run_has_an_empty_history_per_run():
    fit = fit_lse(X, Y, width=3, eps=0.2, steps=0, seeds=[0, 1], lbfgs_steps=5)
    assert fit.loss_history.shape == (2, 0) and np.isfinite(fit.train_mse).all()
