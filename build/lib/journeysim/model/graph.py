"""Journey graphs: structural checks, and the compiled form the engine moves profiles through.

Nodes of every journey are numbered globally so a profile's place is one integer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..expr import Expression
from ..schema import (
    ACTION_TYPES,
    ConditionNode,
    EventLike,
    Journey,
    JumpNode,
    OtherwiseBranch,
    RandomSplitNode,
    ReactionNode,
    ReadAudienceNode,
    WaitNode,
)

ENTRY_TYPES = frozenset({"event", "audience_qualification", "read_audience"})
EVENT_TYPES = frozenset({"event", "audience_qualification", "reaction"})
WAITING_TYPES = frozenset({"wait", "event", "audience_qualification", "reaction", "external_data"})


def successors(node: Any) -> list[tuple[str, str]]:
    """(field path, target) pairs of the nodes a node can lead to within its journey."""
    out: list[tuple[str, str]] = []
    if isinstance(node, (ConditionNode, RandomSplitNode)):
        for i, branch in enumerate(node.branches):
            if isinstance(branch, OtherwiseBranch):
                out.append((f"branches[{i}].otherwise", branch.otherwise))
            else:
                out.append((f"branches[{i}].next", branch.next))
        return out
    target = getattr(node, "next", None)
    if target is not None:
        out.append(("next", target))
    on_timeout = getattr(node, "on_timeout", None)
    if on_timeout is not None:
        out.append(("on_timeout", on_timeout))
    return out


def structure_problems(journey: Journey, journey_keys: set[str], resolution: float = 1.0) -> list[tuple[tuple, str]]:
    """(key path inside the journey, message) for every structural problem."""
    problems: list[tuple[tuple, str]] = []
    nodes = journey.nodes
    start_ok = journey.start in nodes and nodes[journey.start].type in ENTRY_TYPES
    if journey.start not in nodes:
        problems.append((("start",), f"start node {journey.start!r} is not among the nodes ({', '.join(nodes)})"))
    else:
        start = nodes[journey.start]
        if start.type not in ENTRY_TYPES:
            problems.append((("start",), f"the start node must be an entry ({', '.join(sorted(ENTRY_TYPES))}), "
                                         f"{journey.start!r} is a {start.type}"))
        elif isinstance(start, EventLike) and start.arrivals is None:
            problems.append((("nodes", journey.start, "arrivals"), "an entry event needs 'arrivals' ({rate: ...}, {every: ...}, {file: ...})"))
    for node_id, node in nodes.items():
        where = ("nodes", node_id)
        for field_path, target in successors(node):
            if target not in nodes:
                problems.append((where + tuple(_split(field_path)), f"{target!r} is not a node of journey {journey.key!r}"))
        is_start = node_id == journey.start
        if isinstance(node, ReadAudienceNode) and not is_start:
            problems.append((where + ("type",), "read_audience can only be the start node"))
        if isinstance(node, EventLike) and not is_start:
            if node.arrivals is not None and start_ok:  # with a wrong start, this node may be the intended one
                problems.append((where + ("arrivals",), "only the start node takes 'arrivals'; a later event takes chance, delay, timeout"))
            if node.next is None:
                problems.append((where, "a later event node needs 'next'"))
        if isinstance(node, EventLike) and is_start and node.next is None:
            problems.append((where, "the entry node needs 'next'"))
        if isinstance(node, (EventLike, ReactionNode)) and (node.timeout is None) != (node.on_timeout is None):
            problems.append((where, "'timeout' and 'on_timeout' go together"))
        if isinstance(node, ReactionNode):
            target = nodes.get(node.to)
            if target is None:
                problems.append((where + ("to",), f"{node.to!r} is not a node of journey {journey.key!r}"))
            elif target.type not in ACTION_TYPES:
                problems.append((where + ("to",), f"a reaction reacts to an action node; {node.to!r} is a {target.type}"))
        if isinstance(node, JumpNode) and node.to not in journey_keys:
            problems.append((where + ("to",), f"no journey with key {node.to!r} in this scenario"))
    if not problems:
        cycle = _cycle_without_wait(journey, resolution)
        if cycle:
            why = [f"; {n} waits 'until' a moment, no time at all once it has passed" if nodes[n].until is not None
                   else f"; {n} can last less than the resolution, no time at all" for n in cycle if isinstance(nodes[n], WaitNode)]
            problems.append((("nodes", cycle[0]), "cycle without a wait: " + " -> ".join(cycle + [cycle[0]])
                             + " (a profile would loop forever in no time" + "".join(why) + ")"))
    return problems


def _takes_time(node: Any, resolution: float) -> bool:
    """A wait that surely moves the clock. An 'until' wait does not once its time has passed, nor a
    duration that can round to no tick (0s, or an exponential or lognormal draw): the engine keys each
    draw by profile, node and moment, so a zero draw repeats on every pass and the profile never leaves."""
    return isinstance(node, WaitNode) and node.duration is not None and round(node.duration.minimum / resolution) >= 1


def _split(field_path: str) -> list:
    parts: list = []
    for piece in field_path.split("."):
        if "[" in piece:
            name, index = piece[:-1].split("[")
            parts += [name, int(index)]
        else:
            parts.append(piece)
    return parts


def _cycle_without_wait(journey: Journey, resolution: float = 1.0) -> list[str] | None:
    """A cycle made only of nodes that take no time, or None."""
    instant = [n for n, node in journey.nodes.items() if not _takes_time(node, resolution)]  # in file order
    return find_cycle({n: [t for _, t in successors(journey.nodes[n]) if t in instant] for n in instant})


def find_cycle(graph: dict[Any, list]) -> list | None:
    """One cycle of ``graph`` (node -> successors), in visiting order, or None. Iterative, so a
    journey of any length cannot exhaust the interpreter's stack."""
    color: dict[Any, int] = {}
    for root in graph:
        if root in color:
            continue
        color[root] = 1
        path, iterators = [root], [iter(graph[root])]
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                color[path.pop()] = 2
                iterators.pop()
            elif color.get(step) == 1:
                return path[path.index(step):]
            elif step not in color and step in graph:
                color[step] = 1
                path.append(step)
                iterators.append(iter(graph[step]))
    return None


