"""Fixtures of the social login adapter tests: a real OpenID Connect provider (`idp`, Authlib) with
Bastion's `OidcProvider` on it (`oidc`), and a GitHub fake (`github`) with `GitHubProvider` (`github_client`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from adapters.identity_providers.github import GitHubProvider
from adapters.identity_providers.oidc import OidcProvider
from adapters.memory.clock import FrozenClock
from tests.github_fake import GitHubFake, running_github_fake
from tests.oidc_provider import LocalOidcProvider, running_oidc_provider
from tests.social_login_flows import github_adapter, oidc_adapter


@pytest.fixture
def idp() -> Iterator[LocalOidcProvider]:
    with running_oidc_provider() as running:
        yield running


@pytest.fixture
def idp_clock() -> FrozenClock:
    # The provider stamps its tokens with the real time.
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
async def oidc(idp: LocalOidcProvider, idp_clock: FrozenClock) -> AsyncIterator[OidcProvider]:
    adapter = oidc_adapter(idp, idp_clock)
    yield adapter
    await adapter.stop()


@pytest.fixture
def github() -> Iterator[GitHubFake]:
    with running_github_fake() as fake:
        yield fake


@pytest.fixture
async def github_client(github: GitHubFake) -> AsyncIterator[GitHubProvider]:
    adapter = github_adapter(github)
    yield adapter
    await adapter.stop()
