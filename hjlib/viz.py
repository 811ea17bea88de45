"""Parameter sliders that work live in JupyterLab *and* in the static HTML book.

One helper, :func:`explore`, is used by every chapter::

    def draw(eps):
        fig, ax = plt.subplots()
        ...
        return fig

    hjlib.viz.explore(draw, eps=[0.05, 0.1, 0.2, 0.5, 1.0], value=0.2)

The returned object displays as

* **in a live kernel** (JupyterLab, Notebook 7): an ipywidgets slider per parameter; moving it
  calls ``draw`` again and redraws the figure;
* **in the built book** (no kernel): an HTML ``<input type=range>`` per parameter over frames
  pre-rendered at build time; a few lines of inline JavaScript swap the visible frame;
* **under the test suite** (``HJBOOK_HEADLESS=1``): the figure is drawn once, at the default
  values, so a chapter's interactive figure is executed but not rendered N times.

How the two front ends choose: the display bundle carries the widget view *and* a
``text/html`` fallback. JupyterLab prefers the widget view; the book's ``_config.yml`` sets
``nb_mime_priority_overrides`` so the HTML builder prefers ``text/html``.
"""
from __future__ import annotations

import base64
import html
import io
import itertools
import math
from numbers import Real
from typing import Callable

from . import book as _book

__all__ = ["explore", "Explorer"]

_MAX_FRAMES = 60


def _check_values(name: str, values) -> list:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a list of numbers, got {type(values).__name__}")
    values = list(values)
    if not values:
        raise ValueError(f"{name} must list at least one value, got an empty list")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(float(v)):
            raise ValueError(f"{name} must contain finite numbers only, got {v!r}")
    if len(set(float(v) for v in values)) != len(values):
        raise ValueError(f"{name} must not repeat a value, got {values}")
    return values


def _fmt(v) -> str:
    return f"{v:g}"


class Explorer:
    """A figure with one slider per parameter; see :func:`explore`."""

    def __init__(self, fn: Callable, params: dict, value: dict, *, dpi: int, description: str):
        self.fn = fn
        self.params = params
        self.value = value
        self.dpi = dpi
        self.description = description
        self._frames: dict[tuple, bytes] = {}

    # -- rendering ---------------------------------------------------------------------------
    def _call(self, combo: tuple):
        import matplotlib.pyplot as plt

        kwargs = dict(zip(self.params, combo))
        before = set(plt.get_fignums())
        fig = self.fn(**kwargs)
        if fig is None:
            fig = plt.gcf()
        if not hasattr(fig, "savefig"):
            raise TypeError(
                f"the function passed to explore must draw a new matplotlib figure and return it "
                f"(or None); it returned {type(fig).__name__}"
            )
        # close every figure the call opened, so the inline backend does not show them again
        for num in set(plt.get_fignums()) - before:
            plt.close(num)
        plt.close(fig)
        return fig

    def frame(self, combo: tuple) -> bytes:
        """PNG bytes of the figure at one combination of parameter values (cached)."""
        if combo not in self._frames:
            fig = self._call(combo)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=self.dpi)
            self._frames[combo] = buf.getvalue()
        return self._frames[combo]

    def default_combo(self) -> tuple:
        return tuple(self.value[name] for name in self.params)

    def combos(self) -> list[tuple]:
        return list(itertools.product(*self.params.values()))

    # -- static HTML (the book) --------------------------------------------------------------
    def static_html(self) -> str:
        """Self-contained HTML: range inputs over pre-rendered frames, no server, no CDN."""
        headless = _book.is_headless()
        default = self.default_combo()
        combos = [default] if headless else self.combos()
        names = list(self.params)
        sizes = [len(v) for v in self.params.values()]
        inputs = []
        for name, values in self.params.items():
            k = values.index(self.value[name])
            labels = "|".join(_fmt(v) for v in values)
            label = html.escape(_LABELS.get(name, name))
            js = (
                "var r=this.closest('.hj-explore'),ins=r.querySelectorAll('input[type=range]'),k=0;"
                "ins.forEach(function(x){k=k*(+x.max+1)+(+x.value);"
                "x.parentNode.querySelector('output').textContent=x.dataset.labels.split('|')[+x.value];});"
                "r.querySelectorAll('img.hj-frame').forEach(function(m,j){m.hidden=j!==k;});"
            )
            inputs.append(
                f'<label class="hj-explore-control">{label} '
                f'<input type="range" min="0" max="{len(values) - 1}" step="1" value="{k}" '
                f'data-name="{html.escape(name)}" data-labels="{labels}" '
                f'aria-label="{html.escape(name)}" oninput="{js}"> '
                f"<output>{_fmt(self.value[name])}</output></label>"
            )
        imgs = []
        for combo in combos:
            png = base64.b64encode(self.frame(combo)).decode("ascii")
            alt = ", ".join(f"{n} = {_fmt(v)}" for n, v in zip(names, combo))
            hidden = "" if combo == default else " hidden"
            imgs.append(
                f'<img class="hj-frame" src="data:image/png;base64,{png}" '
                f'alt="{html.escape(self.description)} at {alt}" style="max-width:100%"{hidden}>'
            )
        note = (
            ""
            if not headless
            else '<p class="hj-explore-note">(headless run: one frame, at the default values)</p>'
        )
        return (
            f'<div class="hj-explore" data-frames="{len(combos)}" data-shape="{"x".join(map(str, sizes))}">'
            f'<div class="hj-explore-controls">{" ".join(inputs)}</div>{note}'
            f'{"".join(imgs)}</div>'
        )

    # -- live widget (JupyterLab) ------------------------------------------------------------
    def widget(self):
        """The live ipywidgets view: a slider per parameter, redrawing through ``fn``."""
        import ipywidgets as widgets
        from IPython.display import Image, display

        sliders = {
            name: widgets.SelectionSlider(
                options=[(_fmt(v), v) for v in values],
                value=self.value[name],
                description=_LABELS.get(name, name),
                continuous_update=False,
                layout=widgets.Layout(width="420px"),
            )
            for name, values in self.params.items()
        }
        out = widgets.Output()

        def draw(first: bool = False):
            combo = tuple(sliders[n].value for n in self.params)
            with out:
                if not first:
                    out.clear_output(wait=True)
                    self._frames.pop(combo, None)  # live: really call fn again
                display(Image(self.frame(combo)))

        for s in sliders.values():
            s.observe(lambda change: draw(), names="value")
        draw(first=True)
        return widgets.VBox([*sliders.values(), out])

    def _repr_mimebundle_(self, include=None, exclude=None):
        # the static HTML first: it renders every frame, the widget then reuses the default one
        static = self.static_html()
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        if isinstance(bundle, tuple):  # (data, metadata)
            data = bundle[0]
        else:
            data = bundle
        data["text/html"] = static
        return bundle

    def __repr__(self) -> str:
        ranges = ", ".join(f"{n}={[_fmt(v) for v in vals]}" for n, vals in self.params.items())
        return f"<hjlib.viz.explore: {self.description}; {ranges}>"


