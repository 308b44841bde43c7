"""UseCases: one provider per use case, over whichever adapter set it is given; and the policies."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dependency_injector import containers, providers

from adapters.wordlists.common_passwords import shipped_common_passwords
from application.account.account_mail import AccountMail
from application.account.change_password import ChangePasswordHandler
from application.account.compose_password_reset import ComposePasswordReset
from application.account.confirm_password_reset import ConfirmPasswordResetHandler
from application.account.delete_account import DeleteAccountHandler
from application.account.export_account import ExportAccountHandler
from application.account.get_profile import GetProfileHandler
from application.account.mail_templates import MailTemplates
from application.account.password_confirmation import PasswordConfirmation
from application.account.request_password_reset import PASSWORD_RESET_COMPOSER, RequestPasswordResetHandler
from application.account.resend_verification import ResendVerificationHandler
from application.account.update_profile import UpdateProfileHandler
from application.account.verify_email import VerifyEmailHandler
from application.admin.get_user import GetUserHandler
from application.admin.list_audit_events import ListAuditEventsHandler
from application.admin.list_users import ListUsersHandler
from application.admin.reset_mfa import ResetMfaHandler
from application.admin.revoke_user_sessions import RevokeUserSessionsHandler
from application.admin.unlock_user import UnlockUserHandler
from application.admin.update_user import UpdateUserHandler
from application.api_keys.api_key_cache import ApiKeyCache
from application.api_keys.api_key_uses import ApiKeyUses
from application.api_keys.create_api_key import CreateApiKeyHandler
from application.api_keys.list_api_keys import ListApiKeysHandler
from application.api_keys.record_api_key_uses import RecordApiKeyUsesHandler
from application.api_keys.revoke_api_key import RevokeApiKeyHandler
from application.auth.authenticate import AuthenticateHandler
from application.auth.authenticate_api_key import AuthenticateApiKeyHandler
from application.auth.begin_mfa_passkey import BeginMfaPasskeyHandler
from application.auth.begin_passkey_login import BeginPasskeyLoginHandler
from application.auth.complete_mfa_login import CompleteMfaLoginHandler
from application.auth.device_tokens import DeviceTokens
from application.auth.end_session import EndSessionHandler
from application.auth.get_public_keys import GetPublicKeysHandler
from application.auth.identify_caller import IdentifyCallerHandler
from application.auth.list_sessions import ListSessionsHandler
from application.auth.log_in import LogInHandler
from application.auth.log_in_with_passkey import LogInWithPasskeyHandler
from application.auth.log_out import LogOutHandler
from application.auth.log_out_everywhere import LogOutEverywhereHandler
from application.auth.login_sessions import LoginSessions
from application.auth.refresh_session import RefreshSessionHandler
from application.auth.register_privately import RegisterPrivatelyHandler
from application.auth.register_user import RegisterUserHandler
from application.auth.session_tokens import SessionTokens
from application.mfa.confirm_totp import ConfirmTotpHandler
from application.mfa.disable_totp import DisableTotpHandler
from application.mfa.get_mfa_status import GetMfaStatusHandler
from application.mfa.regenerate_recovery_codes import RegenerateRecoveryCodesHandler
from application.mfa.second_factor_check import SecondFactorCheck
from application.mfa.set_up_totp import SetUpTotpHandler
from application.mfa.step_up import StepUp
from application.oauth.begin_identity_link import BeginIdentityLinkHandler
from application.oauth.begin_social_login import BeginSocialLoginHandler
from application.oauth.exchange_login_code import ExchangeLoginCodeHandler
from application.oauth.handle_callback import HandleOAuthCallbackHandler
from application.oauth.identity_outcomes import IdentityOutcomes
from application.oauth.list_identities import ListIdentitiesHandler
from application.oauth.list_providers import ListProvidersHandler
from application.oauth.provider_directory import ProviderDirectory
from application.oauth.social_flows import SocialFlows
from application.oauth.unlink_identity import UnlinkIdentityHandler
from application.ops.check_readiness import CheckReadinessHandler
from application.ops.count_outbox_backlog import CountOutboxBacklogHandler
from application.ops.deliver_outbox import DeliverOutboxHandler
from application.ops.deliver_webhooks import DeliverWebhooksHandler
from application.ops.follow_revocations import FollowRevocationsHandler
from application.ops.purge_audit import PurgeAuditHandler
from application.ops.seed_revocations import SeedRevocationsHandler
from application.ops.throttle_request import ThrottleRequestHandler
from application.passkeys.begin_passkey_registration import BeginPasskeyRegistrationHandler
from application.passkeys.delete_passkey import DeletePasskeyHandler
from application.passkeys.list_passkeys import ListPasskeysHandler
from application.passkeys.passkey_ceremonies import PasskeyCeremonies
from application.passkeys.register_passkey import RegisterPasskeyHandler
from application.passkeys.rename_passkey import RenamePasskeyHandler
from application.passwords import NewPasswordRules, NfcPasswordHasher
from application.service_accounts.create_service_account import CreateServiceAccountHandler
from application.service_accounts.delete_service_account import DeleteServiceAccountHandler
from application.service_accounts.issue_service_token import IssueServiceTokenHandler
from application.service_accounts.list_service_accounts import ListServiceAccountsHandler
from application.service_accounts.rotate_service_account_secret import RotateServiceAccountSecretHandler
from application.tasks.create_task import CreateTaskHandler
from application.tasks.delete_task import DeleteTaskHandler
from application.tasks.get_task import GetTaskHandler
from application.tasks.list_tasks import ListTasksHandler
from application.tasks.update_task import UpdateTaskHandler
from domain.accounts import User
from domain.mail import DeliveryPolicy, OutboxKind
from domain.one_time_tokens import AccountTokenPolicy
from domain.passwords import PasswordPolicy
from domain.sessions import SessionPolicy
from domain.throttling import LockoutPolicy, ThrottlePolicy
from entrypoints.api_key_use_recorder import ApiKeyUseRecorder
from entrypoints.audit_purger import AuditPurger
from entrypoints.outbox_worker import OutboxWorker
from entrypoints.revocation_follower import RevocationFollower
from entrypoints.settings import Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class Policies:
    """The domain policies, built once from the settings (the password policy with the shipped list
    of common passwords, read once per process)."""

    password: PasswordPolicy
    session: SessionPolicy
    lockout: LockoutPolicy
    throttle: ThrottlePolicy
    account_tokens: AccountTokenPolicy
    delivery: DeliveryPolicy

    @classmethod
    def of(cls, settings: Settings) -> Policies:
        return cls(
            password=replace(settings.passwords.policy, common=shipped_common_passwords()),
            session=settings.tokens.session_policy,
            lockout=settings.throttling.lockout_policy,
            throttle=settings.throttling.throttle_policy,
            account_tokens=settings.accounts.token_policy,
            delivery=DeliveryPolicy(),
        )


def _allowed_redirects(settings: Settings) -> list[str]:
    return settings.oauth.allowed_redirects(settings.server.base_url, hosted_pages=settings.server.hosted_pages)


class UseCases(containers.DeclarativeContainer):
    """One provider per use case, grouped by feature; the adapter set is whatever `adapters` is given.

    Factories build a handler per request (handlers are cheap and hold no state between requests);
    singletons are the helpers shared by several use cases and the handlers that run on every request.
    """

    settings = providers.Dependency(instance_of=Settings)
    adapters = providers.DependenciesContainer()
    policies = providers.Singleton(Policies.of, settings)

    # Shared helpers
    # Every password reaches the adapter's hasher NFC-normalised, whichever use case hashes it.
    hasher = providers.Singleton(NfcPasswordHasher, adapters.hasher)
    new_passwords = providers.Singleton(
        NewPasswordRules, policy=policies.provided.password, breaches=adapters.breached_passwords
    )
    session_tokens = providers.Singleton(
        SessionTokens,
        issuer=adapters.issuer,
        secrets=adapters.secrets,
        policy=policies.provided.session,
        successor_key=settings.provided.tokens.successor_key,
    )
    account_mail = providers.Singleton(
        AccountMail,
        secrets=adapters.secrets,
        templates=providers.Singleton(
            MailTemplates, settings.provided.server.base_url, settings.provided.server.app_name
        ),
        policy=policies.provided.account_tokens,
        sealer=adapters.mail_sealer,
    )
    password_confirmation = providers.Singleton(
        PasswordConfirmation,
        hasher=hasher,
        attempts=adapters.login_attempts,
        lockout=policies.provided.lockout,
        clock=adapters.clock,
    )
    device_tokens = providers.Singleton(
        DeviceTokens,
        secrets=adapters.secrets,
        mail=account_mail,
        policy=policies.provided.lockout,
        notify_new_devices=settings.provided.accounts.new_device_notice,
    )

    # auth
    register_user = providers.Factory(
        RegisterUserHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        hasher=hasher,
        clock=adapters.clock,
        passwords=new_passwords,
        mail=account_mail,
    )
    register_privately = providers.Factory(
        RegisterPrivatelyHandler,
        register=register_user,
        uow=adapters.uow,
        hasher=hasher,
        clock=adapters.clock,
        mail=account_mail,
    )
    second_factor_check = providers.Singleton(
        SecondFactorCheck,
        totp=adapters.totp,
        sealer=adapters.totp_sealer,
        code_hasher=adapters.recovery_code_hasher,
        attempts=adapters.login_attempts,
        lockout=policies.provided.lockout,
        clock=adapters.clock,
    )
    # Factories: each holds a unit of work, which one request at a time may use.
    login_sessions = providers.Factory(
        LoginSessions,
        uow=adapters.uow,
        tokens=session_tokens,
        devices=device_tokens,
        secrets=adapters.secrets,
        clock=adapters.clock,
    )
    step_up = providers.Factory(
        StepUp, uow=adapters.uow, reader=adapters.reader, confirmation=password_confirmation, check=second_factor_check
    )
    log_in = providers.Factory(
        LogInHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        hasher=hasher,
        sessions=login_sessions,
        clock=adapters.clock,
        attempts=adapters.login_attempts,
        lockout=policies.provided.lockout,
        require_verified_email=settings.provided.accounts.require_verified_email,
    )
    passkey_ceremonies = providers.Singleton(
        PasskeyCeremonies, webauthn=adapters.webauthn, secrets=adapters.secrets, clock=adapters.clock
    )
    complete_mfa_login = providers.Factory(
        CompleteMfaLoginHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        sessions=login_sessions,
        check=second_factor_check,
        ceremonies=passkey_ceremonies,
        clock=adapters.clock,
    )
    refresh_session = providers.Factory(
        RefreshSessionHandler, uow=adapters.uow, tokens=session_tokens, clock=adapters.clock
    )
    log_out = providers.Factory(LogOutHandler, uow=adapters.uow, clock=adapters.clock)
    log_out_everywhere = providers.Factory(LogOutEverywhereHandler, uow=adapters.uow, clock=adapters.clock)
    list_sessions = providers.Factory(ListSessionsHandler, reader=adapters.reader, clock=adapters.clock)
    end_session = providers.Factory(EndSessionHandler, uow=adapters.uow, clock=adapters.clock)
    # Built once: it runs on every authenticated request and holds no per-request state.
    authenticate = providers.Singleton(
        AuthenticateHandler, issuer=adapters.issuer, revocations=adapters.revocations, clock=adapters.clock
    )
    get_public_keys = providers.Singleton(GetPublicKeysHandler, issuer=adapters.issuer)
    # Per process: the keys looked up lately, and their uses until they are written.
    api_key_cache = providers.Singleton(ApiKeyCache, ttl=policies.provided.session.api_key_cache_ttl)
    api_key_uses = providers.Singleton(ApiKeyUses)
    authenticate_api_key = providers.Singleton(
        AuthenticateApiKeyHandler,
        codec=adapters.api_key_codec,
        reader=adapters.reader.provider,
        uow=adapters.uow.provider,
        cache=api_key_cache,
        uses=api_key_uses,
        revocations=adapters.revocations,
        events=adapters.bus,
        clock=adapters.clock,
    )
    identify_caller = providers.Singleton(IdentifyCallerHandler, tokens=authenticate, keys=authenticate_api_key)

    # account
    get_profile = providers.Factory(GetProfileHandler, reader=adapters.reader, clock=adapters.clock)
    export_account = providers.Factory(ExportAccountHandler, reader=adapters.reader, clock=adapters.clock)
    update_profile = providers.Factory(UpdateProfileHandler, uow=adapters.uow, clock=adapters.clock)
    change_password = providers.Factory(
        ChangePasswordHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        hasher=hasher,
        clock=adapters.clock,
        passwords=new_passwords,
        mail=account_mail,
        confirmation=password_confirmation,
    )
    request_password_reset = providers.Factory(RequestPasswordResetHandler, uow=adapters.uow, clock=adapters.clock)
    compose_password_reset = providers.Singleton(
        ComposePasswordReset,
        uow=adapters.uow,
        reader=adapters.reader,
        clock=adapters.clock,
        mail=account_mail,
        counter=adapters.login_attempts,
        policy=policies.provided.account_tokens,
    )
    confirm_password_reset = providers.Factory(
        ConfirmPasswordResetHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        hasher=hasher,
        clock=adapters.clock,
        passwords=new_passwords,
        mail=account_mail,
    )
    verify_email = providers.Factory(VerifyEmailHandler, uow=adapters.uow, clock=adapters.clock)
    resend_verification = providers.Factory(
        ResendVerificationHandler, uow=adapters.uow, clock=adapters.clock, mail=account_mail
    )
    delete_account = providers.Factory(
        DeleteAccountHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        confirmation=password_confirmation,
        clock=adapters.clock,
    )

    # two-factor authentication
    get_mfa_status = providers.Factory(GetMfaStatusHandler, reader=adapters.reader)
    set_up_totp = providers.Factory(
        SetUpTotpHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        confirmation=password_confirmation,
        check=second_factor_check,
        qr=adapters.qr,
        clock=adapters.clock,
        issuer=settings.provided.accounts.mfa_issuer,
    )
    confirm_totp = providers.Factory(
        ConfirmTotpHandler, uow=adapters.uow, check=second_factor_check, clock=adapters.clock
    )
    disable_totp = providers.Factory(DisableTotpHandler, uow=adapters.uow, step_up=step_up, clock=adapters.clock)
    regenerate_recovery_codes = providers.Factory(
        RegenerateRecoveryCodesHandler, uow=adapters.uow, step_up=step_up, clock=adapters.clock
    )

    # passkeys
    begin_passkey_registration = providers.Factory(
        BeginPasskeyRegistrationHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        confirmation=password_confirmation,
        ceremonies=passkey_ceremonies,
    )
    register_passkey = providers.Factory(
        RegisterPasskeyHandler, uow=adapters.uow, ceremonies=passkey_ceremonies, clock=adapters.clock
    )
    list_passkeys = providers.Factory(ListPasskeysHandler, reader=adapters.reader)
    rename_passkey = providers.Factory(RenamePasskeyHandler, uow=adapters.uow, clock=adapters.clock)
    delete_passkey = providers.Factory(
        DeletePasskeyHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        confirmation=password_confirmation,
        clock=adapters.clock,
    )
    begin_passkey_login = providers.Factory(BeginPasskeyLoginHandler, uow=adapters.uow, ceremonies=passkey_ceremonies)
    log_in_with_passkey = providers.Factory(
        LogInWithPasskeyHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        sessions=login_sessions,
        ceremonies=passkey_ceremonies,
        clock=adapters.clock,
        require_verified_email=settings.provided.accounts.require_verified_email,
    )
    begin_mfa_passkey = providers.Factory(
        BeginMfaPasskeyHandler, uow=adapters.uow, ceremonies=passkey_ceremonies, clock=adapters.clock
    )

    # social login
    provider_directory = providers.Singleton(
        ProviderDirectory,
        providers=adapters.identity_providers.provided.providers,
        callback_base=settings.provided.server.base_url,
        redirect_allowlist=providers.Callable(_allowed_redirects, settings),
    )
    social_flows = providers.Factory(
        SocialFlows, uow=adapters.uow, directory=provider_directory, secrets=adapters.secrets, clock=adapters.clock
    )
    list_providers = providers.Factory(ListProvidersHandler, directory=provider_directory)
    begin_social_login = providers.Factory(BeginSocialLoginHandler, flows=social_flows, secrets=adapters.secrets)
    identity_outcomes = providers.Factory(
        IdentityOutcomes, uow=adapters.uow, secrets=adapters.secrets, clock=adapters.clock
    )
    handle_oauth_callback = providers.Factory(
        HandleOAuthCallbackHandler,
        uow=adapters.uow,
        directory=provider_directory,
        outcomes=identity_outcomes,
        clock=adapters.clock,
    )
    exchange_login_code = providers.Factory(
        ExchangeLoginCodeHandler,
        uow=adapters.uow,
        reader=adapters.reader,
        sessions=login_sessions,
        clock=adapters.clock,
        require_verified_email=settings.provided.accounts.require_verified_email,
    )
    list_identities = providers.Factory(ListIdentitiesHandler, reader=adapters.reader)
    begin_identity_link = providers.Factory(BeginIdentityLinkHandler, reader=adapters.reader, flows=social_flows)
    unlink_identity = providers.Factory(UnlinkIdentityHandler, uow=adapters.uow, clock=adapters.clock)

    # API keys
    create_api_key = providers.Factory(
        CreateApiKeyHandler, uow=adapters.uow, codec=adapters.api_key_codec, clock=adapters.clock
    )
    list_api_keys = providers.Factory(ListApiKeysHandler, reader=adapters.reader)
    revoke_api_key = providers.Factory(RevokeApiKeyHandler, uow=adapters.uow, clock=adapters.clock)
    record_api_key_uses = providers.Singleton(RecordApiKeyUsesHandler, uow=adapters.uow, uses=api_key_uses)
    api_key_use_recorder = providers.Singleton(ApiKeyUseRecorder, record=record_api_key_uses)

    # admin
    # Registration with the domain's factory of administrators; never reachable over HTTP.
    create_admin = providers.Callable(register_user, new_account=User.register_admin)
    list_users = providers.Factory(ListUsersHandler, reader=adapters.reader)
    get_user = providers.Factory(GetUserHandler, reader=adapters.reader)
    update_user = providers.Factory(UpdateUserHandler, uow=adapters.uow, clock=adapters.clock)
    unlock_user = providers.Factory(UnlockUserHandler, uow=adapters.uow, clock=adapters.clock)
    revoke_user_sessions = providers.Factory(RevokeUserSessionsHandler, uow=adapters.uow, clock=adapters.clock)
    reset_mfa = providers.Factory(ResetMfaHandler, uow=adapters.uow, clock=adapters.clock)
    list_audit_events = providers.Factory(ListAuditEventsHandler, reader=adapters.reader)

    # service accounts
    create_service_account = providers.Factory(
        CreateServiceAccountHandler, uow=adapters.uow, hasher=hasher, secrets=adapters.secrets, clock=adapters.clock
    )
    list_service_accounts = providers.Factory(ListServiceAccountsHandler, reader=adapters.reader)
    delete_service_account = providers.Factory(DeleteServiceAccountHandler, uow=adapters.uow, clock=adapters.clock)
    rotate_service_account_secret = providers.Factory(
        RotateServiceAccountSecretHandler,
        uow=adapters.uow,
        hasher=hasher,
        secrets=adapters.secrets,
        clock=adapters.clock,
    )
    issue_service_token = providers.Factory(
        IssueServiceTokenHandler,
        reader=adapters.reader,
        uow=adapters.uow,
        hasher=hasher,
        issuer=adapters.issuer,
        policy=policies.provided.session,
        events=adapters.bus,
        clock=adapters.clock,
    )

    # tasks
    create_task = providers.Factory(CreateTaskHandler, uow=adapters.uow, clock=adapters.clock)
    list_tasks = providers.Factory(ListTasksHandler, reader=adapters.reader)
    get_task = providers.Factory(GetTaskHandler, reader=adapters.reader)
    update_task = providers.Factory(UpdateTaskHandler, uow=adapters.uow, clock=adapters.clock)
    delete_task = providers.Factory(DeleteTaskHandler, uow=adapters.uow)

    # ops
    check_readiness = providers.Factory(CheckReadinessHandler, uow=adapters.uow, probes=adapters.probes)
    count_outbox_backlog = providers.Singleton(CountOutboxBacklogHandler, queue=adapters.outbox_queue)
    throttle_request = providers.Singleton(
        ThrottleRequestHandler,
        limiter=adapters.rate_limiter,
        clock=adapters.clock,
        policy=policies.provided.throttle,
        events=adapters.bus,
    )
    seed_revocations = providers.Factory(
        SeedRevocationsHandler,
        reader=adapters.reader,
        clock=adapters.clock,
        revocations=adapters.revocations,
        policy=policies.provided.session,
    )
    # One instance per worker: it remembers the marks it could not write yet.
    deliver_outbox = providers.Singleton(
        DeliverOutboxHandler,
        queue=adapters.outbox_queue,
        mailer=adapters.mailer,
        clock=adapters.clock,
        policy=policies.provided.delivery,
        sealer=adapters.mail_sealer,
        composers=providers.Dict({PASSWORD_RESET_COMPOSER: compose_password_reset}),
    )
    outbox_worker = providers.Singleton(
        OutboxWorker, deliver=deliver_outbox.provider, interval=settings.provided.mail.outbox_poll_seconds
    )
    follow_revocations = providers.Singleton(
        FollowRevocationsHandler,
        reader=adapters.reader,
        uow=adapters.uow,
        clock=adapters.clock,
        revocations=adapters.revocations,
        policy=policies.provided.session,
    )
    revocation_follower = providers.Singleton(RevocationFollower, follow=follow_revocations)
    purge_audit = providers.Factory(
        PurgeAuditHandler, uow=adapters.uow, clock=adapters.clock, retention=settings.provided.accounts.audit_retention
    )
    audit_purger = providers.Singleton(AuditPurger, purge=purge_audit)
    deliver_webhooks = providers.Singleton(
        DeliverWebhooksHandler,
        queue=adapters.outbox_queue,
        sender=adapters.webhook_sender,
        clock=adapters.clock,
        policy=policies.provided.delivery,
    )
    webhook_worker = providers.Singleton(
        OutboxWorker,
        deliver=deliver_webhooks.provider,
        interval=settings.provided.mail.outbox_poll_seconds,
        kind=OutboxKind.WEBHOOK,
    )
    # Started after the adapters, stopped before them; the webhook sender and worker only when webhooks are on.
    lifecycle = providers.Selector(
        providers.Callable(lambda settings: "on" if settings.webhook.enabled else "off", settings),
        on=providers.List(
            revocation_follower,
            outbox_worker,
            adapters.webhook_sender,
            webhook_worker,
            audit_purger,
            api_key_use_recorder,
        ),
        off=providers.List(revocation_follower, outbox_worker, audit_purger, api_key_use_recorder),
    )
