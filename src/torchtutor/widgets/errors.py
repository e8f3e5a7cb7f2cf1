"""The one exception the widgets raise for a bad parameter value."""

from __future__ import annotations


class WidgetError(ValueError):
    """A widget was given a parameter it cannot use; the message is one paragraph for the learner."""
