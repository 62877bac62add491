"""/docs (Swagger UI) and /redoc from assets the service serves itself.

FastAPI's own pages load their scripts, styles and favicon from CDNs, so they stay blank
wherever the internet is out of reach (an intranet, a locked-down host). The package
fastapi-offline ships the same Swagger UI 5 and ReDoc 2 bundles; only its files are used
here, the pages are FastAPI's.
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"

# The pages may load nothing from elsewhere: what the bundles would still fetch from a CDN
# (ReDoc's footer logo) is refused by the browser instead of hanging offline. Both pages
# start their bundle from an inline script; ReDoc runs its search in a blob: worker.
_CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    )
)

_SWAGGER_UI_PARAMETERS = {
    # Swagger UI would otherwise show a badge fetched from validator.swagger.io.
    "validatorUrl": None,
}


def install_docs(app: FastAPI) -> None:
    """Serve the two documentation pages; the app is created with `docs_url=None` and
    `redoc_url=None` so FastAPI's CDN pages are not registered."""
    app.mount(ASSETS_URL, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")

    def _prefix(request: Request) -> str:
        # Behind a proxy that mounts the API under a path, the page's links need it too.
        root_path: str = request.scope.get("root_path", "")
        return root_path.rstrip("/")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        prefix = _prefix(request)
        page = get_swagger_ui_html(
            openapi_url=f"{prefix}{app.openapi_url}",
            title=f"{app.title} API",
            swagger_js_url=f"{prefix}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{prefix}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{prefix}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=_SWAGGER_UI_PARAMETERS,
        )
        page.headers["Content-Security-Policy"] = _CONTENT_SECURITY_POLICY
        return page

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        prefix = _prefix(request)
        page = get_redoc_html(
            openapi_url=f"{prefix}{app.openapi_url}",
            title=f"{app.title} API reference",
            redoc_js_url=f"{prefix}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{prefix}{ASSETS_URL}/favicon.png",
            # Google Fonts is a CDN too; ReDoc falls back to the system fonts.
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = _CONTENT_SECURITY_POLICY
        return page
