"""The scenario file format (scenario-format.md) as pydantic v2 models.

Every model forbids unknown keys. Durations become seconds, rates events per second and
distributions ``units.Distribution`` objects while validating; the JSON Schema still shows
the text forms a user writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, WithJsonSchema, model_validator

from . import units
from .model.policy import AtStop, EntryWhilePaused, EventWhileHeld, LateAtRelease, PauseEnd, RateScope, StopPoint, WaitClock
from .model.presets import PLATFORMS

_DURATION_SCHEMA = {
    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\s*(\d+(\.\d+)?\s*(ms|s|m|h|d|w)\s*)+$"}],
    "description": "Seconds, or text like '90s', '30m', '6h', '14d', '2d 6h'.",
}
_RATE_SCHEMA = {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*/\s*(s|m|h|d)\s*$",
                "description": "Events per unit of time: '5000/s', '20/m', '1000/h', '50000/d'."}
_DISTRIBUTION_SCHEMA = {
    "anyOf": [
        _DURATION_SCHEMA,
        {"type": "object", "minProperties": 1, "maxProperties": 1,
         "properties": {"fixed": _DURATION_SCHEMA,
                        "uniform": {"type": "array", "items": _DURATION_SCHEMA, "minItems": 2, "maxItems": 2},
                        "exponential": {"type": "object", "properties": {"mean": _DURATION_SCHEMA}, "required": ["mean"]},
                        "lognormal": {"type": "object", "properties": {"median": _DURATION_SCHEMA, "sigma": {"type": "number"}},
                                      "required": ["median", "sigma"]},
                        "choice": {"type": "object", "additionalProperties": {"type": "number"}}},
         "additionalProperties": False},
    ],
    "description": "{fixed: 1h}, {uniform: [1h, 3d]}, {exponential: {mean: 2h}}, {lognormal: {median: 2h, sigma: 0.5}}, {choice: {1h: 0.5, 1d: 0.5}}",
}
_GENERATOR_SCHEMA = {
    "type": "object", "minProperties": 1, "maxProperties": 1,
    "properties": {"choice": {"type": "object"}, "uniform": {"type": "array", "minItems": 2, "maxItems": 2},
                   "normal": {"type": "object", "properties": {"mean": {"type": "number"}, "sd": {"type": "number"}}},
                   "bernoulli": {"type": "number", "minimum": 0, "maximum": 1}, "constant": {}},
    "additionalProperties": False,
}

# Every time is a whole number of resolution ticks in an int64: bounding durations (and the resolution from
# below) keeps ticks far from overflowing, whatever a file says.
MAX_SECONDS = units.MAX_SECONDS
MIN_RESOLUTION = 0.001


def _bounded(seconds: float) -> float:
    if seconds > MAX_SECONDS:
        raise ValueError(f"a duration is at most 100 years (36500d), got {units.format_duration(seconds)}")
    return seconds


def _bounded_distribution(dist: units.Distribution) -> units.Distribution:
    seconds = [v for v, _ in dist.choices] if dist.kind == "choice" else dist.params[:1] if dist.kind == "lognormal" else dist.params
    for value in seconds:
        _bounded(value)
    return dist


Duration = Annotated[float, BeforeValidator(units.parse_duration), AfterValidator(_bounded), WithJsonSchema(_DURATION_SCHEMA)]
_START_SCHEMA = {"type": "string", "description": "C1: the calendar start, an ISO date-time with an offset "
                 "(2026-11-27T00:00:00-05:00) or with a zone name (2026-11-27T00:00 America/New_York)."}
_INSTANT_SCHEMA = {"anyOf": [_DURATION_SCHEMA, {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}",
                                                "description": "A date-time (needs the scenario's start); "
                                                               "without an offset it is in the start's zone."}]}


def _instant(value: object) -> float | datetime:
    """A time since the start (a duration) or a date-time, which the timeline plan converts with ``start`` (C1)."""
    if units.is_datetime_text(value):
        return units.parse_datetime(value, naive_ok=True)
    try:
        seconds = units.parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"{exc}; or a date-time like 2026-11-28T09:00 when the scenario has a start") from None
    return _bounded(seconds)


Start = Annotated[datetime, BeforeValidator(units.parse_start), WithJsonSchema(_START_SCHEMA)]
Instant = Annotated[Union[float, datetime], BeforeValidator(_instant), WithJsonSchema(_INSTANT_SCHEMA)]
Rate = Annotated[float, BeforeValidator(units.parse_rate), WithJsonSchema(_RATE_SCHEMA)]
Dist = Annotated[units.Distribution, BeforeValidator(units.parse_distribution), AfterValidator(_bounded_distribution),
                 WithJsonSchema(_DISTRIBUTION_SCHEMA)]
Generator = Annotated[units.AttributeGenerator, BeforeValidator(units.parse_generator), WithJsonSchema(_GENERATOR_SCHEMA)]
def _not_true_or_false(value: object) -> object:
    """YAML's true and false are not numbers here (pydantic would take them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError(f"should be a number, not {str(value).lower()}")
    return value


