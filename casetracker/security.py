"""Headers that keep pages with personal data from being framed, sniffed or leaked.

The dashboard runs no inline script and loads nothing from other sites, so its policy
allows scripts, styles and images from the product's own origin only. The API's Swagger UI
page is the one exception: the page flask-smorest renders starts the viewer inline. With
single sign-on, forms may also lead to the identity provider: signing out redirects there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SWAGGER_POLICY = POLICY.replace(
    "script-src 'self'; style-src 'self'",
    "script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'",
)
HSTS = "max-age=31536000; includeSubDomains"


def private_page(response: Response) -> Response:
    """Keep a page behind an individual's private link out of caches and other sites' logs."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""
    over_https = app.config["CASETRACKER_BASE_URL"].startswith("https://")
    docs = app.config.get("OPENAPI_URL_PREFIX", "") + app.config.get("OPENAPI_SWAGGER_UI_PATH", "")
    page_policy = POLICY
    if app.config.get("OIDC_ISSUER"):
        issuer = urlsplit(app.config["OIDC_ISSUER"])
        # Browsers hold a form's redirects to form-action too: the sign-out button's.
        provider = f"form-action 'self' {issuer.scheme}://{issuer.netloc}"
        page_policy = POLICY.replace("form-action 'self'", provider)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        policy = SWAGGER_POLICY if request.path == docs else page_policy
        headers.setdefault("Content-Security-Policy", policy)
        if over_https:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