_LABELS = {"eps": "ε", "t": "t", "N": "N", "d": "d"}


def explore(
    fn: Callable,
    *,
    value=None,
    dpi: int = 90,
    description: str = "figure",
    **params,
) -> Explorer:
    """An interactive figure: one slider per parameter, live in Jupyter and static in the book.

    Parameters
    ----------
    fn : callable
        Called with the parameters as keyword arguments, e.g. ``fn(eps=0.1)`` or
        ``fn(eps=0.1, t=1.0)``; it must create a new matplotlib figure and return it (or leave it
        as the current figure and return None). Keep the axes limits fixed across calls so the
        frames do not jump.
    value : number or dict, optional
        Default value(s) shown first (and the only frame drawn in headless test runs). A number
        is allowed when there is one parameter. Default: the middle value of each list.
    dpi : int
        Resolution of the pre-rendered PNG frames (about 20–30 KB per line-plot frame at 90 dpi).
    description : str
        Short text used in the frames' ``alt`` attributes.
    **params : list of numbers
        One or two parameters, e.g. ``eps=[0.05, 0.1, 0.5]`` and optionally ``t=[0.5, 1, 2]``.
        The static book pre-renders every combination (at most 60 frames).

    Returns
    -------
    Explorer
        Display it (last expression of a cell).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, numpy as np
    >>> def draw(eps):
    ...     fig, ax = plt.subplots()
    ...     z = np.linspace(-2, 2, 201)
    ...     ax.plot(z, eps * np.logaddexp(z / eps, 0))
    ...     return fig
    >>> ex = explore(draw, eps=[0.1, 0.5, 1.0], value=0.5)
    """
    if not callable(fn):
        raise TypeError(f"fn must be a callable that draws a figure, got {type(fn).__name__}")
    if not params:
        raise ValueError("explore needs at least one parameter list, e.g. eps=[0.1, 0.5, 1.0]")
    if len(params) > 2:
        raise ValueError(f"explore takes one or two parameters, got {len(params)}: {list(params)}")
    params = {name: _check_values(name, vals) for name, vals in params.items()}
    n_frames = math.prod(len(v) for v in params.values())
    if n_frames > _MAX_FRAMES:
        raise ValueError(
            f"explore pre-renders every combination for the static book: {n_frames} frames is more "
            f"than {_MAX_FRAMES}; use fewer values"
        )
    if value is None:
        value = {n: vals[(len(vals) - 1) // 2] for n, vals in params.items()}
    elif not isinstance(value, dict):
        if len(params) != 1:
            raise TypeError("value must be a dict {name: value} when there are two parameters")
        value = {next(iter(params)): value}
    for name, vals in params.items():
        if name not in value:
            raise ValueError(f"value has no entry for parameter {name!r}")
        matches = [v for v in vals if math.isclose(float(v), float(value[name]), rel_tol=1e-12)]
        if not matches:
            raise ValueError(f"value for {name} must be one of {vals}, got {value[name]!r}")
        value[name] = matches[0]
    extra = set(value) - set(params)
    if extra:
        raise ValueError(f"value names unknown parameters {sorted(extra)}; parameters are {list(params)}")
    if not isinstance(dpi, int) or not 30 <= dpi <= 300:
        raise ValueError(f"dpi must be an int between 30 and 300, got {dpi!r}")
    return Explorer(fn, params, value, dpi=dpi, description=description)
