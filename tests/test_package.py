"""`import kerasrecipes as kr` then `kr.<module>` works for every public module, in a fresh
process (the lazy ones included: `kr.plots` once raised AttributeError)."""

import json
import os
import pkgutil
import re
import subprocess
import sys

import kerasrecipes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def documented_names():
    public = {m.name for m in pkgutil.iter_modules(kerasrecipes.__path__)
              if not m.name.startswith("_")}
    readme = open(os.path.join(ROOT, "README.md")).read() + (kerasrecipes.__doc__ or "")
    mentioned = set(re.findall(r"\bkr\.([a-z_]+)", readme))
    return sorted(public | mentioned)


def test_every_public_module_resolves_in_a_fresh_process():
    names = documented_names()
    assert {"plots", "data", "training", "saving", "recipes"} <= set(names)
    code = ("import json, sys, kerasrecipes as kr\n"
            "out = {}\n"
            "for name in sys.argv[1:]:\n"
            "    try:\n"
            "        out[name] = getattr(kr, name).__name__\n"
            "    except Exception as error:\n"
            "        out[name] = repr(error)\n"
            "print(json.dumps(out))\n")
    result = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True,
                            timeout=180, cwd=ROOT,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ROOT})
    assert result.returncode == 0, result.stderr[-2000:]
    resolved = json.loads(result.stdout.strip().splitlines()[-1])
    wrong = {n: v for n, v in resolved.items() if v != f"kerasrecipes.{n}"}
    assert not wrong, wrong


def test_unknown_attribute_still_raises():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'plot'"):
        kerasrecipes.plot  # noqa: B018
