"""Checks for the book's coding exercises: immediate, specific feedback for a learner.

Every coding exercise in the book ends with one call, for example::

    hjlib.exercises.check("lse-stable", my_lse)

A correct answer prints a short confirmation. A wrong one raises :class:`ExerciseError` (an
``AssertionError``) whose message says *where* the answer goes wrong — the input, what came back,
what was expected — and a hint aimed at the usual mistake. A stub that still raises
``NotImplementedError`` propagates it unchanged, so an unfinished exercise reads as unfinished.

The checks live in one module per part of the book (``hjlib/exercises/<part>.py``), each
registering its checks with :func:`register`; all of them are imported here.
"""
from __future__ import annotations

import importlib
import pkgutil

from ._core import ExerciseError, available, call_answer, check, compare, register

__all__ = ["check", "register", "available", "ExerciseError", "compare", "call_answer"]

# import every check module in this package (each registers its checks on import)
for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")):
    importlib.import_module(f"{__name__}.{_mod}")
