"""Make JupyterLab open the book's MyST-markdown chapters as notebooks (jupytext) by default.

Writes `<prefix>/share/jupyter/lab/settings/overrides.json` (JupyterLab's per-environment
default settings; a user's own settings still win). `make lab` runs it for .venv; Binder runs it
through `postBuild`. Usage: python tools/lab_settings.py [PREFIX]   (default: sys.prefix)
"""
import json
import sys
from pathlib import Path

OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    }
}


def main() -> int:
    prefix = Path(sys.argv[1] if len(sys.argv) > 1 else sys.prefix)
    target = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(target.read_text()) if target.exists() else {}
    current.update(OVERRIDES)
    target.write_text(json.dumps(current, indent=2) + "\n")
    print(f"JupyterLab opens .md chapters as notebooks: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
