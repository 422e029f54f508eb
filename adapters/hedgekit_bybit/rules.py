"""Bybit v5's own rules on conditional orders and in the simulated engine, each with its source.

:data:`CONDITIONAL` is what hedgekit checks before it sends a conditional order
(:func:`hedgekit.validator.check_conditional`); :func:`engine_rules` is what the simulator's engine
applies (:class:`hedgekit.testing.engine_types.EngineRules`), built from the same values.

Source: BYB = bybit-exchange/docs ``docs/v5`` (``error.mdx``, ``position/trading-stop.mdx``,
``position/leverage.mdx``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hedgekit.adapter import ConditionalRules

if TYPE_CHECKING:
    from hedgekit.testing.engine_types import EngineRules

__all__ = ["CONDITIONAL", "engine_rules"]

CONDITIONAL = ConditionalRules(
    # BYB trading-stop.mdx: "trailingStop: Trailing stop by price distance. Cannot be less than 0,
    # 0 means cancel TS": a distance, with no upper bound published. hedgekit's percent becomes a
    # distance on the tick (wire.trailing_distance); only "greater than zero" applies.
    callback_rate_min=None,
    callback_rate_max=None,
    # BYB error.mdx: 110092 "expect Rising, but trigger_price[XXXXX] <= current[XXXXX]", 110093
    # "expect Falling, but trigger_price[XXXXX] >= current[XXXXX]": a trigger at the price is refused
    trigger_side_checked=True,
    trigger_at_price_refused=True,
    trigger_refusal="110092/110093",
    # BYB trading-stop.mdx: "activePrice: Trailing stop trigger price. Trailing stop will be
    # triggered when this price is reached only": no side rule is documented (UNCONFIRMED), so none
    # is checked; the venue's own refusal, if any, comes back as it is.
    activation_side_checked=False,
)


def engine_rules() -> EngineRules:
    """The engine rules of the Bybit simulator (every rule's source: :class:`EngineRules`)."""
    from hedgekit.testing.engine_types import EngineRules

    return EngineRules.with_conditional(
        CONDITIONAL,  # no callback range: Bybit trails by a price distance (trading-stop.mdx)
        # BYB leverage.mdx: buyLeverage/sellLeverage "[1, max leverage]", no rule against lowering an
        # isolated leg under a position; lowering draws margin from the available balance (the
        # simulator answers error.mdx 110012 "Insufficient available balance." when it cannot,
        # simulator_position.set_leverage). 110011 "Liquidation will be triggered immediately by this
        # adjustment" is the refusal of a change that would liquidate, not of every lowering.
        leverage_reduction_blocked=False,
        mode_blocked_by_orders=True,  # BYB 110028 "You have existing open orders, so the position mode cannot be switched"
        mode_blocked_by_position=True,  # BYB 110024 "You have an existing position, so the position mode cannot be switched"
        # margin mode is account-wide (set-margin-mode); the frontend refuses the switch itself
        # (3400045) before it asks the engine, which then finds nothing open
        margin_type_blocked_by_orders=True,
        margin_type_blocked_by_position=True,
    )
