"""Every email Bastion sends, in one place: edit the texts here.

Links carry the token in the URL fragment (`#token=...`), which browsers never send to a server,
so it cannot end up in an access log or a Referer header.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from string import Template

from domain.accounts import User
from domain.mail import MailMessage

PASSWORD_RESET_SUBJECT = Template("Reset your $app_name password")
PASSWORD_RESET_TEXT = Template(
    """Hello $name,

someone asked to reset the password of your $app_name account. If it was you, open this link
within $minutes minutes to choose a new password:

$link

If it was not you, ignore this message: your password stays as it is.
"""
)

EMAIL_VERIFICATION_SUBJECT = Template("Confirm your email address for $app_name")
EMAIL_VERIFICATION_TEXT = Template(
    """Hello $name,

please confirm that this address belongs to your $app_name account by opening this link
within $hours hours:

$link

If you did not create an account, ignore this message.
"""
)


PASSWORD_CHANGED_SUBJECT = Template("Your $app_name password was changed")
PASSWORD_CHANGED_TEXT = Template(
    """Hello $name,

the password of your $app_name account was changed on $when (UTC).

If it was you, there is nothing to do. If it was not, someone else knows or reset your password:
ask for a password reset on $app_name right away, and tell your administrator.
"""
)


REGISTRATION_ATTEMPT_SUBJECT = Template("Someone tried to sign up to $app_name with your address")
REGISTRATION_ATTEMPT_TEXT = Template(
    """Hello $name,

on $when (UTC) someone tried to create a $app_name account with this email address, which already
has one: yours. No new account was made and nothing changed on yours.

If it was you, sign in with your account, or ask for a password reset if you forgot the password.
If it was not, you can ignore this message.
"""
)


NEW_SIGN_IN_SUBJECT = Template("New sign-in to your $app_name account")
NEW_SIGN_IN_TEXT = Template(
    """Hello $name,

your $app_name account was signed in to from a device or browser that had not signed in before:

  when: $when (UTC)
  address: $ip
  browser or app: $user_agent

If it was you, there is nothing to do. If it was not, change your password right away and end the
sessions you do not know on your account's security page.
"""
)


@dataclass(frozen=True, slots=True)
class MailTemplates:
    """Renders the messages with the public address of the service."""

    public_url: str
    app_name: str = "Bastion"

    def _link(self, path: str, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/{path}#token={token}"

    def password_reset(self, user: User, token: str, ttl: timedelta) -> MailMessage:
        minutes = int(ttl.total_seconds() // 60)
        link = self._link("reset-password", token)
        return self._render(user, PASSWORD_RESET_SUBJECT, PASSWORD_RESET_TEXT, minutes=minutes, link=link)

    def password_changed(self, user: User, when: datetime) -> MailMessage:
        return self._render(user, PASSWORD_CHANGED_SUBJECT, PASSWORD_CHANGED_TEXT, when=_utc_minute(when))

    def registration_attempt(self, user: User, when: datetime) -> MailMessage:
        return self._render(user, REGISTRATION_ATTEMPT_SUBJECT, REGISTRATION_ATTEMPT_TEXT, when=_utc_minute(when))

    def new_sign_in(self, user: User, when: datetime, ip: str | None, user_agent: str | None) -> MailMessage:
        details = {"ip": ip or "unknown", "user_agent": _one_line(user_agent or "unknown")}
        return self._render(user, NEW_SIGN_IN_SUBJECT, NEW_SIGN_IN_TEXT, when=_utc_minute(when), **details)

    def email_verification(self, user: User, token: str, ttl: timedelta) -> MailMessage:
        hours = int(ttl.total_seconds() // 3600)
        link = self._link("verify-email", token)
        return self._render(user, EMAIL_VERIFICATION_SUBJECT, EMAIL_VERIFICATION_TEXT, hours=hours, link=link)

    def _render(self, user: User, subject: Template, text: Template, **values: object) -> MailMessage:
        """One message to `user`; every template may use `$app_name` and `$name` besides `values`."""
        names = {"app_name": self.app_name, "name": user.full_name or user.username.value, **values}
        return MailMessage(to=user.email.value, subject=subject.substitute(names), text=text.substitute(names))


def _one_line(text: str, limit: int = 200) -> str:
    """Client-supplied text made safe for a mail body line: printable, one line, bounded."""
    return "".join(char if char.isprintable() else " " for char in text)[:limit]


def _utc_minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
