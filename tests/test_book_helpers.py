"""hjlib.book: deterministic set-up, quiet progress bars outside JupyterLab, clear errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from hjlib import book


def test_setup_is_deterministic():
    r1 = book.setup(seed=3)
    a = (r1.standard_normal(4), np.random.rand(2), torch.rand(2))
    r2 = book.setup(seed=3)
    b = (r2.standard_normal(4), np.random.rand(2), torch.rand(2))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert torch.equal(a[2], b[2])
    c = book.setup(seed=4).standard_normal(4)
    assert not np.array_equal(a[0], c)


def test_setup_sets_plot_style():
    import matplotlib as mpl

    book.setup()
    assert mpl.rcParams["figure.constrained_layout.use"] is True
    assert mpl.rcParams["svg.hashsalt"] == "hjbook"


@pytest.mark.parametrize("kw, exc", [(dict(seed=1.5), TypeError), (dict(seed=True), TypeError),
                                      (dict(figure_format="jpg"), ValueError)])
def test_setup_rejects_bad_arguments(kw, exc):
    with pytest.raises(exc):
        book.setup(**kw)


def test_progress_is_silent_outside_jupyterlab(monkeypatch, capsys):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert not book.is_interactive()
    assert list(book.progress(range(5), desc="quiet")) == list(range(5))
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_progress_shows_in_jupyterlab(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "book/chapter.md")
    monkeypatch.delenv("HJBOOK_HEADLESS", raising=False)
    assert book.is_interactive()
    bar = book.progress(range(3))
    assert bar.disable is False
    bar.close()


def test_headless_wins_over_lab(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "x")
    monkeypatch.setenv("HJBOOK_HEADLESS", "1")
    assert book.is_headless() and not book.is_interactive()
