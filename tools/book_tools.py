"""Parsing the book's exercises: stub/solution pairs and the student edition.

Exercises use sphinx-exercise's gated syntax (so solutions are real, executed code cells)::

    ```{exercise-start}
    :label: ex-name
    ```
    text ...
    (code cell tagged raises-exception: the stub, with `...` holes and a NotImplementedError)
    ```{exercise-end}
    ```
    ```{solution-start} ex-name
    :class: dropdown
    ```
    text ... (code cells: the solution)
    ```{solution-end}
    ```

A stub *matches* its solution when, after removing the stub's ``raise NotImplementedError``
lines, its lines equal the first lines of the solution's first code cell, where each ``...`` in a
stub line stands for any non-empty text (a hole). The solution may continue after that (checks,
demonstrations).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass

_FENCE_START = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}(?P<arg>[^\n]*)$")


@dataclass
class Exercise:
    label: str
    stub: str | None  # source of the raises-exception code cell, if any
    solution_code: list[str]  # sources of the solution's code cells
    text: str = ""  # the exercise's prompt (markdown)
    has_solution: bool = False


def _directives(text: str):
    """Yield (name, argument, first option lines, start offset, end offset) of fenced directives."""
    lines = text.splitlines(keepends=True)
    pos = 0
    i = 0
    while i < len(lines):
        m = _FENCE_START.match(lines[i].rstrip("\n"))
        if m:
            fence = m.group("fence")
            start = pos
            body = []
            j = i + 1
            end_pos = pos + len(lines[i])
            while j < len(lines) and lines[j].rstrip("\n").rstrip() != fence:
                body.append(lines[j])
                end_pos += len(lines[j])
                j += 1
            if j < len(lines):
                end_pos += len(lines[j])
            yield m.group("name"), m.group("arg").strip(), body, start, end_pos
            for k in range(i, min(j + 1, len(lines))):
                pos += len(lines[k])
            i = j + 1
            continue
        pos += len(lines[i])
        i += 1


def _label(body: list[str]) -> str | None:
    for line in body:
        m = re.match(r"^:label:\s*(\S+)", line.strip())
        if m:
            return m.group(1)
    return None


def exercises(nb) -> list[Exercise]:
    """The gated exercises of a notebook (nbformat node), in order, with stubs and solutions."""
    found: dict[str, Exercise] = {}
    order: list[str] = []
    state = None  # ("exercise", label) or ("solution", label)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = cell.source
            cursor = 0
            for name, arg, body, start, end in _directives(text):
                if state is not None and state[0] == "exercise":
                    found[state[1]].text += text[cursor:start]
                if name == "exercise-start":
                    label = _label(body)
                    if label is None:
                        raise ValueError("an exercise-start directive has no :label:")
                    found[label] = Exercise(label, None, [])
                    order.append(label)
                    state = ("exercise", label)
                elif name == "exercise":  # a plain (non-gated) exercise: prompt in the body
                    label = _label(body)
                    if label is not None:
                        found[label] = Exercise(label, None, [],
                                                "".join(l for l in body if not l.startswith(":")))
                        order.append(label)
                elif name == "exercise-end":
                    state = None
                elif name in ("solution-start", "solution"):
                    if arg not in found:
                        raise ValueError(f"{name} names unknown exercise {arg!r}")
                    found[arg].has_solution = True
                    if name == "solution-start":
                        state = ("solution", arg)
                elif name == "solution-end":
                    state = None
                cursor = end
            if state is not None and state[0] == "exercise":
                found[state[1]].text += text[cursor:]
        elif cell.cell_type == "code" and state is not None:
            kind, label = state
            tags = cell.metadata.get("tags", [])
            if kind == "exercise" and "raises-exception" in tags:
                if found[label].stub is not None:
                    raise ValueError(f"exercise {label} has two stub cells")
                found[label].stub = cell.source
            elif kind == "solution":
                found[label].solution_code.append(cell.source)
    return [found[k] for k in order]


def _code_lines(src: str) -> list[str]:
    return [line.rstrip() for line in src.strip("\n").splitlines()]


def stub_mismatch(stub: str, solution: str) -> str | None:
    """None if ``stub`` matches ``solution`` outside its ``...`` holes, else a description."""
    stub_lines = [l for l in _code_lines(stub) if "raise NotImplementedError" not in l]
    sol_lines = _code_lines(solution)
    if len(sol_lines) < len(stub_lines):
        return f"the stub has {len(stub_lines)} lines but the solution only {len(sol_lines)}"
    for k, (s, t) in enumerate(zip(stub_lines, sol_lines), start=1):
        if "..." in s:
            pattern = "^" + ".+?".join(re.escape(part) for part in s.split("...")) + "$"
            if not re.match(pattern, t):
                return f"line {k}: stub {s!r} does not match solution {t!r}"
        elif s != t:
            return f"line {k}: stub {s!r} differs from solution {t!r}"
    return None


def strip_solutions(nb):
    """A copy of ``nb`` without solutions: gated solution blocks and ``{solution}`` directives."""
    out = copy.deepcopy(nb)
    cells = []
    in_solution = False
    for cell in out.cells:
        if cell.cell_type == "code":
            if not in_solution:
                cells.append(cell)
            continue
        text = cell.source
        pieces = []
        cursor = 0
        for name, _arg, _body, start, end in _directives(text):
            if name == "solution-start" and not in_solution:
                pieces.append(text[cursor:start])
                in_solution = True
                cursor = end
            elif name == "solution-end" and in_solution:
                in_solution = False
                cursor = end
            elif name == "solution" and not in_solution:
                pieces.append(text[cursor:start])
                cursor = end
        if not in_solution:
            pieces.append(text[cursor:])
        new = "".join(pieces).strip("\n")
        if new.strip():
            cell.source = new
            cells.append(cell)
    out.cells = cells
    return out
