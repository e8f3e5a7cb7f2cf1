"""The one exception the widgets raise for a bad parameter value, and the number check that raises it."""

from __future__ import annotations

import math


class WidgetError(ValueError):
    """A widget was given a parameter it cannot use; the message is one paragraph for the learner."""


def finite(name: str, value: object) -> float:
    """``value`` as a finite float, or a WidgetError that names the parameter ``name``."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise WidgetError(f"{name} must be a number, not {value!r}.") from None
    if not math.isfinite(number):
        raise WidgetError(f"{name} must be a finite number, not {value!r}.")
    return number