def whole(**bounds: int) -> Any:
    """A whole number within ``bounds`` (``ge``, ``le``): the bounds inside, so the JSON Schema keeps them."""
    return Annotated[int, Field(**bounds), BeforeValidator(_not_true_or_false)]


Probability = Annotated[float, Field(ge=0, le=1), BeforeValidator(_not_true_or_false)]
NodeId = Annotated[str, Field(min_length=1)]
Expr = Annotated[str, Field(min_length=1, description="A safe expression over profile attributes.")]
Scalar = Union[bool, int, float, str]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)


# ---------------------------------------------------------------- arrivals and schedules

class PoissonArrivals(Strict):
    rate: Rate = Field(description="Poisson arrivals at this mean rate.")


class RegularArrivals(Strict):
    every: Duration
    count: whole(ge=1) | None = Field(None, description="How many arrivals; unbounded when absent.")
    start: Duration = 0.0


class FileArrivals(Strict):
    file: str = Field(description="CSV with one arrival time per row (seconds, a duration, or with the scenario's start a "
                                  "date-time); relative to the scenario file.")


def _by_key(*pairs: tuple[str, str]):
    """A union discriminator that picks the member by which key is present (one error list, not one per member).

    Tags must differ from the keys a user writes: pydantic puts the tag in an error's location.
    """
    def pick(value: Any) -> str | None:
        if isinstance(value, BaseModel):
            value = value.model_dump()
        if not isinstance(value, dict):
            return pairs[0][1]
        for key, tag in pairs:
            if key in value:
                return tag
        return pairs[0][1]
    return Discriminator(pick)


Arrivals = Annotated[
    Annotated[PoissonArrivals, Tag("poisson")] | Annotated[RegularArrivals, Tag("regular")] | Annotated[FileArrivals, Tag("from_file")],
    _by_key(("rate", "poisson"), ("every", "regular"), ("file", "from_file")),
]


class OnceSchedule(Strict):
    at: Duration


class RecurringSchedule(Strict):
    every: Duration
    start: Duration = 0.0
    count: whole(ge=1) | None = None


# ---------------------------------------------------------------- nodes

class NodeBase(Strict):
    pass


class EventLike(NodeBase):
    """Entry (with ``arrivals``) or later event-like node (with chance/delay/timeout)."""

    next: NodeId | None = None
    arrivals: Arrivals | None = None
    audience: Expr | None = Field(None, description="Only profiles matching it can arrive (entry nodes).")
    reentry: bool = False
    chance: Probability = 1.0
    delay: Dist | None = None
    timeout: Duration | None = None
    on_timeout: NodeId | None = None


class EventNode(EventLike):
    type: Literal["event"]


class QualificationNode(EventLike):
    type: Literal["audience_qualification"]


