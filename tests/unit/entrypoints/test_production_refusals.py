"""Production refuses settings that would quietly weaken protection (API.md, Configuration)."""

from __future__ import annotations

import pytest

from entrypoints.settings import SettingsError, load_settings

STRONG_SECRET = "q3Zr9-Vt_LkP0aWx7Ny2Bc5Hd8Fg1Js4Mu6Eo"
SAFE = {
    "BASTION_ENVIRONMENT": "production",
    "BASTION_SECRET_KEY": STRONG_SECRET,
    "BASTION_ALLOWED_HOSTS": "auth.example.org",
    "BASTION_PUBLIC_URL": "https://auth.example.org",
    "BASTION_SMTP_HOST": "127.0.0.1",
}


def test_safe_production_settings_load_with_no_cross_origin_access_and_no_docs() -> None:
    settings = load_settings(SAFE, env_file=None)
    assert settings.server.cors_origin_list == []
    assert settings.server.docs_served is False


def test_development_keeps_the_local_front_ends_and_the_docs() -> None:
    settings = load_settings({"BASTION_SECRET_KEY": STRONG_SECRET}, env_file=None)
    assert settings.server.cors_origin_list == ["http://localhost:3000", "http://localhost:5173"]
    assert settings.server.docs_served is True


def test_docs_can_be_switched_on_in_production() -> None:
    assert load_settings({**SAFE, "BASTION_DOCS_ENABLED": "true"}, env_file=None).server.docs_served is True


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"BASTION_SECRET_KEY": "ab" * 24}, "BASTION_SECRET_KEY has too little entropy"),
        ({"BASTION_SECRET_KEY": "0123456789abcd" * 3}, "BASTION_SECRET_KEY has too little entropy"),
        ({"BASTION_CORS_ORIGINS": "*"}, "BASTION_CORS_ORIGINS"),
        ({"BASTION_CORS_ORIGINS": "https://app.example.org,http://localhost:3000"}, "BASTION_CORS_ORIGINS"),
        ({"BASTION_CORS_ORIGINS": "http://127.0.0.1:8080"}, "BASTION_CORS_ORIGINS"),
        ({"BASTION_CORS_ORIGINS": "http://[::1]:8080"}, "BASTION_CORS_ORIGINS"),
        ({"BASTION_TRUSTED_PROXIES": "10.0.0.1,0.0.0.0/0"}, "BASTION_TRUSTED_PROXIES"),
        ({"BASTION_TRUSTED_PROXIES": "::/0"}, "BASTION_TRUSTED_PROXIES"),
        ({"BASTION_RATE_LIMIT_PER_MINUTE": "0"}, "BASTION_RATE_LIMIT_PER_MINUTE"),
        ({"BASTION_LOGIN_RATE_LIMIT_PER_MINUTE": "0"}, "BASTION_LOGIN_RATE_LIMIT_PER_MINUTE"),
        ({"BASTION_MAX_FAILED_LOGINS": "0"}, "BASTION_MAX_FAILED_LOGINS"),
        (
            {"BASTION_WEBHOOK_URL": "http://hooks.example.org/in", "BASTION_WEBHOOK_SECRET": "whsec_" + "A" * 32},
            "BASTION_WEBHOOK_URL must be https",
        ),
    ],
)
def test_production_refuses_weakened_protection(overrides: dict[str, str], complaint: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({**SAFE, **overrides}, env_file=None)
    assert complaint in str(refused.value)


def test_production_refuses_several_workers_without_redis() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(SAFE, env_file=None, workers=2)
    assert "several workers need BASTION_REDIS_URL" in str(refused.value)
    with_redis = load_settings({**SAFE, "BASTION_REDIS_URL": "redis://127.0.0.1:6379/0"}, env_file=None, workers=2)
    assert with_redis.redis.url


def test_a_public_origin_and_a_named_proxy_are_accepted() -> None:
    settings = load_settings(
        {**SAFE, "BASTION_CORS_ORIGINS": "https://app.example.org", "BASTION_TRUSTED_PROXIES": "10.0.0.0/8"},
        env_file=None,
    )
    assert settings.server.cors_origin_list == ["https://app.example.org"]


def test_production_accepts_an_https_webhook_receiver() -> None:
    webhook = {"BASTION_WEBHOOK_URL": "https://hooks.example.org/in", "BASTION_WEBHOOK_SECRET": "whsec_" + "A" * 32}
    assert load_settings({**SAFE, **webhook}, env_file=None).webhook.enabled
