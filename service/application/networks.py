"""Running commands against a network (its own log in the event store) and reading the
network's cross-workshop views.

A network's log is small and written rarely (an organiser adds a member, forms a group), so
its commands run one at a time per process: catch up on the log, decide, evolve, render the
reply, append with the expected version and the Idempotency-Key's record; another process
that appended first makes it read and decide again.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from typing import Any, NamedTuple

import anyio.to_thread
import msgspec

from service.application.outcomes import Idempotency, IdempotencyMismatch, Reply
from service.application.runner import WorkshopService
from service.clock import Clock
from service.domain import events as e
from service.domain import network as n
from service.domain.errors import Conflict, Forbidden, Invalid, NotFound
from service.domain.state import SessionState, WorkshopState, groups_of
from service.schemas import WorkshopIn
from service.security import derived_id, keyed_hash, new_id
from service.store.base import EventStore, IdempotencyKeyTaken, IdempotencyRecord, LogRewound, VersionConflict
from service.store.job_spec import JobSpec

APPEND_ATTEMPTS = 20
_json = msgspec.json.Encoder()

NetworkRender = Callable[[n.NetworkState], tuple[int, Any]]
NetworkPlan = Callable[[n.NetworkState], n.NetworkCommand]
NetworkSubjects = Callable[[n.NetworkState], tuple[str, ...]]


def new_network_id(secret_key: str, idempotency: Idempotency | None) -> str:
    """A retried create lands on the same network: its id follows from the key."""
    suffix = derived_id(secret_key, "network", idempotency.key) if idempotency else new_id()
    return n.NETWORK_PREFIX + suffix


class NetworkService:
    def __init__(self, store: EventStore, clock: Clock, secret_key: str, reproject: str | None = None) -> None:
        """`reproject`: the job that makes the network's projection again (the wiring names it),
        enqueued when a member organisation is added or renamed, so that the meetings' records
        note whether someone of it came while what people typed exists."""
        self.store = store
        self.clock = clock
        self._secret_key = secret_key
        self._reproject = reproject
        self._states: dict[str, n.NetworkState] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, network_id: str) -> asyncio.Lock:
        return self._locks.setdefault(network_id, asyncio.Lock())

    async def _caught_up(self, network_id: str) -> n.NetworkState:
        state = self._states.pop(network_id, None) or n.NetworkState(id=network_id)
        try:
            recorded = await self.store.read(network_id, state.version)
        except LogRewound:
            state = n.NetworkState(id=network_id)
            recorded = await self.store.read(network_id, 0)
        n.fold(state, recorded)
        self._states[network_id] = state
        return state

    async def state(self, network_id: str) -> n.NetworkState:
        """The network as its log says now."""
        if not n.is_network_id(network_id):
            return n.NetworkState(id=network_id)
        async with self._lock(network_id):
            return await self._caught_up(network_id)

    async def existing(self, network_id: str) -> n.NetworkState:
        state = await self.state(network_id)
        if not state.exists:
            raise NotFound("network", network_id)
        return state

    async def ids(self) -> list[str]:
        ids = await anyio.to_thread.run_sync(self.store.workshops.network_ids)
        return sorted(ids)

    async def execute(
        self,
        network_id: str,
        plan: NetworkPlan,
        render: NetworkRender,
        idempotency: Idempotency | None,
        subjects: NetworkSubjects = lambda _: (),
    ) -> Reply:
        """Run a command once: a retried request gets its first reply, never a second effect.
        `subjects`: the people the reply names, read from the network after the command (a new
        contact person has a new subject), so that its stored copy is erased with them."""
        if not n.is_network_id(network_id):
            raise NotFound("network", network_id)
        async with self._lock(network_id):
            for _ in range(APPEND_ATTEMPTS):
                state = await self._caught_up(network_id)
                if idempotency is not None:
                    record = await self.store.recall(network_id, idempotency.key)
                    if record is not None:
                        return self._replay(record, idempotency)
                events = n.decide(state, plan(state), self.clock.now())
                if not events:
                    return _render(render, state)
                version = state.version
                self._states.pop(network_id, None)  # tentative from here: rebuilt from the log on failure
                n.fold(state, enumerate(events, start=version + 1))
                reply = _render(render, state)
                stored = None
                if idempotency is not None:
                    stored = (idempotency.key, self._record(idempotency, reply, subjects(state)))
                try:
                    await self.store.append(network_id, events, expected_version=version, idempotency=stored)
                except VersionConflict:
                    continue
                except IdempotencyKeyTaken as taken:
                    assert idempotency is not None
                    return self._replay(taken.record, idempotency)
                self._states[network_id] = state
                await self._members_changed(network_id, state.version, events)
                return reply
        raise Conflict("The network is changing too fast; please try again.")

    async def _members_changed(self, network_id: str, version: int, events: list[e.Event]) -> None:
        """A member added or renamed: the projection is made again (its job id names the log
        position, so a retried request enqueues it once)."""
        if self._reproject is None or not any(
            isinstance(event, e.NetworkMemberAdded | e.NetworkMemberChanged) for event in events
        ):
            return
        job = JobSpec(f"{network_id}-{version}-reproject_network", self._reproject, (network_id,))
        await anyio.to_thread.run_sync(self.store.jobs.enqueue, [job])

    def _record(self, idempotency: Idempotency, reply: Reply, subjects: tuple[str, ...]) -> IdempotencyRecord:
        keyed = keyed_hash(self._secret_key, "idempotency", idempotency.fingerprint)
        return IdempotencyRecord(keyed, reply.status, reply.body, tuple(sorted(set(subjects))))

    def _replay(self, record: IdempotencyRecord, idempotency: Idempotency) -> Reply:
        keyed = keyed_hash(self._secret_key, "idempotency", idempotency.fingerprint)
        if not record.erased and not hmac.compare_digest(record.fingerprint, keyed):
            raise IdempotencyMismatch
        return Reply(record.status, record.body)


def _render(how: NetworkRender, state: n.NetworkState) -> Reply:
    status, body = how(state)
    return Reply(status, _json.encode(body))


async def meetings(service: WorkshopService, network_id: str) -> list[WorkshopState]:
    """The network's meetings, oldest first, folded from the workshops' own logs: what every
    cross-workshop view (attendance, groups, carried commitments, the report) is read from."""
    ids = await anyio.to_thread.run_sync(service.store.workshops.ids)
    return n.meetings_of(network_id, [await service.state(workshop_id) for workshop_id in ids])


async def meeting_ids(service: WorkshopService, network_id: str) -> list[str]:
    return [state.id for state in await meetings(service, network_id)]


async def known_network(networks: NetworkService, network_id: str | None) -> None:
    """A workshop may name only a network that exists."""
    if network_id is not None and not (await networks.state(network_id)).exists:
        raise Invalid("network_id", "there is no such network")


async def known_group(networks: NetworkService, workshop: WorkshopState, group_id: str | None) -> None:
    """A session may name only a working group of its workshop's network."""
    if group_id is None:
        return
    network = await networks.state(workshop.network_id) if workshop.network_id else None
    if network is None or group_id not in network.groups:
        raise Invalid("group_id", "there is no such working group in the workshop's network")


