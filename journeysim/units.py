"""Durations, rates, distributions and attribute generators of the scenario format.

Parsing turns user text into seconds (durations), events per second (rates) and small
frozen objects that know how to draw vectorised samples from a numpy ``Generator``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

MAX_SECONDS = 100 * 365 * 86400.0  # the longest duration a scenario may write; drawn durations are clipped to it

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*")


def parse_duration(value: Any) -> float:
    """Seconds from a number of seconds or a string like ``"2d 6h"``; raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration like '90s', '6h' or '2d 6h', got {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"a duration must be a finite number of seconds >= 0, got {value!r}")
        return float(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a duration like '90s', '6h' or '2d 6h', got {value!r}")
    text = value.strip()
    pos, total = 0, 0.0
    while pos < len(text):
        match = _PART.match(text, pos)
        if not match:
            raise ValueError(f"cannot read duration {value!r}: use parts like '90s', '30m', '6h', '14d'")
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    return total


_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|m|h|d)\s*$")


def parse_rate(value: Any) -> float:
    """Events per second from ``"5000/s"``, ``"20/m"``, ``"1000/h"`` or ``"50000/d"``."""
    if isinstance(value, str):
        match = _RATE.match(value)
        if match:
            rate = float(match.group(1)) / _UNIT_SECONDS[match.group(2)]
            if rate > 0:
                return rate
    raise ValueError(f"expected a positive rate like '5000/s', '20/m', '1000/h' or '50000/d', got {value!r}")


# ---------------------------------------------------------------- writing times for people
#
# Two forms, used by every output (printed summary, report, compare, sweep, refusal messages):
#   an instant, time since the scenario start: ``+{days}d {HH}:{MM}``, ``:{SS}`` only when the seconds
#     are not zero (``+0d 00:30``, ``+1d 06:00``, ``+2d 00:00:15``); with ``start:`` the local date-time
#     follows it: ``+1d 06:00 (2026-11-28 06:00 -05:00)``;
#   a length, written as the scenario writes durations, largest part first, zero parts left out
#     (``1d 6h``, ``23h 30m``, ``1m 30s``, ``0.5s``, ``0s``): ``parse_duration`` reads it back; rounded
#     to the millisecond under a minute, to the second under an hour, to the minute above.


def _split(seconds: float) -> tuple[int, int, int, int]:
    days, rest = divmod(int(seconds), 86400)
    return days, rest // 3600, rest % 3600 // 60, rest % 60


