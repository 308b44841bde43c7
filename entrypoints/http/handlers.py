"""HttpHandlers: the use cases the HTTP layer serves, as the composition root hands them over."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

from litestar.di import Provide

from application.account.change_password import ChangePasswordHandler
from application.account.confirm_password_reset import ConfirmPasswordResetHandler
from application.account.delete_account import DeleteAccountHandler
from application.account.export_account import ExportAccountHandler
from application.account.get_profile import GetProfileHandler
from application.account.request_password_reset import RequestPasswordResetHandler
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
from application.api_keys.create_api_key import CreateApiKeyHandler
from application.api_keys.list_api_keys import ListApiKeysHandler
from application.api_keys.revoke_api_key import RevokeApiKeyHandler
from application.auth.authenticate import AuthenticateHandler
from application.auth.begin_mfa_passkey import BeginMfaPasskeyHandler
from application.auth.begin_passkey_login import BeginPasskeyLoginHandler
from application.auth.complete_mfa_login import CompleteMfaLoginHandler
from application.auth.end_session import EndSessionHandler
from application.auth.get_public_keys import GetPublicKeysHandler
from application.auth.identify_caller import IdentifyCallerHandler
from application.auth.list_sessions import ListSessionsHandler
from application.auth.log_in import LogInHandler
from application.auth.log_in_with_passkey import LogInWithPasskeyHandler
from application.auth.log_out import LogOutHandler
from application.auth.log_out_everywhere import LogOutEverywhereHandler
from application.auth.refresh_session import RefreshSessionHandler
from application.auth.register_privately import RegisterPrivatelyHandler
from application.auth.register_user import RegisterUserHandler
from application.mfa.confirm_totp import ConfirmTotpHandler
from application.mfa.disable_totp import DisableTotpHandler
from application.mfa.get_mfa_status import GetMfaStatusHandler
from application.mfa.regenerate_recovery_codes import RegenerateRecoveryCodesHandler
from application.mfa.set_up_totp import SetUpTotpHandler
from application.oauth.begin_identity_link import BeginIdentityLinkHandler
from application.oauth.begin_social_login import BeginSocialLoginHandler
from application.oauth.exchange_login_code import ExchangeLoginCodeHandler
from application.oauth.handle_callback import HandleOAuthCallbackHandler
from application.oauth.list_identities import ListIdentitiesHandler
from application.oauth.list_providers import ListProvidersHandler
from application.oauth.unlink_identity import UnlinkIdentityHandler
from application.ops.check_readiness import CheckReadinessHandler
from application.ops.count_outbox_backlog import CountOutboxBacklogHandler
from application.ops.throttle_request import ThrottleRequestHandler
from application.passkeys.begin_passkey_registration import BeginPasskeyRegistrationHandler
from application.passkeys.delete_passkey import DeletePasskeyHandler
from application.passkeys.list_passkeys import ListPasskeysHandler
from application.passkeys.register_passkey import RegisterPasskeyHandler
from application.passkeys.rename_passkey import RenamePasskeyHandler
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

# Used by the throttling middleware only, never as a route dependency.
_MIDDLEWARE_ONLY = frozenset({"throttle_request", "authenticate"})


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpHandlers:
    """One zero-argument maker per use case the HTTP layer serves (the composition root decides
    whether it builds one per request or shares one). A route receives a use case as the dependency
    named like its field (`log_in: NamedDependency[LogInHandler]`); the middlewares take theirs here.
    A new route's use case is one more field here and one more line in `entrypoints.container.http`."""

    # middlewares (and /auth/verify)
    authenticate: Callable[[], AuthenticateHandler]
    identify_caller: Callable[[], IdentifyCallerHandler]
    throttle_request: Callable[[], ThrottleRequestHandler]
    # auth
    register_user: Callable[[], RegisterUserHandler]
    register_privately: Callable[[], RegisterPrivatelyHandler]
    log_in: Callable[[], LogInHandler]
    complete_mfa_login: Callable[[], CompleteMfaLoginHandler]
    refresh_session: Callable[[], RefreshSessionHandler]
    log_out: Callable[[], LogOutHandler]
    log_out_everywhere: Callable[[], LogOutEverywhereHandler]
    list_sessions: Callable[[], ListSessionsHandler]
    end_session: Callable[[], EndSessionHandler]
    get_public_keys: Callable[[], GetPublicKeysHandler]
    # account
    get_profile: Callable[[], GetProfileHandler]
    update_profile: Callable[[], UpdateProfileHandler]
    change_password: Callable[[], ChangePasswordHandler]
    request_password_reset: Callable[[], RequestPasswordResetHandler]
    confirm_password_reset: Callable[[], ConfirmPasswordResetHandler]
    verify_email: Callable[[], VerifyEmailHandler]
    resend_verification: Callable[[], ResendVerificationHandler]
    delete_account: Callable[[], DeleteAccountHandler]
    export_account: Callable[[], ExportAccountHandler]
    # two-factor authentication
    get_mfa_status: Callable[[], GetMfaStatusHandler]
    set_up_totp: Callable[[], SetUpTotpHandler]
    confirm_totp: Callable[[], ConfirmTotpHandler]
    disable_totp: Callable[[], DisableTotpHandler]
    regenerate_recovery_codes: Callable[[], RegenerateRecoveryCodesHandler]
    # passkeys
    begin_passkey_registration: Callable[[], BeginPasskeyRegistrationHandler]
    register_passkey: Callable[[], RegisterPasskeyHandler]
    list_passkeys: Callable[[], ListPasskeysHandler]
    rename_passkey: Callable[[], RenamePasskeyHandler]
    delete_passkey: Callable[[], DeletePasskeyHandler]
    begin_passkey_login: Callable[[], BeginPasskeyLoginHandler]
    log_in_with_passkey: Callable[[], LogInWithPasskeyHandler]
    begin_mfa_passkey: Callable[[], BeginMfaPasskeyHandler]
    # social login
    list_providers: Callable[[], ListProvidersHandler]
    begin_social_login: Callable[[], BeginSocialLoginHandler]
    handle_oauth_callback: Callable[[], HandleOAuthCallbackHandler]
    exchange_login_code: Callable[[], ExchangeLoginCodeHandler]
    list_identities: Callable[[], ListIdentitiesHandler]
    begin_identity_link: Callable[[], BeginIdentityLinkHandler]
    unlink_identity: Callable[[], UnlinkIdentityHandler]
    # API keys
    create_api_key: Callable[[], CreateApiKeyHandler]
    list_api_keys: Callable[[], ListApiKeysHandler]
    revoke_api_key: Callable[[], RevokeApiKeyHandler]
    # admin
    list_users: Callable[[], ListUsersHandler]
    get_user: Callable[[], GetUserHandler]
    update_user: Callable[[], UpdateUserHandler]
    unlock_user: Callable[[], UnlockUserHandler]
    revoke_user_sessions: Callable[[], RevokeUserSessionsHandler]
    reset_mfa: Callable[[], ResetMfaHandler]
    list_audit_events: Callable[[], ListAuditEventsHandler]
    # service accounts (administration, and their grant on POST /token)
    create_service_account: Callable[[], CreateServiceAccountHandler]
    list_service_accounts: Callable[[], ListServiceAccountsHandler]
    delete_service_account: Callable[[], DeleteServiceAccountHandler]
    rotate_service_account_secret: Callable[[], RotateServiceAccountSecretHandler]
    issue_service_token: Callable[[], IssueServiceTokenHandler]
    # tasks
    create_task: Callable[[], CreateTaskHandler]
    list_tasks: Callable[[], ListTasksHandler]
    get_task: Callable[[], GetTaskHandler]
    update_task: Callable[[], UpdateTaskHandler]
    delete_task: Callable[[], DeleteTaskHandler]
    # ops
    count_outbox_backlog: Callable[[], CountOutboxBacklogHandler]
    check_readiness: Callable[[], CheckReadinessHandler]

    def route_dependencies(self) -> dict[str, Provide]:
        """Litestar dependencies for the routes, named like the fields."""
        return {
            field.name: _dependency(getattr(self, field.name))
            for field in fields(self)
            if field.name not in _MIDDLEWARE_ONLY
        }


def _dependency(maker: Callable[[], object]) -> Provide:
    def provide() -> object:
        return maker()

    return Provide(provide, sync_to_thread=False)