class ReactionNode(NodeBase):
    type: Literal["reaction"]
    to: NodeId = Field(description="The action node whose message this reacts to.")
    chance: Probability = 1.0
    delay: Dist | None = None
    timeout: Duration | None = None
    next: NodeId | None = None
    on_timeout: NodeId | None = None


class ReadAudienceNode(NodeBase):
    type: Literal["read_audience"]
    audience: Expr = "all"
    schedule: Annotated[
        Annotated[OnceSchedule, Tag("once")] | Annotated[RecurringSchedule, Tag("recurring")],
        _by_key(("at", "once"), ("every", "recurring")),
    ] = OnceSchedule(at=0.0)
    incremental: bool = False
    read_rate: Rate = Field(5000.0, description="Profiles entered per second (model setting, R-rules).")
    next: NodeId


class WaitNode(NodeBase):
    type: Literal["wait"]
    duration: Dist | None = None
    until: Duration | None = Field(None, description="Wait until this time since the scenario start.")
    next: NodeId

    @model_validator(mode="after")
    def _one_of(self) -> WaitNode:
        if (self.duration is None) == (self.until is None):
            raise ValueError("a wait takes exactly one of 'duration' or 'until'")
        return self


class WhenBranch(Strict):
    when: Expr
    next: NodeId


class OtherwiseBranch(Strict):
    otherwise: NodeId


class ConditionNode(NodeBase):
    type: Literal["condition"]
    branches: list[Annotated[
        Annotated[WhenBranch, Tag("when_branch")] | Annotated[OtherwiseBranch, Tag("otherwise_branch")],
        _by_key(("when", "when_branch"), ("otherwise", "otherwise_branch")),
    ]] = Field(min_length=1)

    @model_validator(mode="after")
    def _otherwise_last(self) -> ConditionNode:
        kinds = [isinstance(b, OtherwiseBranch) for b in self.branches]
        if not kinds[-1] or any(kinds[:-1]):
            raise ValueError("condition branches are {when, next} items ending with exactly one {otherwise: NODE}")
        return self


class WeightBranch(Strict):
    weight: Annotated[float, Field(ge=0)]
    next: NodeId


class RandomSplitNode(NodeBase):
    type: Literal["random_split"]
    branches: list[WeightBranch] = Field(min_length=1)

    @model_validator(mode="after")
    def _weights_sum(self) -> RandomSplitNode:
        total = sum(b.weight for b in self.branches)
        if abs(total - 1) > 1e-6:
            raise ValueError(f"random_split weights must sum to 1, they sum to {total:g}")
        return self


class ActionNode(NodeBase):
    type: Literal["action", "content_decision", "custom_action"]
    channel: str = Field("default", min_length=1)
    next: NodeId | None = None


class UpdateProfileNode(NodeBase):
    type: Literal["update_profile"]
    set: dict[str, Scalar] = Field(min_length=1)
    next: NodeId


class JumpNode(NodeBase):
    type: Literal["jump"]
    to: str = Field(description="Key of the journey the profile jumps into.")


class ExternalDataNode(NodeBase):
    type: Literal["external_data"]
    latency: Dist = units.Distribution("fixed", (0.0,))
    next: NodeId


class EndNode(NodeBase):
    type: Literal["end"]


Node = Annotated[
    EventNode | QualificationNode | ReactionNode | ReadAudienceNode | WaitNode | ConditionNode | RandomSplitNode
    | ActionNode | UpdateProfileNode | JumpNode | ExternalDataNode | EndNode,
    Field(discriminator="type"),
]

ACTION_TYPES = frozenset({"action", "content_decision", "custom_action"})


class ExitCriterion(Strict):
    when: Expr


