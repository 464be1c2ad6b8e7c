"""What every route shares: the session, roles, CSRF, the language, and rendering.

CSRF: every POST must carry the token of its session (a hidden ``csrf_token`` field in forms,
the ``X-CSRF-Token`` header in fetch calls). Before login the token is a random value in a
pre-session cookie. Tokens are compared in constant time.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from review.auth import Session, load_session, same_token
from review.desk import Desk
from review.i18n import LANGUAGES, field_label, reason_text, translator

SESSION_COOKIE = "sohoa_review_session"
PRE_CSRF_COOKIE = "sohoa_review_csrf"
LANG_COOKIE = "sohoa_review_lang"
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
_UNSET = object()


class NotLoggedIn(Exception):
    pass


class Forbidden(Exception):
    pass


class CsrfRefused(Exception):
    pass


def desk(request: Request) -> Desk:
    return request.app.state.desk


def session(request: Request) -> Session | None:
    found = getattr(request.state, "review_session", _UNSET)
    if found is _UNSET:
        found = request.state.review_session = load_session(desk(request).engine,
                                                            request.cookies.get(SESSION_COOKIE))
    return found


def require_login(request: Request) -> Session:
    found = session(request)
    if found is None:
        raise NotLoggedIn()
    return found


def require_supervisor(request: Request) -> Session:
    found = require_login(request)
    if not found.user.can_decide:
        raise Forbidden()
    return found


def require_admin(request: Request) -> Session:
    found = require_login(request)
    if not found.user.can_manage_users:
        raise Forbidden()
    return found


def csrf_token(request: Request) -> str:
    found = session(request)
    if found is not None:
        return found.csrf
    token = request.cookies.get(PRE_CSRF_COOKIE)
    if not token or len(token) > 128:
        token = request.state.new_pre_csrf = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """Router dependency: refuse any POST without the right token."""
    if request.method != "POST":
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        sent = form.get("csrf_token")
    found = session(request)
    expected = found.csrf if found else request.cookies.get(PRE_CSRF_COOKIE)
    if not same_token(str(sent) if sent else None, expected):
        raise CsrfRefused()


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in LANGUAGES else desk(request).config.language


def is_fetch(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


def set_cookie(request: Request, response: Response, name: str, value: str, *,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=desk(request).config.secure_cookies, path="/")


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status: int = 200) -> HTMLResponse:
    lang = language(request)
    found = session(request)
    base = {"request": request, "t": translator(lang), "lang": lang, "languages": LANGUAGES,
            "user": found.user if found else None, "csrf": csrf_token(request),
            "field_label": lambda name: field_label(lang, name),
            "reason_text": lambda reason: reason_text(lang, reason)}
    response = TEMPLATES.TemplateResponse(request, template, {**base, **(context or {})},
                                          status_code=status)
    if getattr(request.state, "new_pre_csrf", None):
        set_cookie(request, response, PRE_CSRF_COOKIE, request.state.new_pre_csrf)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
