"""The public surface: one flat, sorted ``__all__``; no venue and no ccxt at import."""

from __future__ import annotations

import subprocess
import sys
import types

import hedgekit


def test_all_is_sorted_and_complete() -> None:
    assert hedgekit.__all__ == sorted(hedgekit.__all__)
    public = {name for name in dir(hedgekit) if name.isidentifier() and not name.startswith("_")}
    modules = {name for name in public if isinstance(getattr(hedgekit, name), types.ModuleType)}
    assert {"client", "errors", "models"} <= modules
    assert public - modules - {"annotations"} == set(hedgekit.__all__)


def test_every_export_exists() -> None:
    for name in hedgekit.__all__:
        assert getattr(hedgekit, name) is not None


def test_import_loads_neither_ccxt_nor_a_venue() -> None:
    code = (
        "import sys, hedgekit; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('ccxt', 'hedgekit_binance', 'aiohttp')]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_binance_is_registered() -> None:
    assert "binance" in hedgekit.available_venues()


def test_unknown_venue_is_a_configuration_error() -> None:
    try:
        hedgekit.connect("nowhere")
    except hedgekit.ConfigurationError as exc:
        assert "binance" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("connect accepted an unknown venue")


def test_error_str_carries_context() -> None:
    err = hedgekit.ModeChangeBlocked(
        "Position side cannot be changed if there exists position.", venue="binance",
        operation="set_position_mode", code=-4068,
    )
    assert str(err) == "binance set_position_mode [-4068] Position side cannot be changed if there exists position."


def test_transient_split() -> None:
    transient = {c for c in (hedgekit.NetworkError, hedgekit.RateLimited, hedgekit.ExchangeUnavailable, hedgekit.ClockSkew)}
    for cls in (hedgekit.AuthenticationError, hedgekit.OrderRejected, hedgekit.InsufficientMargin,
                hedgekit.ModeChangeBlocked, hedgekit.InvalidRequest, hedgekit.PositionSideMismatch):
        assert not cls.transient
    for cls in transient:
        assert cls.transient
