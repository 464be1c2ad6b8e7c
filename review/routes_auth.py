"""Signing in and out, and the language switch."""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from review.auth import RateLimited, authenticate, end_session, start_session
from review.http import (LANG_COOKIE, SESSION_COOKIE, check_csrf, desk, redirect, render,
                         session, set_cookie)
from review.i18n import LANGUAGES

log = logging.getLogger(__name__)
router = APIRouter(dependencies=[Depends(check_csrf)])


def home_for(role: str) -> str:
    return {"supervisor": "/desk", "admin": "/users"}.get(role, "/batches")


def _safe_next(url: str | None) -> str | None:
    """Only a path of this site (no scheme, no host): no open redirect."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return None
    parts = urlsplit(url)
    return url if not parts.scheme and not parts.netloc else None


@router.get("/")
def home(request: Request) -> Response:
    found = session(request)
    return redirect(home_for(found.user.role) if found else "/login")


@router.get("/login")
def login_form(request: Request) -> Response:
    if session(request) is not None:
        return redirect(home_for(session(request).user.role))
    return render(request, "login.html", {"hours": desk(request).config.session_minutes // 60})


@router.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)]) -> Response:
    d = desk(request)
    client = request.client.host if request.client else "-"
    context = {"hours": d.config.session_minutes // 60, "username": username}
    try:
        user = authenticate(d.engine, username, password, client,
                            max_failures=d.config.login_attempts,
                            window_s=d.config.login_window_s)
    except RateLimited as exc:
        log.warning("review: sign-in refused for a while (too many failures) from %s", client)
        return render(request, "login.html", {**context, "error": "login_limited",
                                              "minutes": max(1, round(exc.retry_after_s / 60))},
                      status=429)
    if user is None:
        log.info("review: failed sign-in from %s", client)
        return render(request, "login.html", {**context, "error": "login_wrong"}, status=401)
    token, _ = start_session(d.engine, user, d.config.session_minutes)
    log.info("review: %s signed in (%s)", user.username, user.role)
    response = redirect(home_for(user.role))
    set_cookie(request, response, SESSION_COOKIE, token, max_age=d.config.session_minutes * 60)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    found = session(request)
    if found is not None:
        end_session(desk(request).engine, found.token_hash)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/lang")
def switch_language(request: Request, lang: Annotated[str, Form()],
                    next: Annotated[str | None, Form()] = None) -> Response:
    response = redirect(_safe_next(next) or "/")
    if lang in LANGUAGES:
        set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 86400)
    return response
