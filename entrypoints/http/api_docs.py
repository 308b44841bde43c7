"""The interactive API docs under /schema: Scalar (the default page) and Swagger UI (/schema/swagger),
both loaded from the pinned copies in `docs_assets/` (origin, versions, checksums and licences in its
README), so that the pages need nothing but Bastion itself."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin, ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

DOCS_PATH: Final = "/schema"
ASSETS_PATH: Final = f"{DOCS_PATH}/assets"
ASSETS_DIRECTORY: Final = Path(__file__).with_name("docs_assets")
# The directory names carry the package versions, so an asset URL never changes its content.
SCALAR: Final = "vendor/scalar-api-reference-1.76.4"
SWAGGER_UI: Final = "vendor/swagger-ui-dist-5.36.0"
# An empty icon: without a <link rel=icon> the browser asks for /favicon.ico, and Litestar's default is on a CDN.
_NO_FAVICON: Final = "<link rel='icon' href='data:,'>"
# Scalar's defaults fetch web fonts and report usage to its vendor, and offer (on a click) to hand the
# document to its vendor's services: an AI chat, developer tools to share it or generate SDKs, and a
# button that opens it in a hosted API client. The docs stay offline and the document stays here;
# the in-page client ("Test Request") sends its requests straight to Bastion.
_SCALAR_OPTIONS: Final = {
    "withDefaultFonts": False,
    "telemetry": False,
    "agent": {"disabled": True},
    "showDeveloperTools": "never",
    "hideClientButton": True,
}
_ONE_YEAR: Final = 365 * 24 * 3600


def asset_url(name: str) -> str:
    return f"{ASSETS_PATH}/{name}"


def render_plugins() -> list[OpenAPIRenderPlugin]:
    return [
        ScalarRenderPlugin(
            js_url=asset_url(f"{SCALAR}/standalone.js"),
            css_url=asset_url("scalar-page.css"),
            options=dict(_SCALAR_OPTIONS),
            favicon=_NO_FAVICON,
        ),
        SwaggerRenderPlugin(
            path="/swagger",
            js_url=asset_url(f"{SWAGGER_UI}/swagger-ui-bundle.js"),
            css_url=asset_url(f"{SWAGGER_UI}/swagger-ui.css"),
            standalone_preset_js_url=asset_url(f"{SWAGGER_UI}/swagger-ui-standalone-preset.js"),
            favicon=_NO_FAVICON,
        ),
    ]


def assets_router() -> Router:
    """The files of `docs_assets/` under /schema/assets, cacheable for a year (their URLs name their versions)."""
    return create_static_files_router(
        ASSETS_PATH,
        directories=[ASSETS_DIRECTORY],
        name="docs_assets",
        cache_control=CacheControlHeader(public=True, max_age=_ONE_YEAR, immutable=True),
        include_in_schema=False,
    )
