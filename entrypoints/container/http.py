"""http_handlers: the use cases of `UseCases` that the HTTP layer serves, as its typed collection."""

from __future__ import annotations

from entrypoints.container.use_cases import UseCases
from entrypoints.http.handlers import HttpHandlers


def http_handlers(use_cases: UseCases) -> HttpHandlers:
    """Every provider the HTTP layer needs, by its field (a table, hence longer than 30 lines)."""
    return HttpHandlers(
        authenticate=use_cases.authenticate,
        identify_caller=use_cases.identify_caller,
        create_api_key=use_cases.create_api_key,
        list_api_keys=use_cases.list_api_keys,
        revoke_api_key=use_cases.revoke_api_key,
        throttle_request=use_cases.throttle_request,
        register_user=use_cases.register_user,
        register_privately=use_cases.register_privately,
        log_in=use_cases.log_in,
        complete_mfa_login=use_cases.complete_mfa_login,
        refresh_session=use_cases.refresh_session,
        log_out=use_cases.log_out,
        log_out_everywhere=use_cases.log_out_everywhere,
        list_sessions=use_cases.list_sessions,
        end_session=use_cases.end_session,
        get_public_keys=use_cases.get_public_keys,
        get_profile=use_cases.get_profile,
        update_profile=use_cases.update_profile,
        change_password=use_cases.change_password,
        request_password_reset=use_cases.request_password_reset,
        confirm_password_reset=use_cases.confirm_password_reset,
        verify_email=use_cases.verify_email,
        resend_verification=use_cases.resend_verification,
        delete_account=use_cases.delete_account,
        export_account=use_cases.export_account,
        get_mfa_status=use_cases.get_mfa_status,
        set_up_totp=use_cases.set_up_totp,
        confirm_totp=use_cases.confirm_totp,
        disable_totp=use_cases.disable_totp,
        regenerate_recovery_codes=use_cases.regenerate_recovery_codes,
        begin_passkey_registration=use_cases.begin_passkey_registration,
        register_passkey=use_cases.register_passkey,
        list_passkeys=use_cases.list_passkeys,
        rename_passkey=use_cases.rename_passkey,
        delete_passkey=use_cases.delete_passkey,
        begin_passkey_login=use_cases.begin_passkey_login,
        log_in_with_passkey=use_cases.log_in_with_passkey,
        begin_mfa_passkey=use_cases.begin_mfa_passkey,
        list_users=use_cases.list_users,
        get_user=use_cases.get_user,
        update_user=use_cases.update_user,
        unlock_user=use_cases.unlock_user,
        revoke_user_sessions=use_cases.revoke_user_sessions,
        reset_mfa=use_cases.reset_mfa,
        list_audit_events=use_cases.list_audit_events,
        create_task=use_cases.create_task,
        list_tasks=use_cases.list_tasks,
        get_task=use_cases.get_task,
        update_task=use_cases.update_task,
        delete_task=use_cases.delete_task,
        check_readiness=use_cases.check_readiness,
        count_outbox_backlog=use_cases.count_outbox_backlog,
    )
