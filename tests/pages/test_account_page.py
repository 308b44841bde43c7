"""The account page (/account) in a real browser: each section used as a person would, its outcome
checked through the JSON API."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pyotp
from playwright.sync_api import expect

from tests.pages.conftest import PASSWORD, Bastion, Tab
from tests.pages.signed_in import (
    alert,
    api_get,
    log_in,
    new_account,
    open_account_page,
    section,
    status,
)

NEW_PASSWORD = "Quiet-Lantern-47"


def test_without_tokens_the_account_page_sends_to_sign_in(tab: Tab, bastion: Bastion) -> None:
    page = tab.open("/account")
    expect(page).to_have_url(f"{bastion.base}/login")


def test_the_profile_shows_the_account_and_signing_out_ends_the_session(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion)
    page = open_account_page(tab, account)
    profile = section(page, "Profile")
    expect(profile).to_contain_text(account.email)
    expect(profile).to_contain_text(account.username)
    expect(profile).to_contain_text("Not confirmed yet")
    profile.get_by_role("button", name="Send the confirmation mail again").click()
    expect(status(page)).to_have_text("A new confirmation link is on its way: check your mailbox.")

    profile.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{bastion.base}/login")
    assert page.evaluate("() => sessionStorage.length") == 0
    refresh = httpx.post(f"{bastion.base}/auth/refresh", json={"refresh_token": account.tokens["refresh_token"]})
    assert refresh.status_code == 401


def test_signing_out_everywhere_ends_every_session(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion)
    other = log_in(bastion, account.email, PASSWORD).json()
    page = open_account_page(tab, account)
    section(page, "Sessions").get_by_role("button", name="Sign out everywhere").click()
    expect(page).to_have_url(f"{bastion.base}/login")
    assert page.evaluate("() => sessionStorage.length") == 0
    assert httpx.get(f"{bastion.base}/auth/me", headers=bearer(other)).status_code == 401


def test_a_session_ended_elsewhere_sends_the_page_to_sign_in(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion)
    page = open_account_page(tab, account)
    assert httpx.post(f"{bastion.base}/auth/logout-all", headers=account.bearer).status_code == 204
    section(page, "Sessions").get_by_role("button", name="End all other sessions").click()
    expect(page).to_have_url(f"{bastion.base}/login")


def test_the_sessions_are_listed_and_the_others_can_be_ended(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion, "sam")
    tablet = log_in(bastion, account.email, PASSWORD, user_agent="Tablet browser 1.0").json()
    phone = log_in(bastion, account.email, PASSWORD, user_agent="Phone browser 2.0").json()
    page = open_account_page(tab, account)
    sessions = section(page, "Sessions").get_by_role("listitem")
    expect(sessions).to_have_count(3)
    expect(sessions.filter(has_text="This device")).to_have_count(1)
    expect(sessions.filter(has_text="This device").get_by_role("button", name="End session")).to_have_count(0)
    assert tab.unlabelled_inputs() == []
    tab.screenshot("account")

    sessions.filter(has_text="Tablet browser 1.0").get_by_role("button", name="End session").click()
    expect(status(page)).to_have_text("That session has ended.")
    expect(sessions).to_have_count(2)
    assert httpx.get(f"{bastion.base}/auth/me", headers=bearer(tablet)).status_code == 401

    section(page, "Sessions").get_by_role("button", name="End all other sessions").click()
    expect(status(page)).to_have_text("Every other session has ended.")
    expect(sessions).to_have_count(1)
    expect(sessions).to_contain_text("This device")
    assert httpx.get(f"{bastion.base}/auth/me", headers=bearer(phone)).status_code == 401
    assert api_get(bastion, "/auth/me", account).status_code == 200


def test_the_account_page_fits_a_phone(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion, "phoebe")
    page = open_account_page(tab, account)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(section(page, "Delete account").get_by_role("button", name="Delete my account")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    tab.screenshot("account-phone")


def test_changing_the_password_shows_errors_at_their_fields_then_succeeds(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion, "paula")
    page = open_account_page(tab, account)
    form = section(page, "Change password")
    current = form.get_by_label("Current password")
    new = form.get_by_label("New password", exact=True)
    again = form.get_by_label("New password, again")
    current.fill(PASSWORD)
    new.fill("short")
    again.fill("short")
    form.get_by_role("button", name="Change password").click()
    expect(new).to_have_attribute("aria-invalid", "true")
    expect(new).to_have_accessible_description(re.compile(r"\w"))
    expect(alert(page)).to_be_visible()
    assert tab.unlabelled_inputs() == []
    tab.screenshot("account-password-error")

    new.fill(NEW_PASSWORD)
    again.fill(f"{NEW_PASSWORD}x")
    form.get_by_role("button", name="Change password").click()
    expect(again).to_have_accessible_description("The two new passwords differ.")
    expect(new).not_to_have_attribute("aria-invalid", "true")

    current.fill("Not-The-Password-1")
    again.fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(current).to_have_attribute("aria-invalid", "true")

    current.fill(PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(status(page)).to_have_text("Your password has been changed, and your other sessions have ended.")
    expect(current).to_have_value("")
    assert log_in(bastion, account.email, NEW_PASSWORD).status_code == 200
    assert log_in(bastion, account.email, PASSWORD).status_code == 401


def test_totp_enrollment_shows_the_qr_code_and_the_recovery_codes_and_turns_off(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion, "tom")
    page = open_account_page(tab, account)
    two_factor = section(page, "Two-factor authentication")
    expect(two_factor).to_contain_text("The authenticator app is off.")
    setup = two_factor.get_by_role("form", name="Set up an authenticator app")
    setup.get_by_label("Password").fill(PASSWORD)
    setup.get_by_role("button", name="Set up").click()

    qr_code = two_factor.get_by_role("img", name="QR code to add this account to an authenticator app")
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("(img) => img.complete && img.naturalWidth > 0")
    secret = page.locator("#totp-secret").inner_text()
    assert tab.unlabelled_inputs() == []
    tab.screenshot("account-totp")
    confirm = two_factor.get_by_role("form", name="Scan the code")
    confirm.get_by_label("Code from the app").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    confirm.get_by_role("button", name="Turn on").click()
    expect(confirm.get_by_label("Code from the app")).to_have_attribute("aria-invalid", "true")
    confirm.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    confirm.get_by_role("button", name="Turn on").click()

    codes = two_factor.get_by_role("region", name="Your recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(two_factor).to_contain_text("Save these codes now")
    expect(two_factor).to_contain_text("The authenticator app is on. Recovery codes left: 10.")
    expect(qr_code).to_be_hidden()
    tab.screenshot("account-recovery-codes")
    assert api_get(bastion, "/auth/mfa", account).json()["totp"] is True

    renew = two_factor.get_by_role("form", name="New recovery codes")
    renew.get_by_label("Password").fill(PASSWORD)
    renew.get_by_label("Code from the app, or a recovery code").fill(codes.first.inner_text())
    renew.get_by_role("button", name="Make new recovery codes").click()
    expect(status(page)).to_contain_text("You have new recovery codes")
    expect(codes).to_have_count(10)

    turn_off = two_factor.get_by_role("form", name="Turn off the authenticator app")
    turn_off.get_by_label("Password").fill(PASSWORD)
    turn_off.get_by_label("Code from the app, or a recovery code").fill(codes.nth(3).inner_text())
    turn_off.get_by_role("button", name="Turn off").click()
    expect(status(page)).to_contain_text("The authenticator app is off")
    expect(two_factor.get_by_role("form", name="Set up an authenticator app")).to_be_visible()
    assert api_get(bastion, "/auth/mfa", account).json()["totp"] is False


def test_passkeys_are_added_renamed_and_removed(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion, "kay")
    page = open_account_page(tab, account)
    tab.add_authenticator()
    passkeys = section(page, "Passkeys")
    expect(passkeys.get_by_text("No passkeys yet.")).to_be_visible()
    add = passkeys.get_by_role("form", name="Add a passkey")
    add.get_by_label("Password").fill(PASSWORD)
    add.get_by_label("Name (optional)").fill("Work laptop")
    add.get_by_role("button", name="Add a passkey").click()
    expect(status(page)).to_have_text("The passkey “Work laptop” is added.")
    laptop = passkeys.get_by_role("listitem").filter(has_text="Work laptop")
    expect(laptop).to_be_visible()
    tab.screenshot("account-passkeys")

    # By keyboard: the button opens the field, focused, and Enter saves.
    laptop.get_by_role("button", name="Rename").press("Enter")
    expect(laptop.get_by_label("New name for Work laptop")).to_be_focused()
    assert tab.unlabelled_inputs() == []
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Phone")
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("The passkey is now called “Phone”.")
    assert [passkey["name"] for passkey in api_get(bastion, "/auth/passkeys", account).json()] == ["Phone"]

    phone = passkeys.get_by_role("listitem").filter(has_text="Phone")
    phone.get_by_role("button", name="Remove").press("Enter")
    phone.get_by_role("button", name="Cancel").press("Enter")
    expect(phone.get_by_role("button", name="Remove")).to_be_focused()
    phone.get_by_role("button", name="Remove").click()
    phone.get_by_label("Password to remove Phone").fill(PASSWORD)
    assert tab.unlabelled_inputs() == []
    phone.get_by_role("button", name="Remove passkey").click()
    expect(passkeys.get_by_text("No passkeys yet.")).to_be_visible()
    assert api_get(bastion, "/auth/passkeys", account).json() == []


def test_an_api_key_is_shown_once_works_and_is_revoked(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion, "kiran")
    page = open_account_page(tab, account)
    keys = section(page, "API keys")
    form = keys.get_by_role("form", name="Create an API key")
    form.get_by_label("Name", exact=True).fill("Backup script")
    expiry = form.get_by_label("Expires after (days, optional)")
    form.get_by_label("tasks:read").uncheck()
    expiry.fill("soon")
    form.get_by_role("button", name="Create key").click()
    expect(form.get_by_text("Choose at least one scope.")).to_be_visible()
    expect(expiry).to_have_accessible_description("A whole number of days.")

    form.get_by_label("tasks:read").check()
    expiry.fill("30")
    form.get_by_role("button", name="Create key").click()
    shown = keys.get_by_label("API key", exact=True)
    expect(shown).to_have_value(re.compile(r"^bst_"))
    key = shown.input_value()
    expect(keys.get_by_role("listitem").filter(has_text="Backup script")).to_contain_text("tasks:read")
    assert tab.unlabelled_inputs() == []
    tab.screenshot("account-api-key")
    assert httpx.get(f"{bastion.base}/tasks", headers={"X-API-Key": key}).status_code == 200

    keys.get_by_role("button", name="Done").click()
    expect(shown).to_be_hidden()
    keys.get_by_role("listitem").filter(has_text="Backup script").get_by_role("button", name="Revoke").click()
    expect(keys.get_by_text("No API keys yet.")).to_be_visible()
    assert httpx.get(f"{bastion.base}/tasks", headers={"X-API-Key": key}).status_code == 401


def test_the_export_downloads_the_accounts_data(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion)
    page = open_account_page(tab, account)
    with page.expect_download() as started:
        section(page, "Your data").get_by_role("button", name="Download my data").click()
    download = started.value
    assert download.suggested_filename == "account-data.json"
    exported = json.loads(Path(download.path()).read_text())
    assert exported["account"]["email"] == account.email
    expect(status(page)).to_contain_text("Your data is downloaded")


def test_deleting_the_account_needs_the_confirmation_and_the_password(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion, "dana")
    page = open_account_page(tab, account)
    form = section(page, "Delete account")
    form.get_by_label("Password").fill("Not-The-Password-1")
    form.get_by_role("button", name="Delete my account").click()
    expect(form.get_by_text("Tick this box to confirm.")).to_be_visible()
    form.get_by_label("I understand that this cannot be undone").check()
    form.get_by_role("button", name="Delete my account").click()
    expect(form.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    tab.screenshot("account-delete")

    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(f"{bastion.base}/register")
    assert page.evaluate("() => sessionStorage.length") == 0
    assert log_in(bastion, account.email, PASSWORD).status_code == 401
    tab.open("/account")
    expect(page).to_have_url(f"{bastion.base}/login")


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
