"""The hosted pages but /account, in Chromium: sign up, confirm the address, sign in (password, the
second step by code or passkey, a passkey alone, the local OpenID Connect provider), reset a forgotten
password. The `tab` fixture fails a test whose pages reached another origin or logged an error."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import httpx
import pyotp
import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.oidc_provider_records import OidcUser
from tests.pages.conftest import PASSWORD, Bastion, Tab

NEW_PASSWORD = "Another-Horse-7"
MAIL_WAIT_S = 10.0
PHONE: ViewportSize = {"width": 360, "height": 740}
# The account's first passkey, made by the virtual authenticator through the JSON API (as /account does).
REGISTER_PASSKEY = """async ({access, password}) => {
  const post = async (path, body) => (await fetch(path, {method: "POST", body: JSON.stringify(body),
    headers: {"Content-Type": "application/json", Authorization: `Bearer ${access}`}})).json();
  const {challenge_id, options} = await post("/auth/passkeys/register/options", {password});
  const credential = await navigator.credentials.create(
    {publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)});
  return post("/auth/passkeys/register", {challenge_id, credential: credential.toJSON(), name: "Laptop"});
}"""


def registered(bastion: Bastion, name: str) -> tuple[str, str]:
    """A new account `name` made through the JSON API: its email and username. Each test has names of
    its own (the server serves the whole module), fixed so that the screenshots stay the same."""
    body = {"email": f"{name}@example.org", "username": name, "password": PASSWORD}
    assert httpx.post(f"{bastion.base}/auth/register", json=body).status_code == 201
    return body["email"], name


def api_tokens(bastion: Bastion, email: str, password: str = PASSWORD) -> dict[str, Any]:
    answer = httpx.post(f"{bastion.base}/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def mailed(bastion: Bastion, kind: str) -> list[str]:
    # A whole token only: the log is written in batches, so its last line may be cut short.
    return re.findall(rf"/{kind}#token=([A-Za-z0-9_-]+)(?=[^A-Za-z0-9_-])", bastion.log())


def next_mailed_token(bastion: Bastion, kind: str, seen: int) -> str:
    """The token of the first `kind` link mailed after the `seen` ones; the outbox worker writes mail
    to the log a moment after the request that sends it."""
    deadline = time.monotonic() + MAIL_WAIT_S
    while time.monotonic() < deadline:
        tokens = mailed(bastion, kind)
        if len(tokens) > seen:
            return tokens[seen]
        time.sleep(0.1)
    raise AssertionError(f"no new {kind} link in the server's log")


def held_tokens(page: Page) -> dict[str, Any] | None:
    held: dict[str, Any] | None = page.evaluate("() => JSON.parse(sessionStorage.getItem('bastion.tokens'))")
    return held


def amr(page: Page) -> list[str]:
    held = held_tokens(page)
    assert held is not None
    payload = held["access_token"].split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return list(claims["amr"])


def sign_in(page: Page, identifier: str, password: str) -> None:
    page.get_by_label("Email or username").fill(identifier)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def expect_account(tab: Tab) -> None:
    """Signed in: on /account, the token pair in this tab's sessionStorage."""
    expect(tab.page).to_have_url(f"{tab.bastion.base}/account")
    tab.page.wait_for_load_state("networkidle")
    held = held_tokens(tab.page)
    assert held is not None
    assert held["access_token"]
    assert held["refresh_token"]


def follow_mail_link(tab: Tab, path: str) -> Page:
    """`path` opened as a mailed link is: in a new document, not as a fragment change of this one."""
    tab.page.goto("about:blank")
    return tab.open(path)


def start_over(tab: Tab) -> Page:
    tab.page.evaluate("() => sessionStorage.clear()")
    return tab.open("/login")


