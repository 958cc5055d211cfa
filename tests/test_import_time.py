"""A fast start (issue 13 item 8), tested as behaviour rather than timing: importing the package
and building the command-line parser load no heavy module, while every public name still
resolves to the object its module defines. Timings live in benchmarks/bench_import.py."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

HEAVY = ["scipy.stats", "statsmodels", "matplotlib", "seaborn", "pingouin", "patsy"]
PACKAGES = ["barotrend", "barotrend.design", "barotrend.figures", "barotrend.weighting"]


def loaded_after(code: str) -> list[str]:
    """The heavy modules (and pandas, numpy) a fresh interpreter holds after running code."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules))) \n"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.splitlines()[-1]
    mods = set(json.loads(out))
    return [m for m in [*HEAVY, "pandas", "numpy"] if m in mods]


def test_import_barotrend_loads_no_heavy_module():
    assert loaded_after("import barotrend") == []


@pytest.mark.parametrize("package", PACKAGES[1:])
def test_import_subpackage_loads_no_heavy_module(package):
    assert not set(loaded_after(f"import {package}")) & set(HEAVY)


def test_help_and_usage_error_load_nothing_heavy():
    # what `barotrend --help` and an argparse error run before exiting: the parser alone
    assert loaded_after("import barotrend.cli as c\nc._parser()") == []
    # reading the figures (datasets, validation) needs pandas but not scipy.stats or statsmodels
    assert not set(loaded_after("import barotrend.datasets")) & set(HEAVY)


def test_public_names_resolve_lazily_to_their_modules():
    for package in PACKAGES:
        mod = importlib.import_module(package)
        assert set(mod.__all__) == set(mod._LAZY), package
        assert set(mod.__all__) <= set(dir(mod)), package
        for name in mod.__all__:
            value = getattr(mod, name)
            where = mod._LAZY[name]
            if where is None:
                assert value is importlib.import_module(f"{package}.{name}")
            else:
                assert value is getattr(importlib.import_module(where), name), (package, name)


def test_from_imports_and_star_import():
    from barotrend import Design, proportion_ci
    from barotrend.design import Design as D2
    from barotrend.weighting import rake

    assert Design is D2 and callable(proportion_ci) and callable(rake)
    ns: dict = {}
    exec("from barotrend import *", ns)
    import barotrend

    assert {n for n in ns if not n.startswith("__")} == set(barotrend.__all__)


def test_unknown_name_is_a_clear_attribute_error():
    import barotrend

    with pytest.raises(AttributeError, match="module 'barotrend' has no attribute 'Desing'"):
        barotrend.Desing  # noqa: B018
    with pytest.raises(ImportError, match="Desing"):
        exec("from barotrend.design import Desing", {})
    assert not hasattr(barotrend, "Desing")


def test_cli_default_data_is_the_datasets_default():
    from barotrend import cli, datasets

    assert cli.DEFAULT_DATA == datasets.DEFAULT


def test_help_marks_the_microdata_options_required_with_microdata():
    from barotrend import cli

    text = " ".join(cli._parser()._subparsers._group_actions[0].choices["report"]
                    .format_help().split())
    assert "--wave COL wave column (required with --microdata)" in text
    assert "--items A,B outcome columns, comma-separated (required with --microdata)" in text
    assert "--microdata FILE needs --wave COL and --items A,B" in text


def test_a_function_named_like_its_submodule_stays_the_function():
    # importing a submodule binds it on its package: a public function of the same name
    # (figures.grim) must not be shadowed, whatever imported the submodule first
    import importlib.util

    clashes = []
    for package in PACKAGES:
        mod = importlib.import_module(package)
        for name, where in mod._LAZY.items():
            sub = f"{package}.{name}"
            if where is not None and importlib.util.find_spec(sub) is not None:
                clashes.append((package, name, sub))
    assert ("barotrend.figures", "grim", "barotrend.figures.grim") in clashes
    for package, name, sub in clashes:
        code = (f"import sys, types, {sub}, {package} as p\n"
                f"assert not isinstance(p.{name}, types.ModuleType), p.{name}\n"
                f"assert p.{name} is sys.modules[{sub!r}].{name}")
        subprocess.run([sys.executable, "-c", code], check=True)
