"""Contract of AuditLog, and of the audit log lines that units of work write on commit, on every backend."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import timedelta, timezone

import pytest

from application.unit_of_work import UnitOfWork
from domain.audit import AuditEvent, AuditEventType
from domain.ids import new_user_id
from domain.paging import Page
from tests.builders import NOW, a_user, an_audit_event

AUDIT_LOGGER = "bastion.audit"


class _BlockFailedError(Exception):
    pass


async def _recorded(uow: UnitOfWork, *events: AuditEvent) -> None:
    async with uow as tx:
        for event in events:
            await tx.audit.add(event)
        await tx.commit()


async def _all_events(uow: UnitOfWork) -> list[AuditEvent]:
    async with uow as tx:
        events, _ = await tx.audit.search(user_id=None, type_=None, page=Page(limit=100))
    return events


def _audit_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    lines: list[dict[str, object]] = []
    for record in caplog.records:
        if record.name == AUDIT_LOGGER:
            assert record.levelno == logging.INFO
            lines.append(json.loads(record.getMessage()))
    return lines


@pytest.fixture(autouse=True)
def _capture_audit_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)


async def test_added_event_comes_back_field_for_field(uow: UnitOfWork) -> None:
    event = an_audit_event(
        type=AuditEventType.USER_UPDATED_BY_ADMIN,
        user_id=new_user_id(),
        ip="2001:db8::1",
        user_agent="Mozilla/5.0 (Zoë's 🛡 browser)",
        created_at=NOW + timedelta(microseconds=123456),
        data={
            "text": 'Zoë 🛡 «quoted» "and" \\ back\nslash',
            "count": 3,
            "negative": -42,
            "big": 2**53 + 1,
            "yes": True,
            "no": False,
            "nothing": None,
            "empty": "",
        },
    )
    await _recorded(uow, event)

    assert await _all_events(uow) == [event]


async def test_data_values_keep_their_types(uow: UnitOfWork) -> None:
    await _recorded(uow, an_audit_event(data={"flag": True, "zero": 0, "one": 1, "nothing": None, "digits": "1"}))

    [found] = await _all_events(uow)
    assert {key: type(value) for key, value in found.data.items()} == {
        "flag": bool,
        "zero": int,
        "one": int,
        "nothing": type(None),
        "digits": str,
    }


async def test_event_without_user_request_context_or_data_comes_back(uow: UnitOfWork) -> None:
    event = an_audit_event(type=AuditEventType.LOGIN_FAILED, user_id=None, ip=None, user_agent=None, data={})
    await _recorded(uow, event)

    assert await _all_events(uow) == [event]


async def test_created_at_with_another_offset_comes_back_as_the_same_instant(uow: UnitOfWork) -> None:
    await _recorded(uow, an_audit_event(created_at=NOW.astimezone(timezone(timedelta(hours=-5)))))

    [found] = await _all_events(uow)
    assert found.created_at == NOW


async def test_event_of_a_transaction_left_without_commit_is_neither_kept_nor_logged(
    uow: UnitOfWork, caplog: pytest.LogCaptureFixture
) -> None:
    async with uow as tx:
        await tx.audit.add(an_audit_event())

    assert await _all_events(uow) == []
    assert _audit_lines(caplog) == []


async def test_event_of_a_block_that_raises_is_neither_kept_nor_logged(
    uow: UnitOfWork, caplog: pytest.LogCaptureFixture
) -> None:
    async def failing_block() -> None:
        async with uow as tx:
            await tx.audit.add(an_audit_event())
            raise _BlockFailedError

    with pytest.raises(_BlockFailedError):
        await failing_block()

    assert await _all_events(uow) == []
    assert _audit_lines(caplog) == []


async def test_committed_event_is_logged_as_one_json_line(uow: UnitOfWork, caplog: pytest.LogCaptureFixture) -> None:
    user_id = new_user_id()
    event = an_audit_event(
        type=AuditEventType.PASSWORD_CHANGED,
        user_id=user_id,
        ip="198.51.100.4",
        user_agent="curl/8.5\nforged: line",
        created_at=NOW.astimezone(timezone(timedelta(hours=2))) + timedelta(microseconds=5),
        data={"sessions_revoked": 2, "kept_current": True, "reason": None, "note": "Zoë"},
    )
    await _recorded(uow, event)

    audit_records = [record for record in caplog.records if record.name == AUDIT_LOGGER]
    assert len(audit_records) == 1
    assert "\n" not in audit_records[0].getMessage()
    assert _audit_lines(caplog) == [
        {
            "id": event.id,
            "type": "password.changed",
            "user_id": user_id,
            "ip": "198.51.100.4",
            "user_agent": "curl/8.5\nforged: line",
            "created_at": (NOW + timedelta(microseconds=5)).isoformat(),
            "data": {"sessions_revoked": 2, "kept_current": True, "reason": None, "note": "Zoë"},
        }
    ]
    assert _audit_lines(caplog)[0]["created_at"] == "2026-01-01T12:00:00.000005+00:00"


async def test_each_committed_event_is_logged_once_and_only_after_its_commit(
    uow: UnitOfWork, caplog: pytest.LogCaptureFixture
) -> None:
    first, second, dropped = an_audit_event(), an_audit_event(), an_audit_event()

    async with uow as tx:
        await tx.audit.add(first)
        assert _audit_lines(caplog) == []
        await tx.commit()
        await tx.audit.add(second)
        await tx.commit()
        await tx.audit.add(dropped)

    assert [line["id"] for line in _audit_lines(caplog)] == [first.id, second.id]
    assert {event.id for event in await _all_events(uow)} == {first.id, second.id}


async def test_a_commit_without_events_logs_nothing(uow: UnitOfWork, caplog: pytest.LogCaptureFixture) -> None:
    async with uow as tx:
        await tx.users.add(a_user())
        await tx.commit()

    assert _audit_lines(caplog) == []


async def test_search_without_filters_lists_every_event(uow: UnitOfWork) -> None:
    events = [an_audit_event(user_id=new_user_id()), an_audit_event(user_id=None), an_audit_event()]
    await _recorded(uow, *events)

    async with uow as tx:
        found, total = await tx.audit.search(user_id=None, type_=None, page=Page())
    assert {event.id for event in found} == {event.id for event in events}
    assert total == 3


async def test_search_filters_by_user(uow: UnitOfWork) -> None:
    ada, grace = new_user_id(), new_user_id()
    of_ada = [an_audit_event(user_id=ada), an_audit_event(user_id=ada, type=AuditEventType.LOGOUT)]
    await _recorded(uow, *of_ada, an_audit_event(user_id=grace), an_audit_event(user_id=None))

    async with uow as tx:
        found, total = await tx.audit.search(user_id=ada, type_=None, page=Page())
    assert {event.id for event in found} == {event.id for event in of_ada}
    assert total == 2


async def test_search_filters_by_type(uow: UnitOfWork) -> None:
    failures = [
        an_audit_event(type=AuditEventType.LOGIN_FAILED, user_id=new_user_id()),
        an_audit_event(type=AuditEventType.LOGIN_FAILED, user_id=None),
    ]
    await _recorded(uow, *failures, an_audit_event(type=AuditEventType.LOGIN_SUCCEEDED))

    async with uow as tx:
        found, total = await tx.audit.search(user_id=None, type_=AuditEventType.LOGIN_FAILED, page=Page())
    assert {event.id for event in found} == {event.id for event in failures}
    assert total == 2


async def test_search_filters_by_user_and_type_together(uow: UnitOfWork) -> None:
    ada, grace = new_user_id(), new_user_id()
    wanted = an_audit_event(user_id=ada, type=AuditEventType.LOGOUT)
    await _recorded(
        uow,
        wanted,
        an_audit_event(user_id=ada, type=AuditEventType.LOGIN_SUCCEEDED),
        an_audit_event(user_id=grace, type=AuditEventType.LOGOUT),
    )

    async with uow as tx:
        found, total = await tx.audit.search(user_id=ada, type_=AuditEventType.LOGOUT, page=Page())
    assert found == [wanted]
    assert total == 1


async def test_search_finding_nothing_returns_an_empty_page_and_zero(uow: UnitOfWork) -> None:
    await _recorded(uow, an_audit_event(user_id=new_user_id()))

    async with uow as tx:
        assert await tx.audit.search(user_id=new_user_id(), type_=None, page=Page()) == ([], 0)


async def test_search_lists_newest_first_with_ties_by_id_descending(uow: UnitOfWork) -> None:
    oldest = an_audit_event(created_at=NOW - timedelta(days=1))
    newest = an_audit_event(created_at=NOW + timedelta(microseconds=1))
    tied = sorted([an_audit_event(created_at=NOW) for _ in range(3)], key=lambda event: event.id)
    await _recorded(uow, tied[1], oldest, tied[0], newest, tied[2])

    assert [event.id for event in await _all_events(uow)] == [
        newest.id,
        tied[2].id,
        tied[1].id,
        tied[0].id,
        oldest.id,
    ]


async def test_search_compares_instants_whatever_the_offset(uow: UnitOfWork) -> None:
    earlier = an_audit_event(created_at=NOW.astimezone(timezone(timedelta(hours=5))))
    later = an_audit_event(created_at=(NOW + timedelta(minutes=1)).astimezone(timezone(timedelta(hours=-5))))
    await _recorded(uow, earlier, later)

    assert [event.id for event in await _all_events(uow)] == [later.id, earlier.id]


async def test_search_returns_the_requested_page_and_the_count_of_all_matches(uow: UnitOfWork) -> None:
    user_id = new_user_id()
    events = [an_audit_event(user_id=user_id, created_at=NOW + timedelta(minutes=minute)) for minute in range(5)]
    await _recorded(uow, *events, an_audit_event(user_id=new_user_id()))
    newest_first = [event.id for event in reversed(events)]

    async with uow as tx:
        first, first_total = await tx.audit.search(user_id=user_id, type_=None, page=Page(limit=2, offset=0))
        middle, middle_total = await tx.audit.search(user_id=user_id, type_=None, page=Page(limit=2, offset=2))
        last, last_total = await tx.audit.search(user_id=user_id, type_=None, page=Page(limit=2, offset=4))
        beyond, beyond_total = await tx.audit.search(user_id=user_id, type_=None, page=Page(limit=2, offset=10))

    assert [event.id for event in first] == newest_first[0:2]
    assert [event.id for event in middle] == newest_first[2:4]
    assert [event.id for event in last] == newest_first[4:]
    assert beyond == []
    assert first_total == middle_total == last_total == beyond_total == 5


async def test_events_outlive_the_deletion_of_their_user(uow: UnitOfWork) -> None:
    user = a_user()
    registered = an_audit_event(user_id=user.id, type=AuditEventType.USER_REGISTERED)
    deleted = an_audit_event(user_id=user.id, type=AuditEventType.USER_DELETED, created_at=NOW + timedelta(days=1))
    async with uow as tx:
        await tx.users.add(user)
        await tx.audit.add(registered)
        await tx.commit()

    async with uow as tx:
        await tx.users.delete(user.id)
        await tx.audit.add(deleted)
        await tx.commit()

    async with uow as tx:
        assert await tx.users.get(user.id) is None
        assert await tx.audit.search(user_id=user.id, type_=None, page=Page()) == ([deleted, registered], 2)


async def test_forgetting_a_users_personal_data_keeps_the_events_without_ip_and_user_agent(uow: UnitOfWork) -> None:
    ada, grace = new_user_id(), new_user_id()
    adas = [an_audit_event(user_id=ada), an_audit_event(user_id=ada, type=AuditEventType.USER_DELETED)]
    graces = an_audit_event(user_id=grace)
    await _recorded(uow, *adas, graces)

    async with uow as tx:
        changed = await tx.audit.forget_personal_data(ada)
        await tx.commit()

    events = {event.id: event for event in await _all_events(uow)}
    assert changed == 2
    assert [events[event.id] for event in adas] == [replace(event, ip=None, user_agent=None) for event in adas]
    assert events[graces.id] == graces


async def test_purge_deletes_only_the_events_created_before_the_moment(uow: UnitOfWork) -> None:
    old = an_audit_event(created_at=NOW - timedelta(days=400))
    edge = an_audit_event(created_at=NOW - timedelta(days=365))
    recent = an_audit_event(created_at=NOW)
    await _recorded(uow, old, edge, recent)

    async with uow as tx:
        purged = await tx.audit.purge(NOW - timedelta(days=365))
        await tx.commit()

    assert purged == 1
    assert {event.id for event in await _all_events(uow)} == {edge.id, recent.id}
