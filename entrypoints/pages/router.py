"""The routes of the hosted pages, their template engine, their static files, and their
Content-Security-Policy: scripts by nonce only, everything else from Bastion itself."""

from __future__ import annotations

import secrets
from pathlib import Path

from litestar import Router, get
from litestar.handlers import HTTPRouteHandler
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from entrypoints.http.route_marks import OWN_CSP_OPT

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
STATIC_PATH = "/pages/static"


# (path, template and script name, title) of each page.
PAGES = (
    ("/register", "register", "Create an account"),
    ("/login", "login", "Sign in"),
    ("/account", "account", "Your account"),
    ("/reset-password", "reset_password", "Choose a new password"),
    ("/verify-email", "verify_email", "Confirm your email address"),
)


def page_csp(nonce: str) -> str:
    """Scripts only with this response's nonce (no inline script, no eval), styles, images and calls
    only from Bastion itself (images also as data: URLs, for the TOTP QR code), no frames, no plugins,
    forms posting nowhere else."""
    return (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


def _page(path: str, name: str, title: str, app_name: str) -> HTTPRouteHandler:
    async def render() -> Template:
        nonce = secrets.token_urlsafe(18)
        context = {"title": title, "page": name, "nonce": nonce, "app_name": app_name, "static": STATIC_PATH}
        return Template(
            template_name=f"{name}.html",
            context=context,
            headers={"Content-Security-Policy": page_csp(nonce), "Cache-Control": "no-store"},
            media_type="text/html",
        )

    render.__name__ = f"page_{name}"
    return get(path, opt={OWN_CSP_OPT: True}, include_in_schema=False, name=f"page:{name}")(render)


def pages_router(app_name: str) -> Router:
    """Every page, and their scripts and styles under /pages/static."""
    statics = create_static_files_router(path=STATIC_PATH, directories=[STATIC], include_in_schema=False)
    handlers = [_page(path, name, title, app_name) for path, name, title in PAGES]
    return Router(path="/", route_handlers=[*handlers, statics])


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 over the pages' templates; autoescaping is on for .html (Litestar's Jinja default)."""
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine)
