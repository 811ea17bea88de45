"""pyproject.toml (ranges), requirements/constraints.txt and environment.yml (exact pins) agree.

* every package named in pyproject.toml (core and extras) is pinned exactly in environment.yml,
  and every package pinned there is named in pyproject.toml: the same set of packages;
* every pin in environment.yml equals the pin in the constraints file;
* every pin lies inside pyproject.toml's range; jupyter-book stays below 2 and torch is pinned
  to the CPU build that installs here.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def pyproject_requirements() -> dict[str, Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs.extend(extra)
    out: dict[str, Requirement] = {}
    for text in reqs:
        r = Requirement(text)
        name = canonicalize_name(r.name)
        if name == "hjlib":  # self-references between extras
            continue
        assert name not in out or str(out[name].specifier) == str(r.specifier), f"{name} listed twice"
        out[name] = r
    return out


def constraints() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"constraints.txt line is not an exact pin: {line!r}"
        pins[canonicalize_name(m.group(1))] = Version(m.group(2))
    return pins


def environment_pins() -> dict[str, Version]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    pins = {}
    for line in pip_section:
        if line.startswith("-"):  # -e . / -c constraints
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        assert m, f"environment.yml pip entry is not an exact pin: {line!r}"
        pins[canonicalize_name(m.group(1))] = Version(m.group(2))
    return pins


def test_environment_yml_is_python_311_with_pip():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert any(isinstance(d, str) and d.replace(" ", "").startswith("python=3.11") for d in deps)
    assert "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert any(line.startswith("-e .") for line in pip_section), "environment.yml must install hjlib itself"


def test_same_packages_in_pyproject_and_environment():
    assert set(pyproject_requirements()) == set(environment_pins())


def test_every_pin_inside_its_range():
    reqs = pyproject_requirements()
    for source, pins in (("environment.yml", environment_pins()), ("constraints.txt", constraints())):
        for name, req in reqs.items():
            assert name in pins, f"{name} (pyproject.toml) is not pinned in {source}"
            assert req.specifier.contains(pins[name], prereleases=True), (
                f"{source} pins {name}=={pins[name]}, outside pyproject.toml's range {req.specifier}"
            )


def test_environment_and_constraints_agree():
    cons = constraints()
    for name, version in environment_pins().items():
        assert cons.get(name) == version, f"{name}: environment.yml {version} vs constraints {cons.get(name)}"


def test_key_pins():
    cons = constraints()
    assert cons["jupyter-book"] < Version("2"), "Jupyter Book 2 ignores _config.yml/_toc.yml"
    assert cons["torch"] == Version("2.13.0"), "torch must be the CPU build 2.13.0 that installs here"
    req = pyproject_requirements()
    assert not req["jupyter-book"].specifier.contains("2.0.0"), "pyproject must keep jupyter-book<2"
    for name, r in req.items():
        assert not any(s.operator == "==" for s in r.specifier), f"pyproject.toml pins {name} exactly"