class Journey(Strict):
    key: str = Field(min_length=1)
    version: whole(ge=1) = 1
    name: str | None = None
    global_timeout: Duration = Field(91 * 86400.0, description="L7: a profile exits when its time in the journey reaches it.")
    start: NodeId
    nodes: dict[str, Node] = Field(min_length=1)
    exit_criteria: list[ExitCriterion] = []
    draft: bool = Field(False, description="S10: a draft version takes no entries until a timeline 'publish' "
                                           "(or the sandbox's publish call) makes it live.")

    @property
    def label(self) -> str:
        return f"{self.key}@v{self.version}"


# ---------------------------------------------------------------- org, population, policy

class BusinessRule(Strict):
    """L6: at most ``max`` messages per profile in any rolling window of ``per``, across journeys."""

    channel: str = Field("all", min_length=1,
                         description="The channel of the action nodes it caps; 'all' (the default) caps every action node.")
    max: whole(ge=1, le=1000) = Field(description="Messages allowed per profile in any window of 'per'.")
    per: Duration = Field(gt=0, description="The rolling window: '1d', '12h', '7d'.")


class Org(Strict):
    held_cap: whole(ge=0) = Field(10_000_000, description="L2: held profiles allowed org-wide.")
    cap_check_every: Duration = Field(1800.0, gt=0, description="L2: interval of the held-profile count check.")
    resume_rate: Rate = Field(5000.0, description="R6: held profiles released per second at resume.")
    resume_rate_scope: RateScope = "journey"
    entry_reopen_delay: Duration = Field(60.0, description="R5: entries reopen this long after a resume.")
    max_pause: Duration = Field(14 * 86400.0, gt=0, description="L1/R4: longest pause before the pause end applies.")
    max_live_journeys: whole(ge=1) | None = Field(None, description="L4: live, paused and resuming journey "
                                                                  "versions allowed (finishing ones do not count); a publish over it is refused.")
    events_per_s_quota: Rate | None = Field(None, description="L9: entry events per second the org may receive; "
                                                              "the summary counts the seconds over it.")
    business_rules: list[BusinessRule] = Field([], description="L6: frequency caps per profile across journeys.")


class Population(Strict):
    size: whole(ge=0) | None = None
    file: str | None = Field(None, description="CSV or Parquet, one row per profile; relative to the scenario file.")
    attributes: dict[str, Generator] = {}

    @model_validator(mode="after")
    def _size_or_file(self) -> Population:
        if (self.size is None) == (self.file is None):
            raise ValueError("population takes exactly one of 'size' or 'file'")
        if self.file is not None and self.attributes:
            raise ValueError("a population file brings its own attributes: drop 'attributes'")
        return self


class PolicyOverrides(Strict):
    entry_while_paused: EntryWhilePaused | None = None
    stop_point: StopPoint | None = None
    at_stop: AtStop | None = None
    wait_clock: WaitClock | None = None
    event_while_held: EventWhileHeld | None = None
    pause_end: PauseEnd | None = None
    release_rate_limited: bool | None = None
    stop_at_update_and_jump: bool | None = None
    max_pause: Literal["none"] | Duration | None = Field(None, description="A duration, or none: no limit (V8).")
    late_at_release: LateAtRelease | None = None
    late_grace: Duration | None = Field(None, description="V6: with late_at_release: skip, a held send released more than this "
                                                          "after it came due is skipped.")


# ---------------------------------------------------------------- timeline

class JourneyTarget(Strict):
    """Names journeys the AJO way (``journeys: [..]``) or the SFMC way (``journey`` + version)."""

    journeys: list[str] | None = None
    journey: str | None = None
    version: whole(ge=1) | None = None
    versionNumber: Any = None
    allVersions: Any = None


def _any_case(name: str) -> str:
    """A JSON Schema pattern matching ``name`` in any case (ECMA-262 patterns have no case flag)."""
    return "^" + "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in name) + "$"


