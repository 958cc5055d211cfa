"""Lazy public names for a package ``__init__`` (PEP 562), so that importing a package does not
import scipy.stats, statsmodels or matplotlib until a name that needs them is used.

Examples
--------
>>> getattr_, dir_ = attach("json", {"dumps": "json", "decoder": None}, globals())
>>> getattr_("dumps")([1])
'[1]'
>>> getattr_("decoder").__name__
'json.decoder'
>>> getattr_("nope")
Traceback (most recent call last):
...
AttributeError: module 'json' has no attribute 'nope'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping


def attach(package: str, names: Mapping[str, str | None],
           namespace: MutableMapping) -> tuple[Callable, Callable]:
    """``__getattr__`` and ``__dir__`` for ``package`` whose public ``names`` map to the module
    defining each (``None``: the name is the submodule ``f"{package}.{name}"`` itself). A loaded
    name is stored in ``namespace`` (the package's ``globals()``), so the lookup runs once per
    name."""

    def __getattr__(name: str):
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = names[name]
        if module is None:
            value = importlib.import_module(f"{package}.{name}")
        else:
            value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
