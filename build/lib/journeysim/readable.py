"""Names and numbers for people on the sweep and compare pages: titles instead of keys, lengths as
durations, counts with thousands separators (never ``1.439e+04``), and which swept values are categories."""

from __future__ import annotations

import math
from typing import Any

from .units import format_duration, parse_duration, parse_rate

#: what each key figure of a run is called on a page
TITLES = {
    "arrived": "Profiles arrived",
    "entered": "Profiles entered",
    "actions": "Actions executed",
    "held_peak": "Held at the peak (org-wide)",
    "drain_s": "Longest resume drain",
    "send_delay_max_s": "Latest held send, delay",
    "org_cap": "Dropped by the org cap",
    "discarded": "Discarded, every reason",
    "cap_exceeded_checks": "Cap checks at or over the cap",
}


def number_format():
    """A tick formatter with thousands separators and no scientific notation or offset (matplotlib
    is imported here, not with this module: a sweep loads it only to draw)."""
    import matplotlib.ticker

    return matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:,.15g}")


def title(key: str) -> str:
    """``drain_s`` -> 'Longest resume drain'; ``discarded.org_cap`` -> 'Discarded: org cap'; ``j.held_peak`` -> 'j: Held ...'."""
    if key in TITLES:
        return TITLES[key]
    head, _, rest = key.rpartition(".")
    if head in ("exited", "discarded"):
        return f"{head.capitalize()}: {rest.replace('_', ' ')}"
    if head and rest in TITLES:
        return f"{head}: {TITLES[rest]}"
    return key.replace("_", " ")


def is_time(key: str) -> bool:
    """A figure measured in seconds (its key ends in ``_s``, or in ``(s)`` on the compare page)."""
    return key.endswith("_s") or key.endswith("(s)")


def format_count(value: Any) -> str:
    """``14390`` -> '14,390'; ``2.5`` -> '2.5'; empty for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() or abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def format_figure(key: str, value: Any) -> str:
    """A value of figure ``key``: a duration for times, a count otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return format_duration(float(value)) if is_time(key) else format_count(value)


def _is_quantity(text: Any) -> bool:
    if isinstance(text, bool):
        return False
    if isinstance(text, (int, float)):
        return True
    for parse in (float, parse_duration, parse_rate):
        try:
            parse(text)
            return True
        except (TypeError, ValueError):
            continue
    return False


def is_categorical(values: list) -> bool:
    """True when the swept values are names (hold, discard) rather than numbers, durations or rates."""
    return not all(_is_quantity(v) for v in values)
