"""UpdateUser: an administrator changes an account's status, roles or verification."""

from __future__ import annotations

from dataclasses import dataclass

from application.admin.user_action import UserAction, target_of
from application.unit_of_work import UnitOfWork
from domain.accounts import Role, User
from domain.audit import AuditEvent, AuditEventType
from domain.errors import FieldError, ValidationFailedError
from domain.events import RolesChanged, all_access_revoked, api_keys_revoked
from domain.ports.clock import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateUser(UserAction):
    is_active: bool | None = None
    roles: tuple[str, ...] | None = None
    email_verified: bool | None = None


def _parse_roles(raw: tuple[str, ...]) -> frozenset[Role]:
    try:
        roles = frozenset(Role(value) for value in raw)
    except ValueError:
        allowed = ", ".join(role.value for role in Role)
        raise ValidationFailedError([FieldError("roles", f"Each role must be one of: {allowed}.")]) from None
    # Every account is a user; other roles come on top.
    return roles | {Role.USER}


class UpdateUserHandler:
    """Change whether an account is active, its roles and whether its email counts as verified.

    - Needs the `users:manage` permission, checked against the stored account of the caller.
    - Deactivating an account revokes all its sessions; its access tokens die at once.
    - Changing an account's roles revokes its access tokens at once (they carry the old roles, which
      gateways may trust); its sessions go on, and refreshed tokens carry the new roles.
    - Administrators cannot remove their own admin role or deactivate themselves (a conflict).
    - Every account keeps the `user` role.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def handle(self, command: UpdateUser) -> User:
        roles = _parse_roles(command.roles) if command.roles is not None else None
        now = self._clock.now()
        async with self._uow as uow:
            user = await target_of(uow, command)
            changed = user.administer(
                actor_id=command.actor_id,
                is_active=command.is_active,
                roles=roles,
                email_verified=command.email_verified,
                now=now,
            )
            await uow.users.update(user)
            revoked = await uow.sessions.revoke_all_for_user(user.id, now) if not user.is_active else []
            await uow.audit.add(
                AuditEvent.record(
                    AuditEventType.USER_UPDATED_BY_ADMIN,
                    user_id=user.id,
                    context=command.context,
                    now=now,
                    data={"actor_id": command.actor_id, "fields": ",".join(changed), "sessions_revoked": len(revoked)},
                )
            )
            if not user.is_active:
                uow.record(*all_access_revoked(user.id, revoked, now))
                # Its API keys end for good: reactivating the account does not bring them back.
                uow.record(api_keys_revoked(await uow.api_keys.revoke_all_for_user(user.id, now), now))
            elif "roles" in changed:
                uow.record(RolesChanged(user_id=user.id, roles=frozenset(user.roles), occurred_at=now))
            await uow.commit()
        return user
