"""hjlib.viz.explore: the static frames, the headless mode, and clear errors for bad input."""
from __future__ import annotations

import re

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hjlib import viz  # noqa: E402

CALLS = []


def draw(eps, t=1.0):
    CALLS.append((eps, t))
    fig, ax = plt.subplots(figsize=(3, 2))
    x = np.linspace(-1, 1, 50)
    ax.plot(x, np.tanh(x / eps) * t)
    ax.set_ylim(-3, 3)
    return fig


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    CALLS.clear()
    monkeypatch.delenv("HJBOOK_HEADLESS", raising=False)
    yield
    plt.close("all")


def test_static_html_has_every_frame_and_one_visible():
    ex = viz.explore(draw, eps=[0.1, 0.5, 1.0], value=0.5)
    html = ex.static_html()
    frames = re.findall(r'<img class="hj-frame" src="data:image/png;base64,([^"]+)"([^>]*)>', html)
    assert len(frames) == 3
    visible = [i for i, (_, attrs) in enumerate(frames) if " hidden" not in attrs]
    assert visible == [1]
    assert len({b for b, _ in frames}) == 3, "frames at different eps must differ"
    assert 'value="1"' in html and "<output>0.5</output>" in html
    assert plt.get_fignums() == [], "explore must close the figures it draws"


def test_two_parameters_render_the_product_grid():
    ex = viz.explore(draw, eps=[0.1, 1.0], t=[1.0, 2.0, 3.0], value={"eps": 1.0, "t": 2.0})
    html = ex.static_html()
    frames = re.findall(r'<img class="hj-frame"[^>]*>', html)
    assert len(frames) == 6
    visible = [i for i, f in enumerate(frames) if " hidden" not in f]
    assert visible == [1 * 3 + 1], "row-major index of (eps=1.0, t=2.0)"
    assert sorted(CALLS) == sorted((e, t) for e in [0.1, 1.0] for t in [1.0, 2.0, 3.0])


def test_headless_draws_once_at_the_default(monkeypatch):
    monkeypatch.setenv("HJBOOK_HEADLESS", "1")
    ex = viz.explore(draw, eps=[0.1, 0.5, 1.0, 2.0], value=1.0)
    bundle = ex._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/html"].count('class="hj-frame"') == 1
    assert CALLS == [(1.0, 1.0)], "headless: one call, at the default value"


def test_mimebundle_carries_widget_and_static_html():
    ex = viz.explore(draw, eps=[0.1, 1.0])
    bundle = ex._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert {"text/plain", "text/html", "application/vnd.jupyter.widget-view+json"} <= set(data)
    assert data["text/html"].count('class="hj-frame"') == 2
    assert len(CALLS) == 2, "the live widget reuses the pre-rendered default frame"


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        (dict(), ValueError, "at least one parameter"),
        (dict(eps=[]), ValueError, "eps must list at least one value"),
        (dict(eps=[0.1, float("nan")]), ValueError, "finite numbers"),
        (dict(eps=[0.1, 0.1]), ValueError, "must not repeat"),
        (dict(eps="0.1"), TypeError, "eps must be a list of numbers"),
        (dict(eps=[0.1, 0.2], value=0.3), ValueError, "value for eps must be one of"),
        (dict(eps=list(np.linspace(0.1, 1, 61))), ValueError, "61 frames"),
        (dict(eps=[0.1], t=[1.0], value=0.1), TypeError, "value must be a dict"),
        (dict(a=[1], b=[2], c=[3]), ValueError, "one or two parameters"),
    ],
)
def test_bad_input_is_named(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        viz.explore(draw, **kwargs)


def test_fn_must_return_a_figure():
    ex = viz.explore(lambda eps: 42, eps=[0.1])
    with pytest.raises(TypeError, match="must draw a new matplotlib figure"):
        ex.static_html()
