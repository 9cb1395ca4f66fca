"""API requests become the ``PlannedAction`` objects a YAML timeline produces, through the same
functions (``resolve_targets``, ``pause_settings``) and the same status rules (J1, G1): the
server adds no behaviour of its own. A request that would be refused raises ``Refused`` with
the vendor's answer, before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from ..expr import ExpressionError, compile_expression
from ..model.timeline import SFMC_VERSION_REQUIRED, PlannedAction, _truthy, pause_settings, refuses, resolve_targets, version_targets
from ..schema import ContactExitAction, GlobalFilterAction, JourneyTarget, PauseAction, PublishAction, ResumeAction, StopAction
from .clock import SimRunner


@dataclass
class Refused(Exception):
    """An answer other than success: HTTP status, JSON body, and journeysim's explanation (sent as
    the ``X-Journeysim-Problem`` header, never in the vendor's body)."""

    status: int
    body: dict
    problem: str = ""
    headers: dict = field(default_factory=dict)


def build(runner: SimRunner, kind: str, target: JourneyTarget, platform: str) -> PlannedAction:
    """Resolve ``target`` and the pause settings into a PlannedAction; raise ``ProblemFound`` with
    the first problem the timeline checks find."""
    loaded = runner.loaded
    problems: list = []
    where = ("api", kind)
    index = runner.next_index
    if kind == "global_filter":
        targets = resolve_targets(JourneyTarget(journey=target.journey, version=target.version), loaded.scenario.journeys,
                                  where, platform, problems)
    else:
        targets = resolve_targets(target, loaded.scenario.journeys, where, platform, problems)
    settings = pause_settings(target, where, loaded.scenario, loaded.policy, problems) if kind == "pause" and not problems else None
    if problems:
        raise ProblemFound(problems[0][1], tuple(problems[0][0]))
    return PlannedAction(index, runner.now_tick * runner.res, kind, targets, target, settings)


def build_versioned(runner: SimRunner, kind: str, action) -> PlannedAction:
    """A ``publish`` or ``contact_exit`` as the timeline plans it; ``ProblemFound`` with its first problem."""
    problems: list = []
    targets = version_targets(kind, action, runner.loaded.scenario.journeys, ("api", kind), problems)
    if problems:
        raise ProblemFound(problems[0][1], tuple(problems[0][0]))
    return PlannedAction(runner.next_index, runner.now_tick * runner.res, kind, targets, action)


class ProblemFound(Exception):
    def __init__(self, message: str, where: tuple):
        super().__init__(message)
        self.message, self.where = message, where

    @property
    def version_required(self) -> bool:
        return self.message == SFMC_VERSION_REQUIRED


def wrong_status(runner: SimRunner, step: PlannedAction) -> list[tuple[int, str]]:
    """The targets whose status refuses the action, with that status: the timeline's own rule
    (``model.timeline.refuses``), so a finishing version can be paused and ``allVersions`` passes
    over drafts, as in a YAML timeline."""
    every = _truthy(getattr(step.action, "allVersions", None))
    return [(j, runner.sim.runtime[j].status) for j in step.targets if refuses(step.kind, runner.sim.runtime[j].status, every)]


def commit(runner: SimRunner, step: PlannedAction, expression=None) -> None:
    """Run a checked action now; it takes the next timeline index, where the engine looks for a
    global filter's expression."""
    assert step.index == runner.next_action_index()
    if expression is not None:
        runner.loaded.expressions[("timeline", step.index)] = expression
        runner.sim.add_outside_filter(expression)
    runner.apply(step)


def _build(model, **values):
    """The timeline action a call asks for; a value the scenario format refuses is a ProblemFound, never a 500."""
    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ProblemFound(f"{'.'.join(str(p) for p in first['loc']) or 'body'}: {first['msg']}", tuple(first["loc"])) from None


def pause_action(key: str, *, version: int | None = None, all_versions: bool | None = None, mode: str | None = None,
                 body: dict | None = None) -> PauseAction:
    return _build(PauseAction, journey=key, versionNumber=version, allVersions=all_versions, mode=mode, body=body or None)


def resume_action(key: str, *, version: int | None = None, all_versions: bool | None = None) -> ResumeAction:
    return _build(ResumeAction, journey=key, versionNumber=version, allVersions=all_versions)


def stop_action(key: str, *, version: int | None = None, all_versions: bool | None = None) -> StopAction:
    return _build(StopAction, journey=key, versionNumber=version, allVersions=all_versions)


def publish_action(key: str, version: int | None) -> PublishAction:
    return _build(PublishAction, journey=key, version=version)


def contact_exit_action(key: str, version: int | None, profiles: list[int]) -> ContactExitAction:
    return _build(ContactExitAction, journey=key, version=version, profiles=profiles)


def global_filter_action(runner: SimRunner, key: str, version: int | None, exclude: str | None):
    """The action and its compiled expression (None deletes the filter)."""
    action = _build(GlobalFilterAction, journey=key, version=version, exclude=exclude)
    if exclude is None:
        return action, None
    kinds = runner.loaded.attribute_kinds
    try:
        return action, compile_expression(exclude, kinds, kinds=kinds)
    except ExpressionError as exc:
        raise ProblemFound(f"bad expression {exclude!r}: {exc}", ("exclude",)) from None