class GroupNamed(NamedTuple):
    id: str
    title: str
    network_name: str


async def group_of_session(
    networks: NetworkService, workshop: WorkshopState, session: SessionState
) -> GroupNamed | None:
    """The working group a session is a meeting of (its sign-up page says so), if any."""
    if session.group_id is None or workshop.network_id is None:
        return None
    network = await networks.state(workshop.network_id)
    group = network.groups.get(session.group_id)
    return None if group is None else GroupNamed(group.id, group.title, network.name)


async def groups_of_person(
    networks: NetworkService, service: WorkshopService, workshop_id: str, participant_id: str
) -> list[GroupNamed]:
    """The working groups a participant joined in a workshop and has not left (their personal page)."""
    workshop = await service.state(workshop_id)
    if workshop.network_id is None:
        return []
    network = await networks.state(workshop.network_id)
    return [
        GroupNamed(gid, network.groups[gid].title, network.name)
        for gid in groups_of(workshop, participant_id)
        if gid in network.groups
    ]


def coordinated(only: str | None, data: WorkshopIn) -> WorkshopIn:
    """A network coordinator's (`only`: their network) new workshop is a meeting of their network."""
    if only is None:
        return data
    if data.network_id not in {None, only}:
        raise Forbidden("A network coordinator's workshops stay in their network.")
    return msgspec.structs.replace(data, network_id=only)