def test_sign_up_shows_the_policy_inline_then_the_mail_link_confirms_the_address(tab: Tab, bastion: Bastion) -> None:
    page = tab.open("/register")
    name = "ada"
    page.get_by_label("Email address").fill(f"{name}@example.org")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Full name (optional)").fill("Ada Lovelace")
    password = page.get_by_label("Password", exact=True)
    password.fill("short")
    page.get_by_role("button", name="Create the account").click()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_be_focused()
    expect(page.locator("#password ~ .field-error").first).not_to_be_empty()
    expect(page.get_by_role("alert")).to_be_visible()
    tab.screenshot("register")

    seen = len(mailed(bastion, "verify-email"))
    password.fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Check your mail")

    token = next_mailed_token(bastion, "verify-email", seen)
    page = follow_mail_link(tab, f"/verify-email#token={token}")
    expect(page.get_by_role("status")).to_contain_text("is confirmed")
    assert "#" not in page.url
    tab.screenshot("verify-email")
    page.get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(f"{bastion.base}/login")


def test_a_taken_username_is_shown_under_its_field(tab: Tab, bastion: Bastion) -> None:
    _, username = registered(bastion, "grace")
    page = tab.open("/register")
    page.get_by_label("Email address").fill("grace.hopper@example.org")
    page.get_by_label("Username").fill(username.upper())
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#username ~ .field-error")).to_contain_text("taken")


def test_a_verification_link_without_a_good_token_says_so(tab: Tab) -> None:
    page = tab.open("/verify-email")
    expect(page.get_by_role("alert")).to_contain_text("no token")
    follow_mail_link(tab, "/verify-email#token=not-a-mailed-token")
    expect(page.get_by_role("alert")).to_contain_text("does not work any more")


def test_sign_in_lands_on_the_account_page_with_the_tokens_in_the_tab(tab: Tab, bastion: Bastion) -> None:
    _, username = registered(bastion, "alan")
    page = tab.open("/login")
    expect(page.get_by_role("link", name="Create an account")).to_have_attribute("href", "/register")
    expect(page.get_by_role("link", name="Forgot your password?")).to_have_attribute("href", "/reset-password")
    expect(page.get_by_role("link", name="Sign in with local")).to_be_visible()
    page.get_by_label("Email or username").fill(username)
    tab.screenshot("login")
    sign_in(page, username, PASSWORD)
    expect_account(tab)
    assert amr(page) == ["pwd"]

    tab.open("/login")
    page.get_by_role("link", name="Continue to your account").click()
    expect(page).to_have_url(f"{bastion.base}/account")


def test_a_wrong_password_is_refused_with_a_message(tab: Tab, bastion: Bastion) -> None:
    email, _ = registered(bastion, "edsger")
    page = tab.open("/login")
    sign_in(page, email, "Wrong-Horse-1")
    expect(page.get_by_role("alert")).to_contain_text("is wrong")
    expect(page).to_have_url(f"{bastion.base}/login")
    assert held_tokens(page) is None


def test_a_forgotten_password_is_replaced_through_the_mailed_link(tab: Tab, bastion: Bastion) -> None:
    email, _ = registered(bastion, "barbara")
    page = tab.open("/reset-password")
    seen = len(mailed(bastion, "reset-password"))
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text("If an account has this address")

    token = next_mailed_token(bastion, "reset-password", seen)
    page = follow_mail_link(tab, f"/reset-password#token={token}")
    assert "#" not in page.url
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    repeat = page.get_by_label("Repeat the new password")
    repeat.fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Set the new password").click()
    expect(repeat).to_have_attribute("aria-invalid", "true")
    expect(repeat).to_have_accessible_description("The two passwords differ.")
    tab.screenshot("reset-password")

    repeat.fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    page.get_by_role("link", name="Sign in").click()
    sign_in(page, email, NEW_PASSWORD)
    expect_account(tab)


def test_a_reset_link_that_no_longer_works_asks_for_a_new_one(tab: Tab) -> None:
    page = tab.open("/reset-password#token=not-a-mailed-token")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("alert")).to_contain_text("does not work any more")
    expect(page.get_by_role("button", name="Send the link")).to_be_visible()


