"""Security headers on every response: no sniffing, no framing, no referrer, a strict content policy.

The webhook, health and metrics answers are plain text or JSON; the staff console's pages load only what
this host serves. HSTS is sent on requests that arrived over HTTPS (behind a proxy, configure the proxy to
pass that on, or to add the header itself).
"""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import request

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Add the headers to every response the app gives."""
    app.after_request(add_headers)


def add_headers(response: Response) -> Response:
    """``response`` with the security headers set (a view that set one itself keeps its own)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
