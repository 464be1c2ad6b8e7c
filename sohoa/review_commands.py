"""`sohoa review` (the supervisor's desk, a web app) and `sohoa users ...` (its accounts).

Registered on the main app with::

    from sohoa.review_commands import review_app, users_app
    app.add_typer(review_app)                 # `sohoa review` joins the top level
    app.add_typer(users_app, name="users")    # `sohoa users add|list|set-role|...`

The review package is imported inside the commands, so `sohoa --help` stays quick.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from kernel.errors import SohoaError

review_app = typer.Typer(add_completion=False, help="The supervisor's desk (web app).")
users_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="Accounts of the review desk: archivist, supervisor, admin.")
console = Console()
err = Console(stderr=True)
ROLE_HELP = "archivist (sees batches and reports), supervisor (decides) or admin (manages users)"


def _fail(exc: SohoaError) -> None:
    err.print(f"[bold red]error:[/] {exc.message}", soft_wrap=True)
    if exc.hint:
        err.print(f"[yellow]what to do:[/] {exc.hint}", soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def _engine():
    from kernel.settings import Settings
    from review.config import ReviewConfig
    from review.db import open_db

    try:
        return open_db(ReviewConfig.from_settings(Settings()).db_url)
    except SohoaError as exc:
        _fail(exc)


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


@review_app.command("review")
def review(host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
           port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8700) -> None:
    """Serve the review desk (http://127.0.0.1:8700 by default)."""
    import uvicorn

    from kernel.settings import Settings
    from review.auth import list_users
    from review.web import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
        app = create_app(settings)
    except SohoaError as exc:
        _fail(exc)
    desk = app.state.desk
    if not any(u.active and u.role == "supervisor" for u in list_users(desk.engine)):
        err.print("[yellow]warning:[/] no supervisor account yet: "
                  "`sohoa users add NAME --role supervisor`")
    loopback = host == "localhost" or _is_loopback(host)
    if not loopback and not desk.config.secure_cookies:
        err.print("[yellow]warning:[/] serving beyond this machine without secure cookies: put it "
                  "behind HTTPS and set SOHOA_REVIEW_SECURE_COOKIES=true")
    console.print(f"review desk on http://{host}:{port} (queue from "
                  f"{', '.join(str(p) for p in desk.config.exports)}); Ctrl-C stops it",
                  soft_wrap=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@users_app.command("add")
def users_add(username: Annotated[str, typer.Argument(help="Sign-in name.")],
              role: Annotated[str, typer.Option("--role", help=ROLE_HELP)] = "supervisor",
              name: Annotated[Optional[str], typer.Option("--name", help="Full name shown.")] = None,
              password_stdin: Annotated[bool, typer.Option(
                  "--password-stdin", help="Read the password from standard input.")] = False) -> None:
    """Add an account (the password is asked for, or read from standard input)."""
    from review.auth import add_user

    engine = _engine()
    try:
        user = add_user(engine, username, _password(password_stdin), role, name)
    except SohoaError as exc:
        _fail(exc)
    console.print(f"added {user.username} ({user.role})")


@users_app.command("list")
def users_list() -> None:
    """The accounts, their roles and whether they are active."""
    from review.auth import list_users

    table = Table(show_header=True)
    for col in ("user", "name", "role", "active"):
        table.add_column(col)
    for u in list_users(_engine()):
        table.add_row(u.username, u.display_name, u.role, "yes" if u.active else "no")
    console.print(table)


def _change(username: str, **change) -> None:
    from review.auth import change_user

    try:
        user = change_user(_engine(), username, **change)
    except SohoaError as exc:
        _fail(exc)
    console.print(f"{user.username}: {user.role}, {'active' if user.active else 'disabled'}")


@users_app.command("set-role")
def users_set_role(username: str, role: Annotated[str, typer.Argument(help=ROLE_HELP)]) -> None:
    """Change an account's role (its sessions end)."""
    _change(username, role=role)


@users_app.command("set-password")
def users_set_password(username: str, password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False) -> None:
    """Set a new password (the account's sessions end)."""
    _change(username, password=_password(password_stdin))


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Stop an account from signing in (its sessions end). Its audit entries stay."""
    _change(username, active=False)


@users_app.command("enable")
def users_enable(username: str) -> None:
    """Let a disabled account sign in again."""
    _change(username, active=True)


if __name__ == "__main__":  # python -m sohoa.review_commands review
    root = typer.Typer(add_completion=False)
    root.add_typer(review_app)
    root.add_typer(users_app, name="users")
    root()
