"""Print the exact versions of the current environment as a pip constraints file.

Used by `make constraints` after a change to pyproject.toml. Rewrites the local `+cpu` torch
build to the public version number (the CPU wheel of that version is what gets installed here).
"""
import subprocess
import sys

out = subprocess.run(
    [sys.executable, "-m", "pip", "freeze", "--exclude-editable", "--exclude", "hjlib"],
    check=True, capture_output=True, text=True,
).stdout
print("# Exact, tested versions (Python 3.11, x86_64, CPU). Regenerate with `make constraints`.")
print("# pyproject.toml states ranges; tests/test_pins.py checks that every pin lies inside them.")
for line in sorted(out.splitlines(), key=str.lower):
    line = line.strip()
    if not line or line.startswith("#") or line.startswith("-e") or " @ " in line:
        continue
    name, _, version = line.partition("==")
    version = version.split("+", 1)[0]
    print(f"{name}=={version}")
