"""The account page's linked sign-ins in a real browser: the round trip through the local OpenID
Connect provider, its outcomes announced on return, and unlinking."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from tests.oidc_provider_records import OidcUser
from tests.pages.conftest import Bastion, Tab
from tests.pages.signed_in import alert, api_get, new_account, open_account_page, section, social_account, status


def test_an_identity_is_linked_through_the_provider_and_unlinked(tab: Tab, bastion: Bastion) -> None:
    account = new_account(bastion, "ida")
    bastion.idp.user = OidcUser(sub=f"linked-{secrets.token_hex(4)}", email=account.email)
    page = open_account_page(tab, account)
    identities = section(page, "Linked sign-ins")
    expect(identities.get_by_text("None linked.")).to_be_visible()
    identities.get_by_role("button", name="Link a local account").click()

    expect(status(page)).to_have_text("Your local account is now linked.")
    expect(page).to_have_url(f"{bastion.base}/account")
    linked = identities.get_by_role("listitem").filter(has_text=account.email)
    expect(linked).to_be_visible()
    tab.screenshot("account-identities")
    assert [identity["provider"] for identity in api_get(bastion, "/auth/identities", account).json()] == ["local"]

    linked.get_by_role("button", name="Unlink").click()
    expect(status(page)).to_have_text("Your local account is unlinked.")
    expect(identities.get_by_text("None linked.")).to_be_visible()
    assert api_get(bastion, "/auth/identities", account).json() == []


def test_an_identity_of_another_account_is_refused_and_said_so(tab: Tab, bastion: Bastion) -> None:
    owner = social_account(bastion)
    account = new_account(bastion)
    page = open_account_page(tab, account)
    section(page, "Linked sign-ins").get_by_role("button", name="Link a local account").click()

    expect(alert(page)).to_have_text(
        "The account was not linked: that account at the provider is already linked to another account here."
    )
    expect(page).to_have_url(f"{bastion.base}/account")
    expect(section(page, "Linked sign-ins").get_by_text("None linked.")).to_be_visible()
    assert len(api_get(bastion, "/auth/identities", owner).json()) == 1


def test_the_last_way_to_sign_in_is_not_unlinked(tab: Tab, bastion: Bastion) -> None:
    account = social_account(bastion)
    page = open_account_page(tab, account)
    identities = section(page, "Linked sign-ins")
    identities.get_by_role("listitem").get_by_role("button", name="Unlink").click()
    expect(alert(page)).to_contain_text("is your only way to sign in")
    expect(identities.get_by_role("listitem")).to_contain_text("is your only way to sign in")
    assert len(api_get(bastion, "/auth/identities", account).json()) == 1
