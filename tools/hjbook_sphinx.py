"""A small Sphinx extension for the HJ book (loaded through `local_extensions` in _config.yml).

* Removes sphinx-thebe's scripts from every page. Jupyter Book 1 always loads sphinx-thebe; the
  book does not use it (`launch_buttons.thebe: false`), and sphinx-thebe 0.3.1 adds its inline
  `const THEBE_JS_URL = ...` script twice, which is a JavaScript error on every page
  ("Identifier 'THEBE_JS_URL' has already been declared") and names a CDN URL.
"""
from __future__ import annotations


def _is_thebe(js) -> bool:
    filename = getattr(js, "filename", None) or str(js)
    body = (getattr(js, "attributes", None) or {}).get("body", "")
    return "thebe" in (filename or "") or "THEBE_JS_URL" in body


def _drop_thebe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [js for js in scripts if not _is_thebe(js)]
    css = context.get("css_files")
    if css:
        context["css_files"] = [c for c in css if "thebe" not in (getattr(c, "filename", None) or str(c))]


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