def test_the_second_step_takes_a_recovery_code_or_a_totp_code(tab: Tab, bastion: Bastion) -> None:
    email, _ = registered(bastion, "margaret")
    bearer = {"Authorization": f"Bearer {api_tokens(bastion, email)['access_token']}"}
    setup = httpx.post(f"{bastion.base}/auth/mfa/totp/setup", json={"password": PASSWORD}, headers=bearer).json()
    totp = pyotp.TOTP(setup["secret"])
    confirmed = httpx.post(f"{bastion.base}/auth/mfa/totp/confirm", json={"code": totp.now()}, headers=bearer)
    recovery_code = confirmed.json()["recovery_codes"][0]

    page = tab.open("/login")
    sign_in(page, email, PASSWORD)
    code = page.get_by_label("Code from your authenticator app, or a recovery code")
    expect(code).to_be_focused()
    expect(page.get_by_role("button", name="Use a passkey")).to_be_hidden()
    assert tab.unlabelled_inputs() == []
    tab.screenshot("login-mfa")
    code.fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("did not work")
    code.fill(recovery_code)
    page.get_by_role("button", name="Verify").click()
    expect_account(tab)
    assert amr(page) == ["pwd", "mfa"]

    page = start_over(tab)
    sign_in(page, email, PASSWORD)
    # The code of the next 30 s (one step of drift is accepted): the current one was used to confirm.
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    expect_account(tab)
    assert amr(page) == ["pwd", "otp", "mfa"]


def test_a_passkey_signs_in_alone_and_as_the_second_step(tab: Tab, bastion: Bastion) -> None:
    email, _ = registered(bastion, "katherine")
    tab.add_authenticator()
    page = tab.open("/login")
    access = api_tokens(bastion, email)["access_token"]
    assert page.evaluate(REGISTER_PASSKEY, {"access": access, "password": PASSWORD})["name"] == "Laptop"

    sign_in(page, email, PASSWORD)
    expect(page.get_by_label("Code from your authenticator app, or a recovery code")).to_be_hidden()
    page.get_by_role("button", name="Use a passkey").click()
    expect_account(tab)
    assert amr(page) == ["pwd", "hwk", "mfa"]

    page = start_over(tab)
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect_account(tab)
    assert amr(page) == ["hwk", "user", "mfa"]


def test_social_login_through_the_local_provider_lands_on_the_account_page(tab: Tab, bastion: Bastion) -> None:
    bastion.idp.user = OidcUser(sub="sub-hedy", email="hedy@example.org", name="Hedy Lamarr")
    page = tab.open("/login")
    page.get_by_role("link", name="Sign in with local").click()
    expect_account(tab)
    assert amr(page) == ["ext"]


def test_a_social_login_to_a_taken_address_tells_the_owner_to_link_it(tab: Tab, bastion: Bastion) -> None:
    email, _ = registered(bastion, "radia")
    bastion.idp.user = OidcUser(sub="sub-radia", email=email, name="Radia Perlman")
    page = tab.open("/login")
    page.get_by_role("link", name="Sign in with local").click()
    expect(page.get_by_role("alert")).to_contain_text("link the provider from your account page")
    expect(page).to_have_url(f"{bastion.base}/login")
    assert held_tokens(page) is None


@pytest.mark.parametrize(
    "path", ["/register", "/login", "/verify-email", "/reset-password", "/reset-password#token=t", "/account"]
)
def test_a_page_labels_every_input_runs_scripts_by_nonce_only_and_fits_a_phone(tab: Tab, path: str) -> None:
    tab.page.set_viewport_size(PHONE)
    response = tab.page.goto(f"{tab.bastion.base}{path}")
    assert response is not None
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy
    assert re.search(r"script-src 'nonce-[A-Za-z0-9_-]{20,}'", policy)
    tab.page.wait_for_load_state("networkidle")
    assert tab.unlabelled_inputs() == []
    assert tab.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