def jump_loop(journeys: list[Journey], resolution: float = 1.0) -> list[tuple[str, str]] | None:
    """A loop through jumps, over journeys, made only of nodes that take no time: a profile would
    jump round it forever at one instant. Returns it as (journey key, node) pairs, or None.
    A jump enters the last version of its key at its start node, as the engine does."""
    last = {j.key: j for j in journeys}
    graph: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for journey in last.values():
        for node_id, node in journey.nodes.items():
            if _takes_time(node, resolution):
                continue
            targets = [(journey.key, t) for _, t in successors(node)]
            if isinstance(node, JumpNode) and node.to in last:
                targets.append((node.to, last[node.to].start))
            graph[(journey.key, node_id)] = targets
    cycle = find_cycle(graph)
    return cycle if cycle and any(isinstance(last[k].nodes[n], JumpNode) for k, n in cycle) else None


# ---------------------------------------------------------------- compiled form

@dataclass
class CompiledNode:
    gid: int
    journey: int
    node_id: str
    spec: Any
    kind: str
    next: int = -1
    on_timeout: int = -1
    branch_targets: list[int] = field(default_factory=list)
    branch_exprs: list[Expression | None] = field(default_factory=list)
    branch_weights: list[float] = field(default_factory=list)
    is_action: bool = False
    is_waiting: bool = False
    next_is_event: bool = False


@dataclass
class CompiledJourney:
    index: int
    spec: Journey
    label: str
    start: int
    node_gids: dict[str, int]
    exit_criteria: list[Expression]
    action_nodes: list[int]


def compile_graph(journeys: list[Journey], labels: list[str],
                  expressions: dict[tuple, Expression]) -> tuple[list[CompiledJourney], list[CompiledNode]]:
    """Number every node; ``expressions`` maps (journey index, node id, branch index) to a compiled condition."""
    nodes: list[CompiledNode] = []
    compiled: list[CompiledJourney] = []
    for j, journey in enumerate(journeys):
        gids = {}
        for node_id, spec in journey.nodes.items():
            gids[node_id] = len(nodes)
            nodes.append(CompiledNode(len(nodes), j, node_id, spec, spec.type,
                                      is_action=spec.type in ACTION_TYPES,
                                      is_waiting=spec.type in WAITING_TYPES and node_id != journey.start))
        for node_id, spec in journey.nodes.items():
            node = nodes[gids[node_id]]
            if getattr(spec, "next", None) is not None:
                node.next = gids[spec.next]
            if getattr(spec, "on_timeout", None) is not None:
                node.on_timeout = gids[spec.on_timeout]
            if isinstance(spec, ConditionNode):
                for b, branch in enumerate(spec.branches):
                    target = branch.otherwise if isinstance(branch, OtherwiseBranch) else branch.next
                    node.branch_targets.append(gids[target])
                    node.branch_exprs.append(None if isinstance(branch, OtherwiseBranch) else expressions[(j, node_id, b)])
            if isinstance(spec, RandomSplitNode):
                node.branch_targets = [gids[b.next] for b in spec.branches]
                node.branch_weights = [b.weight for b in spec.branches]
        for node_id in journey.nodes:
            node = nodes[gids[node_id]]
            node.next_is_event = node.next >= 0 and nodes[node.next].kind in EVENT_TYPES and not node.is_waiting
        compiled.append(CompiledJourney(
            j, journey, labels[j], gids[journey.start], gids,
            [expressions[(j, "exit_criteria", i)] for i in range(len(journey.exit_criteria))],
            [gids[n] for n, s in journey.nodes.items() if s.type in ACTION_TYPES],
        ))
    return compiled, nodes


def can_reach(nodes: list[CompiledNode], goals: list[bool], jump_start: dict[int, int]) -> list[bool]:
    """Per node: can a profile there still get to a goal node (itself included), following next,
    branches, timeouts and jumps (``jump_start``: jump node gid -> start gid of its target journey)?"""
    predecessors: list[list[int]] = [[] for _ in nodes]
    for node in nodes:
        targets = [node.next, node.on_timeout, *node.branch_targets, jump_start.get(node.gid, -1)]
        for target in targets:
            if target >= 0:
                predecessors[target].append(node.gid)
    reach = list(goals)
    stack = [gid for gid, goal in enumerate(goals) if goal]
    while stack:
        for before in predecessors[stack.pop()]:
            if not reach[before]:
                reach[before] = True
                stack.append(before)
    return reach

