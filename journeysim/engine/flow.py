"""Moving rows through nodes: the door, held rows, leaving a node, moving, arriving, finishing.

Every handler takes a batch of store rows and their exact per-row times; none of them knows
about the SimPy clock. The switches of the pause policy decide what a stopped profile does.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..errors import RunTooLarge
from ..model.graph import EVENT_TYPES, CompiledNode
from ..model.policy import PASS_THROUGH_MODES
from ..schema import EventLike, ReactionNode, WaitNode
from ..units import format_elapsed
from . import store as S
from .moves import duration_ticks, to_ticks
from .recorder import EXIT_REASONS, REASON_CODE, REASONS
from .runtime import JourneyRuntime
from .store import NEVER

LABEL_QUEUED, LABEL_WAITING, LABEL_HELD = 0, 1, 2
CHAIN_DEPTH = 64  # nodes taken on in one step before the rest waits for the next step (bounds the recursion)
UPDATE_AND_JUMP = frozenset({"update_profile", "jump"})
KEEPS_ENTRIES = frozenset({"queue", "requalify"})
_LABEL_OF_STATE = np.full(S.VOID + 1, -1, dtype=np.int8)
_LABEL_OF_STATE[[S.QUEUED, S.READQ]] = LABEL_QUEUED
_LABEL_OF_STATE[S.FROZEN] = LABEL_WAITING
_LABEL_OF_STATE[S.HELD] = LABEL_HELD
_IN_JOURNEY, _OPEN = S.state_table(S.IN_JOURNEY), S.state_table(S.IN_JOURNEY + S.AT_DOOR)


class RowFlow:
    """The part of ``Simulation`` that moves rows; mixed into it."""

    # ================================================================= one step
    def step(self, due: np.ndarray) -> None:
        st = self.store
        t = st.t_next[due]
        state = st.state[due]
        if self.first_entry + self.shortest_timeout <= int(t.max()):  # else no row can have timed out yet
            timed_out = t >= st.t_entry[due] + self.timeout_of[st.journey[due]]  # t_entry is NEVER until entered
            if timed_out.any():
                out = due[timed_out]
                self.finish(out, st.t_entry[out] + self.timeout_of[st.journey[out]], "timeout")
                keep = ~timed_out
                due, t, state = due[keep], t[keep], state[keep]
                if due.size == 0:
                    return
        present = np.bincount(state, minlength=S.VOID + 1)
        for code, handler in ((S.PENDING, self._door), (S.READQ, self._door), (S.QUEUED, self._admit_queued),
                              (S.HELD, self._held_due), (S.ACTIVE, self._leave_all)):
            if present[code] == len(due):
                handler(due, t)
                return
            if present[code]:
                mask = state == code
                handler(due[mask], t[mask])

    def _by_node(self, rows: np.ndarray, t: np.ndarray) -> Iterator[tuple[CompiledNode, np.ndarray, np.ndarray]]:
        nodes = self.store.node[rows]
        if len(rows) and (nodes == nodes[0]).all():
            yield self.nodes[int(nodes[0])], rows, t
            return
        for gid, rows_n, t_n in _groups(nodes, rows, t):
            yield self.nodes[gid], rows_n, t_n

    def _by_journey(self, rows: np.ndarray, t: np.ndarray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        journeys = self.store.journey[rows]
        if len(rows) and (journeys == journeys[0]).all():
            yield int(journeys[0]), rows, t
            return
        for j in np.flatnonzero(np.bincount(journeys, minlength=len(self.runtime))):
            mask = journeys == j
            yield int(j), rows[mask], t[mask]

    # ================================================================= the door
    def _door(self, rows: np.ndarray, t: np.ndarray) -> None:
        st = self.store
        for j, rows_j, t_j in self._by_journey(rows, t):
            runtime = self.runtime[j]
            record = self.recorder.journeys[j]
            fresh = st.state[rows_j] == S.PENDING
            if not self.takes_entries(j):
                st.state[rows_j[fresh]] = S.VOID
                st.t_next[rows_j[fresh]] = NEVER
                if runtime.arrivals_expected is not None:  # arrivals that never happen (a draft's, S10)
                    runtime.arrivals_expected -= int(fresh.sum())
                reading = rows_j[~fresh]
                if reading.size:
                    self.finish(reading, t_j[~fresh], "read_queue")
                continue
            record.arrived += int(fresh.sum())
            if runtime.compiled.spec.nodes[runtime.compiled.spec.start].type != "read_audience":
                self.count_entry_events(t_j[fresh])
            settings = runtime.pause.settings if runtime.pause else None
            closed = (runtime.status == "paused") | (t_j < runtime.reopen_at)
            read_rows = ~fresh
            closed &= fresh | (runtime.status == "paused")
            if settings is not None and settings.entry_while_paused == "enter":
                closed[:] = False
            if closed.any():
                shut, shut_t = rows_j[closed], t_j[closed]
                if settings is not None and settings.entry_while_paused in KEEPS_ENTRIES:
                    st.state[shut] = S.QUEUED
                    st.t_next[shut] = NEVER if runtime.status == "paused" else runtime.reopen_at
                    st.t_state[shut] = shut_t
                else:
                    reason = np.where(read_rows[closed], REASON_CODE["read_queue"], REASON_CODE["paused_entry"])
                    for code in np.unique(reason):
                        pick = reason == code
                        self.finish(shut[pick], shut_t[pick], _reason_name(code))
            if not closed.any():
                self.admit(rows_j, t_j, go_on=True)
            elif not closed.all():
                self.admit(rows_j[~closed], t_j[~closed], go_on=True)

    def _admit_queued(self, rows: np.ndarray, t: np.ndarray) -> None:
        """Queued entries at their moment: entered (S5), or, when the pause re-evaluates entries (V7),
        entered if they still match the entry node's audience and discarded (paused_entry) if not."""
        for j, rows_j, t_j in self._by_journey(rows, t):
            runtime = self.runtime[j]
            if runtime.pause is not None and runtime.pause.settings.entry_while_paused == "requalify":
                start = self.nodes[runtime.compiled.start]
                audience = self.loaded.expressions.get((j, start.node_id, "audience"))
                if audience is not None:
                    match = audience.mask(self.lookup(self.store.profile[rows_j]), len(rows_j))
                    self.finish(rows_j[~match], t_j[~match], "paused_entry")
                    rows_j, t_j = rows_j[match], t_j[match]
                runtime.pause.entered_from_queue += len(rows_j)
            self.admit(rows_j, t_j)

    def admit(self, rows: np.ndarray, t: np.ndarray, go_on: bool = False) -> None:
        """Let rows into their journey's start node at ``t`` (entered). ``go_on`` (only within a step,
        never from a control event): they leave the start node at once, as the next step would."""
        st = self.store
        if rows.size == 0:
            return
        if not (st.journey[rows] == st.journey[rows[0]]).all():
            for _, rows_j, t_j in self._by_journey(rows, t):
                self.admit(rows_j, t_j)
            return
        self._close_intervals(rows, t)
        j = int(st.journey[rows[0]])
        self.recorder.journeys[j].entered += len(rows)
        self.first_entry = min(self.first_entry, int(t.min()))
        start = self.runtime[j].compiled.start
        st.state[rows] = S.ACTIVE
        st.node[rows] = start
        st.t_entry[rows] = t
        if st.event_nodes:
            st.t_node[rows] = t
        st.t_state[rows] = t
        st.t_move[rows] = t
        st.t_next[rows] = t
        if self.recorder.record_events:
            self.recorder.events("entered", t, st.profile[rows], j, start)
        if go_on and self.interacting is None and self.chain_depth < CHAIN_DEPTH and self.timeout_of[j] > 0:  # a zero timeout ends them first
            self.leave(self.nodes[start], rows, t)

    # ================================================================= held rows
    def _held_due(self, rows: np.ndarray, t: np.ndarray) -> None:
        st = self.store
        alarm = (st.t_fire[rows] == t) & (t < st.t_move[rows]) & st.fire_drawn[rows] if st.event_nodes else None
        if alarm is not None and alarm.any():
            self.finish(rows[alarm], t[alarm], "event_while_held")
            rows, t = rows[~alarm], t[~alarm]
        release = st.t_move[rows] == t
        rows, t = rows[release], t[release]
        if rows.size == 0:
            return
        self._close_intervals(rows, t)
        for j, rows_j, t_j in self._by_journey(rows, t):
            self.recorder.held_change(j, t_j, -1)
            if self.recorder.record_events:
                self.recorder.events("released", t_j, st.profile[rows_j], j, st.node[rows_j])
        st.state[rows] = S.ACTIVE
        st.t_state[rows] = t
        st.parked[rows] = False
        if self.policy.event_while_held == "discard_event" and st.event_nodes:
            lost = st.fire_drawn[rows] & (st.t_fire[rows] < t)
            st.t_fire[rows[lost]] = NEVER
        rows, t = self._exit_released(rows, t)
        self._leave_all(rows, t)

    def _exit_released(self, rows: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Released rows matching their journey's exit criteria leave at their release, before what their
        node does (a held send is not sent): the release is their next move, as when live (A14)."""
        journeys = self.store.journey[rows]
        out = np.zeros(len(rows), dtype=bool)
        for j in np.flatnonzero(np.bincount(journeys, minlength=len(self.runtime))).tolist():
            if not self.runtime[j].compiled.exit_criteria:
                continue
            mine = np.flatnonzero(journeys == j)
            out[mine] = self._matches_exit_criteria(j, rows[mine])
        if not out.any():
            return rows, t
        self.finish(rows[out], t[out], "exit_criteria")
        return rows[~out], t[~out]

    def _matches_exit_criteria(self, j: int, rows: np.ndarray) -> np.ndarray:
        lookup = self.lookup(self.store.profile[rows])
        out = np.zeros(len(rows), dtype=bool)
        for expr in self.runtime[j].compiled.exit_criteria:
            out |= expr.mask(lookup, len(rows))
        return out

    def hold(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray, parked: bool = False) -> None:
        """Stop rows at ``node`` until a resume releases them (or, ``parked``, a release_parked: V5)."""
        st = self.store
        if node.is_waiting:  # rows leaving ``node`` are active: counted as waiting only in a waiting node
            self.recorder.add_intervals(node.gid, LABEL_WAITING, st.t_state[rows], t)
        st.state[rows] = S.HELD
        st.parked[rows] = parked
        st.t_state[rows] = t
        st.t_held[rows] = t  # when the profile would have moved on: a held send's delay counts from here
        st.t_move[rows] = NEVER
        deadline = st.t_entry[rows] + self.timeout_of[node.journey]
        if node.is_action and node.next_is_event:
            self._draw_event(self.nodes[node.next], rows, t)
            if self.policy.event_while_held == "discard_profile":
                deadline = np.minimum(deadline, st.t_fire[rows])
        st.t_next[rows] = deadline
        self.recorder.held_change(node.journey, t, +1)
        if self.recorder.record_events:
            self.recorder.events("held", t, st.profile[rows], node.journey, node.gid)

    # ================================================================= leaving a node
    def _leave_all(self, rows: np.ndarray, t: np.ndarray) -> None:
        for node, rows_n, t_n in self._by_node(rows, t):
            self.leave(node, rows_n, t_n)

    def leave(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray) -> None:
        runtime = self.runtime[node.journey]
        if self._stops_here(node, runtime):
            self._at_stop_point(node, runtime, rows, t)
            return
        kind = node.kind
        if node.is_action:
            self._action(node, runtime, rows, t)
        elif kind == "condition":
            self._condition(node, rows, t)
        elif kind == "random_split":
            cumulative = np.cumsum(node.branch_weights)
            u = self.draws.uniform(self.store.profile[rows], self.store.t_entry[rows], node.gid, t)
            pick = np.minimum(np.searchsorted(cumulative / cumulative[-1], u, side="right"), len(cumulative) - 1)
            self.move(node, rows, np.asarray(node.branch_targets)[pick], t)
        elif kind == "update_profile":
            profiles = self.store.profile[rows]
            for name, value in node.spec.set.items():
                self.population.set_values(name, profiles, value)
            self.move(node, rows, node.next, t)
        elif kind == "jump":
            self._jump(node, rows, t)
        elif kind == "end":
            self.finish(rows, t, "end", active_at=node)
        elif kind in EVENT_TYPES and node.gid != runtime.compiled.start:
            targets = np.where(self.store.branch[rows] == 1, node.on_timeout, node.next)
            self.move(node, rows, targets, t)
        else:  # entry node, wait, external data
            self.move(node, rows, node.next, t)

    def _stops_here(self, node: CompiledNode, runtime: JourneyRuntime) -> bool:
        """Does a paused journey stop a profile leaving ``node`` (actions decide in ``_action``)?
        Where they are (S6, V4), or at update-profile and jump nodes too (AJO 2026); in skip and
        exit modes only actions stop anyone."""
        if runtime.status != "paused":
            return False
        if self.policy.stop_point == "anywhere":
            return node.is_action or runtime.pause.settings.mode not in PASS_THROUGH_MODES
        return (self.policy.stop_at_update_and_jump and node.kind in UPDATE_AND_JUMP
                and runtime.pause.settings.mode not in PASS_THROUGH_MODES)

    def _at_stop_point(self, node: CompiledNode, runtime: JourneyRuntime, rows: np.ndarray, t: np.ndarray) -> None:
        """A profile stopped by the pause: discarded in discard mode (P1, V4), the action skipped
        (V3) or skipped and the journey left (exit), or by the org cap once a check found the count
        at or over it (L2), else held (parked in park mode, V5)."""
        mode = runtime.pause.settings.mode
        if mode == "discard":
            self.finish(rows, t, "discard_mode", active_at=node)
        elif mode == "skip":
            self._skip(node, rows, t)
        elif mode == "exit":
            self._count_skipped(node, len(rows))
            self.finish(rows, t, "end", active_at=node)
        elif self.cap_over:
            self.finish(rows, t, "org_cap", active_at=node)
        else:
            self.hold(node, rows, t, parked=mode == "park")

    def _count_skipped(self, node: CompiledNode, count: int) -> None:
        skipped = self.recorder.journeys[node.journey].skipped
        skipped[node.node_id] = skipped.get(node.node_id, 0) + count

    def _skip(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray) -> None:
        """The action is not executed (counted in ``skipped``); the profile moves on at once (V3, V6)."""
        self._count_skipped(node, len(rows))
        self.store.t_held[rows] = NEVER
        if node.next >= 0:
            self.move(node, rows, node.next, t)
        else:
            self.finish(rows, t, "end", active_at=node)

    def _late_sends(self, rows: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Released rows whose send came due (when their hold began) more than ``late_grace`` before now (V6)."""
        if self.policy.late_at_release != "skip":
            return np.zeros(len(rows), dtype=bool)
        grace = to_ticks(self.policy.late_grace, self.res)
        held_at = self.store.t_held[rows]
        return (held_at != NEVER) & (t - held_at > grace)

    def pause_of_hold(self, j: int, rows: np.ndarray) -> Iterator[tuple[object, np.ndarray]]:
        """``(pause record, mask)`` per pause of journey ``j`` in which ``rows`` were held: the last pause
        begun at or before their hold began. A parked profile (V5) can outlive its pause: a later
        release_parked or send belongs to the pause that parked it, not to the journey's latest."""
        pauses = self.recorder.journeys[j].pauses
        if len(pauses) == 1:
            yield pauses[0], np.ones(len(rows), dtype=bool)
            return
        starts = np.array([p.paused_at for p in pauses], dtype=np.int64)
        which = np.searchsorted(starts, self.store.t_held[rows], side="right") - 1
        for i in np.unique(which).tolist():
            yield pauses[i], which == i

    def _action(self, node: CompiledNode, runtime: JourneyRuntime, rows: np.ndarray, t: np.ndarray) -> None:
        st = self.store
        if runtime.exclude is not None:
            match = runtime.exclude.mask(self.lookup(st.profile[rows]), len(rows))
            if match.any():
                self.finish(rows[match], t[match], "global_filter", active_at=node)
                rows, t = rows[~match], t[~match]
        if rows.size == 0:
            return
        if runtime.status == "paused":
            self._at_stop_point(node, runtime, rows, t)
            return
        late = self._late_sends(rows, t)
        if late.any():
            if runtime.pause is not None:
                for record, mine in self.pause_of_hold(node.journey, rows[late]):
                    record.skipped_late += int(mine.sum())
                    record.skipped_rows.append(rows[late][mine])
            self._skip(node, rows[late], t[late])
            rows, t = rows[~late], t[~late]
            if rows.size == 0:
                return
        record = self.recorder.journeys[node.journey]
        allowed = self.business_rules_allow(node, rows, t)
        sent_all, t_sent = (rows, t) if allowed is None else (rows[allowed], t[allowed])
        record.actions[node.node_id] = record.actions.get(node.node_id, 0) + len(sent_all)
        held_send = st.t_held[rows] != NEVER
        if held_send.any() and runtime.pause is not None:
            delivered = held_send if allowed is None else held_send & allowed
            sent, t_sent_held = rows[delivered], t[delivered]
            for record, mine in self.pause_of_hold(node.journey, sent):
                record.send_delays.append(t_sent_held[mine] - st.t_held[sent[mine]])
                record.sent_rows.append(sent[mine])
            st.t_held[rows[held_send]] = NEVER
        if self.recorder.record_events:
            self.recorder.events("action", t_sent, st.profile[sent_all], node.journey, node.gid)
        if node.next >= 0:
            self.move(node, rows, node.next, t)
        else:
            self.finish(rows, t, "end", active_at=node)

    def _condition(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray) -> None:
        lookup = self.lookup(self.store.profile[rows])
        targets = np.full(len(rows), -1, dtype=np.int64)
        undecided = np.ones(len(rows), dtype=bool)
        for target, expr in zip(node.branch_targets, node.branch_exprs):
            hit = undecided if expr is None else undecided & expr.mask(lookup, len(rows))
            targets[hit] = target
            undecided &= ~hit
        self.move(node, rows, targets, t)

    def _jump(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray) -> None:
        if self.store.size + len(rows) > self.row_budget:
            raise RunTooLarge(
                f"journey {self.journeys_c[node.journey].label!r} jumps through {node.node_id!r} to {node.spec.to!r} so often "
                f"that {self.store.size:,} journey entries were made by {format_elapsed(int(t.max()) * self.res)}: more than "
                f"memory holds ({self.row_budget:,}); give the loop a longer wait, an exit, or a shorter duration")
        profiles = self.store.profile[rows].copy()
        self.finish(rows, t, "jump", active_at=node)
        target = self.journey_of_key[node.spec.to]
        start = self.runtime[target].compiled.start
        new = self.store.append(profiles, target, start, S.PENDING, t)
        self.store.t_state[new] = t

    # ================================================================= moving and arriving
    def move(self, leaving: CompiledNode, rows: np.ndarray, targets: np.ndarray | int, t: np.ndarray) -> None:
        """Move rows (active, at ``leaving``) to ``targets`` at ``t``; exit criteria are checked at every move (A14)."""
        st = self.store
        j = int(st.journey[rows[0]])
        if self.runtime[j].compiled.exit_criteria:
            out = self._matches_exit_criteria(j, rows)
            if out.any():
                self.finish(rows[out], t[out], "exit_criteria", active_at=leaving)
                rows, t = rows[~out], t[~out]
                targets = targets if np.isscalar(targets) else targets[~out]
                if rows.size == 0:
                    return
        if leaving.is_waiting:  # an active row is counted in the time series only in a waiting node
            self.recorder.add_intervals(leaving.gid, LABEL_WAITING, st.t_state[rows], t)
            if self.recorder.record_events:
                self.recorder.events("left", t, st.profile[rows], j, leaving.gid)
        if np.isscalar(targets):
            previous_arrival = st.t_node[rows] if self.node_draws_event[targets] else None
        else:
            targets = np.asarray(targets)
            previous_arrival = st.t_node[rows] if self.node_draws_event[targets].any() else None
        if st.event_nodes:
            st.t_node[rows] = t
        st.t_state[rows] = t
        st.node[rows] = targets
        if np.isscalar(targets):
            self.arrive(self.nodes[int(targets)], rows, t, previous_arrival)
        elif previous_arrival is None:
            for gid, rows_n, t_n in _groups(targets, rows, t):
                self.arrive(self.nodes[gid], rows_n, t_n, None)
        else:
            for gid, rows_n, t_n, previous_n in _groups(targets, rows, t, previous_arrival):
                self.arrive(self.nodes[gid], rows_n, t_n, previous_n)

    def arrive(self, node: CompiledNode, rows: np.ndarray, t: np.ndarray, previous_arrival: np.ndarray | None) -> None:
        """Rows reach ``node`` at ``t``; ``previous_arrival`` is when they reached the node before (A2/A4/A6),
        given when ``node`` draws its event from then."""
        st = self.store
        if self.recorder.record_events:
            self.recorder.events("entered", t, st.profile[rows], node.journey, node.gid)
        spec = node.spec
        if isinstance(spec, WaitNode):
            if spec.duration is not None:
                t_move = t + self._durations(spec.duration, node, rows, t)
            else:
                t_move = np.maximum(t, to_ticks(spec.until, self.res))
        elif node.kind == "external_data":
            t_move = t + self._durations(spec.latency, node, rows, t)
        elif node.kind in EVENT_TYPES and node.is_waiting:
            self._draw_event(node, rows, previous_arrival)
            fire = st.t_fire[rows]
            if spec.timeout is not None:
                limit = t + to_ticks(spec.timeout, self.res)
                on_time = fire <= limit
                t_move = np.where(on_time, np.maximum(fire, t), limit)
                st.branch[rows] = np.where(on_time, 0, 1)
            else:
                t_move = np.maximum(fire, t)
                st.branch[rows] = 0
            st.fire_drawn[rows] = False
            st.t_fire[rows] = NEVER
        elif self.interacting is None and self.chain_depth < CHAIN_DEPTH:  # rows of one profile interact: step by step
            # moves on at once: taken on now instead of in the next step. Its t_move and t_next are
            # already ``t`` (it was due at ``t``) and its global timeout lies after ``t`` (step checked)
            self.chain_depth += 1
            try:
                self.leave(node, rows, t)
            finally:
                self.chain_depth -= 1
            return
        else:
            t_move = t
        st.t_move[rows] = t_move
        st.t_next[rows] = np.minimum(t_move, st.t_entry[rows] + self.timeout_of[node.journey])

    def _durations(self, dist, node: CompiledNode, rows: np.ndarray, moment: np.ndarray) -> np.ndarray:
        st = self.store
        if dist.kind == "fixed":
            return duration_ticks(dist, np.empty(len(rows)), None, self.res)
        profiles, entered = st.profile[rows], st.t_entry[rows]
        u = self.draws.uniform(profiles, entered, node.gid, moment, purpose=0)
        v = self.draws.uniform(profiles, entered, node.gid, moment, purpose=1) if dist.needs_two_uniforms else None
        return duration_ticks(dist, u, v, self.res)

    def _draw_event(self, node: CompiledNode, rows: np.ndarray, since: np.ndarray) -> None:
        """Per row: whether the event of ``node`` happens and when (A2/A4/A6 model), drawn once."""
        st = self.store
        fresh = ~st.fire_drawn[rows]
        if not fresh.any():
            return
        rows, since = rows[fresh], since[fresh]
        spec: EventLike | ReactionNode = node.spec
        happens = self.draws.uniform(st.profile[rows], st.t_entry[rows], node.gid, since, purpose=2) < spec.chance
        delay = self._durations(spec.delay, node, rows, since) if spec.delay is not None else 0
        st.t_fire[rows] = np.where(happens, since + delay, NEVER)
        st.fire_drawn[rows] = True

    # ================================================================= leaving the journey
    def finish(self, rows: np.ndarray, t: np.ndarray, reason: str, active_at: CompiledNode | None = None) -> None:
        """Rows exit or are discarded at ``t`` for ``reason``. ``active_at``: the caller knows every row
        is active at that node (in its journey, not held), which spares looking each row up."""
        if rows.size == 0:
            return
        st = self.store
        t = np.broadcast_to(t, rows.shape)
        if active_at is None:
            self._close_intervals(rows, t)
            groups = self._by_journey(rows, t)
        else:
            if active_at.is_waiting:
                self.recorder.add_intervals(active_at.gid, LABEL_WAITING, st.t_state[rows], t)
            groups = [(active_at.journey, rows, t)]
        code = REASON_CODE[reason]
        for j, rows_j, t_j in groups:
            if active_at is None:
                state_j = st.state[rows_j]
                held = state_j == S.HELD
                if held.any():
                    self.recorder.held_change(j, t_j[held], -1)
                entered = _IN_JOURNEY[state_j]
                if entered.any():
                    self.recorder.add_intervals(-1 - j, 0, st.t_entry[rows_j[entered]], t_j[entered])
            else:
                self.recorder.add_intervals(-1 - j, 0, st.t_entry[rows_j], t_j)
            self.recorder.count_reason(j, reason, len(rows_j), t_j if reason == "org_cap" else None)
            event = "exited" if code < len(EXIT_REASONS) else "discarded"
            if self.recorder.record_events:
                nodes = st.node[rows_j] if active_at is None else active_at.gid
                self.recorder.events(event, t_j, st.profile[rows_j], j, nodes, code)
            self.note_exits(j, t_j)
        st.state[rows] = S.DONE
        st.reason[rows] = code
        st.t_next[rows] = NEVER
        st.t_state[rows] = t

    def _close_intervals(self, rows: np.ndarray, t_end: np.ndarray) -> None:
        """Record the time-series interval of each row's current (node, state) ending at ``t_end``."""
        st = self.store
        state = st.state[rows]
        nodes = st.node[rows]
        label = _LABEL_OF_STATE[state]  # active rows count as waiting only in a waiting node
        label[(state == S.ACTIVE) & self.node_waiting[nodes]] = LABEL_WAITING
        keep = label >= 0
        if not keep.any():
            return
        if keep.all():
            starts, ends, key = st.t_state[rows], np.broadcast_to(t_end, rows.shape), nodes * 3 + label
        else:
            starts = st.t_state[rows[keep]]
            ends = np.broadcast_to(t_end, rows.shape)[keep]
            key = nodes[keep] * 3 + label[keep]
        if (key == key[0]).all():
            self.recorder.add_intervals(int(key[0] // 3), int(key[0] % 3), starts, ends)
            return
        for k, starts_k, ends_k in _groups(key, starts, ends):
            self.recorder.add_intervals(k // 3, k % 3, starts_k, ends_k)

    def close_all_open(self) -> None:
        """At the end, count every open interval up to the end of the time series."""
        st = self.store
        n = st.size
        open_rows = np.flatnonzero(_OPEN[st.state[:n]])
        self._close_intervals(open_rows, np.full(len(open_rows), NEVER // 2, dtype=np.int64))
        entered = open_rows[_IN_JOURNEY[st.state[open_rows]]]
        for j, rows_j, _ in self._by_journey(entered, st.t_entry[entered]):
            self.recorder.add_intervals(-1 - j, 0, st.t_entry[rows_j], np.full(len(rows_j), NEVER // 2, dtype=np.int64))

def _groups(keys: np.ndarray, *columns: np.ndarray) -> Iterator[tuple]:
    """``(key, *columns[keys == key])`` for each key present, ascending, rows in their order: one
    stable sort and slices, instead of a mask and copies per key; nothing for no keys."""
    if not len(keys):
        return
    narrow = keys.astype(np.int16) if len(keys) and int(keys.max()) < 1 << 15 else keys  # int16: a radix sort
    order = np.argsort(narrow, kind="stable")
    keys = keys[order]
    columns = [c[order] for c in columns]
    bounds = np.concatenate(([0], np.flatnonzero(keys[1:] != keys[:-1]) + 1, [len(keys)]))
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        yield (int(keys[start]), *(c[start:end] for c in columns))


def _reason_name(code: int) -> str:
    return REASONS[int(code)]