def format_elapsed(seconds: float) -> str:
    """An instant as time since the scenario start: ``+1d 06:00``, ``+0d 00:30``, ``+0d 00:01:30``."""
    sign = "-" if seconds < 0 else "+"
    days, hours, minutes, secs = _split(math.floor(abs(seconds) + 0.5))
    return f"{sign}{days}d {hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def format_rate(per_second: float) -> str:
    """A rate as a scenario writes it, in the first unit that makes it at least 1: ``5,000/s``,
    ``2.5/s``, ``20/m``, ``12/h``; ``0/s`` only for zero."""
    for unit, seconds in (("s", 1), ("m", 60), ("h", 3600), ("d", 86400)):
        value = per_second * seconds
        if value >= 1 or unit == "d" or per_second <= 0:
            break
    value = round(float(value), 2)
    return (f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0")) + f"/{unit}"


def format_duration(seconds: float) -> str:
    """A length of time as a scenario writes it: ``1d 6h``, ``23h 30m``, ``1m 30s``, ``0.25s``, ``0s``.

    Rounded for reading: to the millisecond under a minute, the second under an hour, the minute above.
    """
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    step = 0.001 if seconds < 59.9995 else 1 if seconds < 3599.5 else 60
    millis = round(math.floor(seconds / step + 0.5) * step * 1000)
    days, hours, minutes, secs = _split(millis // 1000)
    fraction = millis % 1000
    parts = [f"{v}{unit}" for v, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if v]
    if secs or fraction:
        parts.append(f"{secs}.{fraction:03d}".rstrip("0") + "s" if fraction else f"{secs}s")
    return sign + (" ".join(parts) or "0s")


format_seconds = format_duration  # the older name, kept for callers that still use it


_ZONE_SUFFIX = re.compile(r"^(?P<when>\S+?)(?:\s+|\[)(?P<zone>[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)*)\]?$")
_DATE_LIKE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name like 'America/New_York' or 'UTC')") from None


def parse_datetime(value: Any, zone: tzinfo | None = None, *, naive_ok: bool = False) -> datetime:
    """A date-time from a YAML date-time, ``2026-11-27T00:00:00-05:00``, ``2026-11-27T09:00 America/New_York``
    or ``2026-11-27T09:00[America/New_York]``; one without an offset or zone takes ``zone``, or stays naive
    with ``naive_ok`` (the caller gives it a zone later), else is refused."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and _DATE_LIKE.match(value) and len(value) <= 80:
        text, named = value.strip(), None
        match = _ZONE_SUFFIX.match(text)
        if match and not match.group("zone").isdigit():
            text, named = match.group("when"), _zone(match.group("zone"))
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"cannot read date-time {value!r}: write it like 2026-11-27T00:00:00-05:00 "
                             "or 2026-11-27T00:00 America/New_York") from None
        if named is not None:
            try:
                when = when.astimezone(named) if when.tzinfo else when.replace(tzinfo=named)
            except OverflowError:  # 0001-01-01T00:00+05:00 America/New_York is before the first date-time
                raise ValueError(f"date-time {value!r} in {named} is outside the years 1 to 9999") from None
    else:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        raise ValueError(f"expected a date-time like 2026-11-27T00:00:00-05:00 or 2026-11-27T00:00 America/New_York, "
                         f"got {shown}")
    if when.tzinfo is None or when.utcoffset() is None:
        if naive_ok and zone is None:
            return when.replace(tzinfo=None)
        if zone is None:
            raise ValueError(f"{value!s} has no offset or zone: write it like 2026-11-27T00:00:00-05:00 "
                             "or 2026-11-27T00:00 America/New_York")
        when = when.replace(tzinfo=zone)
    return when


def parse_start(value: Any) -> datetime:
    """The scenario's calendar start (C1): a date-time, far enough from the calendar's ends (years 1 and 9999)
    that every instant of a run of the longest duration, in UTC and in the start's zone, is a date-time."""
    when = parse_datetime(value)
    try:
        in_utc = when.astimezone(UTC)
        (in_utc + timedelta(seconds=MAX_SECONDS, days=2)).astimezone(when.tzinfo)
    except OverflowError:
        raise ValueError(f"the start {when.isoformat()} is too near the calendar's ends: a run from it (up to 100 years) "
                         "must stay between the years 1 and 9999") from None
    return when


def is_datetime_text(value: Any) -> bool:
    """True for a date-time (a YAML date or date-time, or text starting ``YYYY-MM-DD``), not a duration."""
    return isinstance(value, (datetime, date)) or (isinstance(value, str) and bool(_DATE_LIKE.match(value)))


def seconds_between(start: datetime, when: datetime) -> float:
    """Seconds from ``start`` to ``when``, on the real clock (a daylight-saving change counts as it happens)."""
    try:
        return (when.astimezone(UTC) - start.astimezone(UTC)).total_seconds()
    except OverflowError:  # 9999-12-31T23:59 at -05:00 is past the last UTC date-time: the same count, by offsets
        return ((when.replace(tzinfo=None) - start.replace(tzinfo=None)) - (when.utcoffset() - start.utcoffset())).total_seconds()


def local_time(start: datetime, seconds: float) -> datetime:
    """The date-time ``seconds`` after ``start``, in the start's zone (or offset)."""
    return (start.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(start.tzinfo)


def format_local(when: datetime) -> str:
    """``2026-11-28 06:00 -05:00`` (seconds only when not zero)."""
    offset = when.utcoffset() or timedelta(0)
    sign, minutes = ("-" if offset < timedelta(0) else "+"), int(abs(offset).total_seconds()) // 60
    clock_time = when.strftime("%Y-%m-%d %H:%M") + (f":{when.second:02d}" if when.second else "")
    return f"{clock_time} {sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_instant(seconds: float, start: datetime | None = None) -> str:
    """``+1d 06:00``, or with a scenario start ``+1d 06:00 (2026-11-28 06:00 -05:00)``."""
    elapsed = format_elapsed(seconds)
    if start is None:
        return elapsed
    return f"{elapsed} ({format_local(local_time(start, round(seconds)))})"


def start_of(summary: dict) -> datetime | None:
    """The scenario start a saved summary names (``start`` and ``start_zone``), or None."""
    text = summary.get("start")
    if not text:
        return None
    try:
        when = parse_datetime(text)
        zone = summary.get("start_zone")
        return when.astimezone(_zone(zone)) if zone else when
    except (TypeError, ValueError):  # a summary edited by hand: show elapsed time only
        return None


# ---------------------------------------------------------------- distributions of durations


@dataclass(frozen=True)
class Distribution:
    """A distribution of durations in seconds; ``sample`` returns float seconds."""

    kind: str
    params: tuple[float, ...]
    choices: tuple[tuple[float, float], ...] = ()

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.kind == "fixed":
            return np.full(size, self.params[0])
        if self.kind == "uniform":
            return rng.uniform(self.params[0], self.params[1], size)
        if self.kind == "exponential":
            return rng.exponential(self.params[0], size)
        if self.kind == "lognormal":
            median, sigma = self.params
            return rng.lognormal(math.log(median), sigma, size)
        values = np.array([v for v, _ in self.choices])
        weights = np.array([w for _, w in self.choices])
        return values[rng.choice(len(values), size=size, p=weights / weights.sum())]

    def from_uniforms(self, u: np.ndarray, v: np.ndarray | None = None) -> np.ndarray:
        """Inverse-transform values from uniforms ``u`` (and ``v`` for the lognormal's normal)."""
        if self.kind == "fixed":
            return np.full(len(u), self.params[0])
        if self.kind == "uniform":
            return self.params[0] + (self.params[1] - self.params[0]) * u
        if self.kind == "exponential":
            return -self.params[0] * np.log1p(-u)
        if self.kind == "lognormal":
            median, sigma = self.params
            normal = np.sqrt(-2.0 * np.log1p(-u)) * np.cos(2.0 * np.pi * v)
            with np.errstate(over="ignore"):  # inf for a far tail; callers clip to MAX_SECONDS
                return median * np.exp(sigma * normal)
        values = np.array([value for value, _ in self.choices])
        cumulative = np.cumsum([w for _, w in self.choices])
        index = np.searchsorted(cumulative / cumulative[-1], u, side="right")
        return values[np.minimum(index, len(values) - 1)]

    @property
    def needs_two_uniforms(self) -> bool:
        return self.kind == "lognormal"

    @property
    def mean(self) -> float:
        if self.kind in ("fixed", "exponential"):
            return self.params[0]
        if self.kind == "uniform":
            return (self.params[0] + self.params[1]) / 2
        if self.kind == "lognormal":
            return self.params[0] * math.exp(self.params[1] ** 2 / 2)
        total = sum(w for _, w in self.choices)
        return sum(v * w for v, w in self.choices) / total

    @property
    def minimum(self) -> float:
        if self.kind in ("fixed", "uniform"):
            return self.params[0]
        if self.kind == "choice":
            return min(v for v, _ in self.choices)
        return 0.0


DISTRIBUTION_KINDS = ("fixed", "uniform", "exponential", "lognormal", "choice")


def _weights(mapping: Any, what: str) -> list[tuple[Any, float]]:
    if not isinstance(mapping, dict) or not mapping:
        raise ValueError(f"{what} needs a mapping of value: probability, got {mapping!r}")
    pairs = []
    for key, weight in mapping.items():
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise ValueError(f"{what} probability of {key!r} must be a number >= 0, got {weight!r}")
        pairs.append((key, float(weight)))
    total = sum(w for _, w in pairs)
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ValueError(f"{what} probabilities must sum to 1, they sum to {total:g}")
    return pairs


def _single_kind(value: Any, kinds: tuple[str, ...], what: str) -> tuple[str, Any]:
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError(f"{'an' if what[0] in 'aeiou' else 'a'} {what} is a mapping with one key of {', '.join(kinds)}; got {value!r}")
    (kind, arg), = value.items()
    if kind not in kinds:
        raise ValueError(f"unknown {what} {kind!r} (expected one of {', '.join(kinds)})")
    return kind, arg


def parse_distribution(value: Any) -> Distribution:
    """A duration distribution; a bare duration means ``{fixed: value}``."""
    if not isinstance(value, dict):
        return Distribution("fixed", (parse_duration(value),))
    kind, arg = _single_kind(value, DISTRIBUTION_KINDS, "distribution")
    if kind == "fixed":
        return Distribution("fixed", (parse_duration(arg),))
    if kind == "uniform":
        if not isinstance(arg, list) or len(arg) != 2:
            raise ValueError(f"uniform takes [low, high], got {arg!r}")
        low, high = parse_duration(arg[0]), parse_duration(arg[1])
        if high < low:
            raise ValueError(f"uniform needs low <= high, got [{arg[0]}, {arg[1]}]")
        return Distribution("uniform", (low, high))
    if kind == "exponential":
        if not isinstance(arg, dict) or set(arg) != {"mean"}:
            raise ValueError(f"exponential takes {{mean: DURATION}}, got {arg!r}")
        return Distribution("exponential", (parse_duration(arg["mean"]),))
    if kind == "lognormal":
        if not isinstance(arg, dict) or set(arg) != {"median", "sigma"}:
            raise ValueError(f"lognormal takes {{median: DURATION, sigma: NUMBER}}, got {arg!r}")
        sigma = arg["sigma"]
        if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) or sigma < 0:
            raise ValueError(f"lognormal sigma must be a number >= 0, got {sigma!r}")
        return Distribution("lognormal", (parse_duration(arg["median"]), float(sigma)))
    pairs = _weights(arg, "choice")
    return Distribution("choice", (), tuple((parse_duration(v), w) for v, w in pairs))


# ---------------------------------------------------------------- attribute generators

GENERATOR_KINDS = ("choice", "uniform", "normal", "bernoulli", "constant")


@dataclass(frozen=True)
class AttributeGenerator:
    """How one population attribute is drawn; ``sample`` returns a numpy array."""

    kind: str
    args: Any

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.kind == "choice":
            values, weights = zip(*self.args)
            weights = np.asarray(weights) / sum(weights)
            picks = rng.choice(len(values), size=size, p=weights)
            return np.asarray(values, dtype=object if isinstance(values[0], str) else None)[picks]
        if self.kind == "uniform":
            low, high = self.args
            if isinstance(low, int) and isinstance(high, int):
                return rng.integers(low, high, size, endpoint=True)
            return rng.uniform(low, high, size)
        if self.kind == "normal":
            return rng.normal(self.args[0], self.args[1], size)
        if self.kind == "bernoulli":  # drawn a million at a time: the same numbers, no float array as long as the population
            flags = np.empty(size, dtype=bool)
            for first in range(0, size, 1 << 20):
                last = min(size, first + (1 << 20))
                np.less(rng.random(last - first), self.args, out=flags[first:last])
            return flags
        return np.full(size, self.args, dtype=object if isinstance(self.args, str) else None)


def _number(value: Any, what: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    return value


def _int64_or_float(value: Any) -> Any:
    """A whole number past 64 bits as a float: numpy would hold it as a Python object, which expressions read as
    text ('cannot order text against a number' in the middle of a run) and integer draws refuse."""
    if isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**63:
        return float(value)
    return value


def parse_generator(value: Any) -> AttributeGenerator:
    kind, arg = _single_kind(value, GENERATOR_KINDS, "attribute generator")
    if kind == "choice":
        pairs = _weights(arg, "choice")
        if any(_int64_or_float(v) is not v for v, _ in pairs):
            pairs = [(float(v) if isinstance(v, int) and not isinstance(v, bool) else v, w) for v, w in pairs]
        kinds = {type(v) for v, _ in pairs}
        if kinds == {bool, str}:
            flags = sorted({str(v).lower() for v, _ in pairs if isinstance(v, bool)})
            raise ValueError(f"choice values mix text with {' and '.join(flags)}: YAML reads an unquoted yes/no/on/off "
                             "(NO, Norway's code, too) as true/false; quote it: 'NO'")
        if len(kinds) > 1:
            raise ValueError(f"choice values must all have one type, got {sorted(k.__name__ for k in kinds)}")
        return AttributeGenerator("choice", tuple(pairs))
    if kind == "uniform":
        if not isinstance(arg, list) or len(arg) != 2:
            raise ValueError(f"uniform takes [low, high], got {arg!r}")
        low, high = _number(arg[0], "uniform low"), _number(arg[1], "uniform high")
        if high < low:
            raise ValueError(f"uniform needs low <= high, got {arg!r}")
        if isinstance(low, int) and isinstance(high, int) and _int64_or_float(low) is low and _int64_or_float(high) is high:
            return AttributeGenerator("uniform", (low, high))
        if not math.isfinite(float(high) - float(low)):  # numpy draws only over a finite span: [0, .inf], [-1e308, 1e308]
            raise ValueError(f"uniform needs a finite low and high less than 1.7e308 apart, got {arg!r}")
        low, high = float(low), float(high)
        return AttributeGenerator("uniform", (low, high))
    if kind == "normal":
        if not isinstance(arg, dict) or set(arg) != {"mean", "sd"}:
            raise ValueError(f"normal takes {{mean: NUMBER, sd: NUMBER}}, got {arg!r}")
        mean, sd = _number(arg["mean"], "normal mean"), _number(arg["sd"], "normal sd")
        if sd < 0:
            raise ValueError(f"normal sd must be >= 0, got {sd!r}")
        return AttributeGenerator("normal", (float(mean), float(sd)))
    if kind == "bernoulli":
        p = _number(arg, "bernoulli probability")
        if not 0 <= p <= 1:
            raise ValueError(f"bernoulli probability must be between 0 and 1, got {p!r}")
        return AttributeGenerator("bernoulli", float(p))
    if not isinstance(arg, (str, int, float, bool)):
        raise ValueError(f"constant takes a string, number or boolean, got {arg!r}")
    return AttributeGenerator("constant", _int64_or_float(arg))
