"""Load one ccxt exchange class without importing all of ccxt.

``import ccxt`` runs ccxt's package ``__init__``, which imports every exchange ccxt has, twice
(synchronous and ``async_support``): about 330 modules and 45 MB before hedgekit has made a single
request. hedgekit needs four of them. When ccxt is not imported yet, :func:`exchange_class`
registers ``ccxt`` and ``ccxt.async_support`` as *lazy* packages: their ``__path__`` is set so
submodules import normally, and their real ``__init__`` runs, in full, the first time anything else
asks the package for an attribute it does not have yet. A program that uses ccxt itself after
hedgekit gets the same modules it would have got (``ccxt.exchanges``, ``ccxt.binance``, ...), only
later. When ccxt is already imported, it is used as it is.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

__all__ = ["exchange_class", "errors_module"]

_LOCK = threading.Lock()
_MACHINERY = frozenset(
    {"__path__", "__file__", "__spec__", "__loader__", "__package__", "__name__", "__cached__",
     "__builtins__", "__getattr__", "__dict__", "__class__"}
)


def _lazy_package(name: str) -> None:
    """Register ``name`` as a package whose ``__init__`` runs on first attribute miss."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        importlib.import_module(name)  # not a plain package: import it the ordinary way
        return
    module = importlib.util.module_from_spec(spec)
    state = {"loaded": False}

    def __getattr__(attr: str) -> Any:
        if attr in _MACHINERY or state["loaded"]:
            raise AttributeError(f"module {name!r} has no attribute {attr!r}")
        with _LOCK:
            if not state["loaded"]:
                state["loaded"] = True
                assert spec.loader is not None
                spec.loader.exec_module(module)  # the real __init__, into this very module
        return module.__dict__[attr] if attr in module.__dict__ else _missing(name, attr)

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = module
    if name == "ccxt":
        # ccxt's own modules do ``from ccxt import BaseError`` (async_support/base/ws): give the lazy
        # package its exception classes up front, as its __init__ would, without the exchanges
        # and the base names it re-exports (``from ccxt import Exchange`` in async_support/base/ws)
        errors = importlib.import_module("ccxt.base.errors")
        for attr in errors.__all__:
            setattr(module, attr, getattr(errors, attr))
        module.errors = errors  # type: ignore[attr-defined]
        rounding = importlib.import_module("ccxt.base.decimal_to_precision")
        for attr in rounding.__all__:
            setattr(module, attr, getattr(rounding, attr))
        for source, attr in (("ccxt.base.exchange", "Exchange"), ("ccxt.base.precise", "Precise"),
                             ("ccxt.base.order_router", "OrderRouter")):
            setattr(module, attr, getattr(importlib.import_module(source), attr))
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


def _missing(name: str, attr: str) -> Any:
    raise AttributeError(f"module {name!r} has no attribute {attr!r}")


def _rebind_classes(package: ModuleType) -> None:
    """Where importing ``pkg.x`` left the submodule on ``pkg.x``, put the class ``x`` back.

    ccxt's ``__init__`` binds ``ccxt.async_support.okx`` to the *class* ``okx``; a bare submodule
    import binds the *module*. Keep what ccxt's users expect.
    """
    for attr, value in list(vars(package).items()):
        if isinstance(value, ModuleType) and value.__name__ == f"{package.__name__}.{attr}":
            cls = getattr(value, attr, None)
            if isinstance(cls, type):
                setattr(package, attr, cls)


def exchange_class(exchange_id: str) -> type[Any]:
    """The ``ccxt.async_support`` exchange class ``exchange_id``, importing only what it needs."""
    if not exchange_id.isidentifier():
        raise ValueError(f"not a ccxt exchange id: {exchange_id!r}")
    with _LOCK:
        _lazy_package("ccxt")
        _lazy_package("ccxt.async_support")
    module = importlib.import_module(f"ccxt.async_support.{exchange_id}")
    package = sys.modules["ccxt.async_support"]
    _rebind_classes(package)
    cls = getattr(module, exchange_id)
    if not isinstance(cls, type):
        raise ValueError(f"ccxt.async_support.{exchange_id} holds no exchange class")
    return cls


def errors_module() -> ModuleType:
    """``ccxt.base.errors`` (the exception classes), without importing every exchange."""
    with _LOCK:
        _lazy_package("ccxt")
    return importlib.import_module("ccxt.base.errors")
