"""The app factory: ``create_app(settings)`` gives the FastAPI app of the supervisor's desk.

Security: session cookies are HttpOnly and SameSite=Strict (Secure when
``SOHOA_REVIEW_SECURE_COOKIES`` is on: leave it off only on plain http://127.0.0.1); every POST
needs its CSRF token; every response carries a Content-Security-Policy without inline scripts
or styles, ``frame-ancestors 'none'``, ``nosniff`` and ``no-store`` (pages show personal data).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kernel.errors import SohoaError
from review.config import ReviewConfig
from review.desk import Desk
from review.http import (CsrfRefused, Forbidden, NotLoggedIn, is_fetch, language, redirect,
                         render)
from review.i18n import translator
from review.values import BadValue
from review.writeback import ReviewConflict

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def create_app(settings: Any, config: ReviewConfig | None = None) -> FastAPI:
    from review import routes_admin, routes_auth, routes_desk

    config = config or ReviewConfig.from_settings(settings)
    app = FastAPI(title="sohoa review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.desk = Desk(settings, config)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (routes_auth, routes_desk, routes_admin):
        app.include_router(module.router)
    _add_handlers(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:
        response = await call_next(request)
        h = response.headers
        h["Content-Security-Policy"] = CSP
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "no-referrer"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.url.path.startswith("/static/"):
            h["Cache-Control"] = "no-store"
        if config.secure_cookies:
            h["Strict-Transport-Security"] = "max-age=31536000"
        return response

    return app


def _problem(request: Request, status: int, key: str, **params: Any) -> Response:
    t = translator(language(request))
    if is_fetch(request) or request.url.path.endswith(".png"):
        return JSONResponse({"error": key, "message": t(key, **params)}, status_code=status)
    return render(request, "error.html", {"message": t(key, **params), "status": status},
                  status=status)


def _add_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, _exc: NotLoggedIn) -> Response:
        if is_fetch(request) or request.method != "GET":
            return JSONResponse({"error": "login", "location": "/login"}, status_code=401)
        return redirect("/login")

    @app.exception_handler(Forbidden)
    @app.exception_handler(PermissionError)
    async def forbidden(request: Request, _exc: Exception) -> Response:
        return _problem(request, 403, "forbidden")

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _exc: CsrfRefused) -> Response:
        log.warning("review: POST %s refused: missing or wrong CSRF token", request.url.path)
        return _problem(request, 403, "csrf_refused")

    @app.exception_handler(BadValue)
    async def bad_value(request: Request, exc: BadValue) -> Response:
        return _problem(request, 422, str(exc))

    @app.exception_handler(ReviewConflict)
    async def conflict(request: Request, exc: ReviewConflict) -> Response:
        return _problem(request, 409, "conflict", detail=str(exc))

    @app.exception_handler(SohoaError)
    async def sohoa_error(request: Request, exc: SohoaError) -> Response:
        log.error("review: %s", exc)
        return _problem(request, 500, "conflict", detail=str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, _exc: RequestValidationError) -> Response:
        return _problem(request, 422, "bad_action")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _problem(request, exc.status_code, "not_found" if exc.status_code == 404
                        else "bad_action")