_SFMC_PAUSE_BODY_FIELDS = {
    "PausedDays": {"type": "integer", "minimum": 1, "maximum": 14},
    "ExtendWaitEndDates": {"type": "boolean"},
    "GuardrailAction": {"enum": ["Resume", "Stop", "None"]},
    "RetainContactInjectionWhileJourneyPaused": {"type": "boolean"},
    # SFMC's own fields, accepted and ignored (its example sends ProcessWaitUntilEvents and version)
    "id": {}, "Version": {}, "ProcessWaitUntilEvents": {},
}
_SFMC_PAUSE_BODY_SCHEMA = {"anyOf": [{"type": "object", "additionalProperties": False, "properties": _SFMC_PAUSE_BODY_FIELDS,
                                      "patternProperties": {_any_case(name): schema for name, schema in _SFMC_PAUSE_BODY_FIELDS.items()}},
                                     {"type": "null"}],
    "default": None, "description": "SFMC pause request body (S2-S5); field names are read in any case."}


class PauseAction(JourneyTarget):
    mode: AtStop | None = None
    #: checked field by field in model.timeline (with the vendor's own error words); the JSON Schema lists the fields for editors
    body: Annotated[dict[str, Any] | None, WithJsonSchema(_SFMC_PAUSE_BODY_SCHEMA)] = None


class ResumeAction(JourneyTarget):
    pass


class ReleaseParkedAction(JourneyTarget):
    """V5 "send all": profiles parked by an ``at_stop: park`` pause are released at the resume rate."""


class StopAction(JourneyTarget):
    pass


class GlobalFilterAction(Strict):
    journey: str
    version: whole(ge=1) | None = None
    exclude: Expr | None = Field(description="Profiles matching it are removed at action nodes (G2); null deletes the filter.")


class UpdateProfilesAction(Strict):
    where: Expr = "all"
    set: dict[str, Scalar] = Field(min_length=1)


class PublishAction(Strict):
    """S10: version ``version`` of ``journey`` goes live; the version live before it becomes finishing."""

    journey: str = Field(min_length=1)
    version: whole(ge=1)


class ContactExitAction(Strict):
    """SFMC's "remove contacts from journey": the named profiles leave ``journey`` now (every version,
    or only ``version``) with the exit reason ``contact_exit``."""

    journey: str = Field(min_length=1)
    version: whole(ge=1) | None = Field(None, description="Only this version; every version when absent.")
    profiles: list[int] = Field(min_length=1, description="Profile ids (the population's profile_id).")


ACTION_KINDS = ("pause", "resume", "stop", "global_filter", "update_profiles", "release_parked", "publish", "contact_exit")


class TimelineItem(Strict):
    at: Instant
    pause: PauseAction | None = None
    resume: ResumeAction | None = None
    stop: StopAction | None = None
    global_filter: GlobalFilterAction | None = None
    update_profiles: UpdateProfilesAction | None = None
    release_parked: ReleaseParkedAction | None = None
    publish: PublishAction | None = None
    contact_exit: ContactExitAction | None = None

    @model_validator(mode="after")
    def _one_action(self) -> TimelineItem:
        given = [k for k in ACTION_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a timeline item takes 'at' and exactly one of " + ", ".join(ACTION_KINDS)
                             + (f" (got {', '.join(given)})" if given else ""))
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ACTION_KINDS if getattr(self, k) is not None)

    @property
    def action(self) -> Any:
        return getattr(self, self.kind)


class Scenario(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    seed: whole(ge=0) = 0
    platform: Literal[PLATFORMS] = "ajo"  # type: ignore[valid-type]
    start: Start | None = None
    policy: PolicyOverrides = PolicyOverrides()
    duration: Duration = Field(gt=0)
    resolution: Duration = Field(1.0, ge=MIN_RESOLUTION)
    report_every: Duration = Field(300.0, gt=0)
    org: Org = Org()
    population: Population
    journeys: list[Journey] = Field(min_length=1)
    timeline: list[TimelineItem] = []


def json_schema() -> dict:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "journeysim scenario"
    from .importers.in_scenario import import_item_schema

    schema["properties"]["journeys"]["items"] = {"anyOf": [schema["properties"]["journeys"]["items"], import_item_schema()]}
    return schema
