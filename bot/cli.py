"""Command line for staff and operators: `python -m bot --help`.

Built on click (already a Rasa dependency) for sub-commands, help text and exit codes.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import click

from bot.paths import SERVICES_DIRECTORY, VAR


@click.group()
def main() -> None:
    """Cheshire care signposting assistant."""


@main.group()
def directory() -> None:
    """Check and publish the services directory (services_directory/*.yml)."""


@directory.command("validate")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path),
                default=SERVICES_DIRECTORY)
def directory_validate(path: Path) -> None:
    """Check the directory files under PATH (or one file): every problem as file:line: field: message.

    Exits 1 if there is any error; warnings alone exit 0.
    """
    from bot.directory.validation import validate_directory

    report = validate_directory(path)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s) in "
               f"{len(report.files)} file(s) checked.", err=True)
    sys.exit(1 if report.errors else 0)


@directory.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path),
                default=SERVICES_DIRECTORY)
def directory_load(path: Path) -> None:
    """Validate the files under PATH, then publish them to the live directory in one step.

    With any error nothing changes: residents keep getting the directory as it was.
    """
    from bot.directory.db import get_engine
    from sqlalchemy.exc import SQLAlchemyError

    from bot.directory.loader import LoadError, load

    try:
        result = load(path, get_engine())
    except SQLAlchemyError as exc:
        click.echo(f"Not published: the directory database could not be written "
                   f"({exc.__class__.__name__}: {str(exc.orig if hasattr(exc, 'orig') else exc)[:200]}). "
                   "The live directory was not changed.", err=True)
        sys.exit(1)
    except LoadError as exc:
        for problem in exc.report.problems:
            click.echo(str(problem))
        click.echo(f"Not published: {len(exc.report.errors)} error(s). The live directory was not changed.",
                   err=True)
        sys.exit(1)
    for problem in result.report.warnings:
        click.echo(str(problem))
    click.echo(f"Published {result.services} services in {result.communities} files "
               f"(version {result.version}).")


@main.command()
def run() -> None:
    """Start the action server, the Rasa server(s) and the web chat page; Ctrl-C stops them.

    Conversations go to TRACKER_STORE_URL (default: SQLite var/tracker.db), locks to
    LOCK_STORE_URL (default: in memory). RASA_SERVERS=N starts N Rasa servers on consecutive
    ports from RASA_PORT, with the web page spreading chat messages over them; N > 1 needs
    LOCK_STORE_URL (see docs/deployment.md). A server that stops is restarted, after a pause
    that grows while it keeps stopping. Secrets reach the servers in their environment only.
    """
    import secrets

    from bot import action_server, runtime

    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    action_port = int(os.environ.get("ACTION_PORT", "5055"))
    web_port = int(os.environ.get("WEB_PORT", "8000"))
    # Rasa's HTTP API (tracker, parse) is opened only when a token protects it.
    auth_token = os.environ.get("RASA_AUTH_TOKEN") or None
    try:
        servers = int(os.environ.get(runtime.RASA_SERVERS_ENV) or "1")
        if servers < 1:
            raise ValueError
    except ValueError:
        raise click.UsageError(f"{runtime.RASA_SERVERS_ENV} must be a whole number, 1 or more")
    try:
        tracker_store, lock_store = runtime.stores_from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc))
    if servers > 1 and not lock_store:
        raise click.UsageError(
            f"{runtime.RASA_SERVERS_ENV}={servers} needs a shared lock store: set {runtime.LOCK_STORE_URL_ENV} "
            "(redis://host:6379/0). With Rasa's in-memory lock store two servers could answer one "
            "conversation at the same time and lose its events.")
    if servers > 1 and tracker_store.get("dialect") == "sqlite":
        click.echo(f"Note: {servers} Rasa servers share the SQLite tracker store {tracker_store['db']}; "
                   f"use PostgreSQL ({runtime.TRACKER_STORE_URL_ENV}) for real traffic.", err=True)
    log_dir = VAR / "logs"
    env = runtime.base_env()
    # Rasa always sends the action server a bearer token: ACTION_SERVER_TOKEN, shared with action
    # servers elsewhere, or else one made up for this run, so that no other local user can call it.
    if not env.get(runtime.ACTION_SERVER_TOKEN_ENV):
        env[runtime.ACTION_SERVER_TOKEN_ENV] = secrets.token_hex(32)
    try:
        action_server.settings_from_env(env)
    except action_server.ConfigError as exc:
        raise click.UsageError(str(exc))
    # ACTION_ENDPOINT_URL: where Rasa calls the action server, when something (a proxy, a load
    # balancer) stands in front of it; by default the action server this command starts.
    endpoints = runtime.write_endpoints(VAR / "endpoints.yml", action_port,
                                        tracker_store=tracker_store, lock_store=lock_store,
                                        action_url=os.environ.get("ACTION_ENDPOINT_URL") or None,
                                        action_token=True)
    rasa_ports = [rasa_port + i for i in range(servers)]
    procs = [
        runtime.action_server(action_port, env, log_dir),
        *(runtime.rasa_server(port, endpoints, env, log_dir, enable_api=bool(auth_token),
                              auth_token=auth_token,
                              name="Rasa server" if servers == 1 else f"Rasa server on port {port}",
                              log_name="rasa.log" if i == 0 else f"rasa-{port}.log")
          for i, port in enumerate(rasa_ports)),
        runtime.web_server(web_port, rasa_port, env, log_dir, more_rasa_ports=rasa_ports[1:]),
    ]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        click.echo("\nStopping...")
        for proc in reversed(procs):
            proc.stop()
        click.echo("Stopped.")
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for proc in procs:
            click.echo(f"Starting {proc.name} (log: {proc.log_path})...")
            proc.start()
        for proc in procs:
            proc.wait_healthy(timeout=300)
    except (RuntimeError, TimeoutError) as exc:
        click.echo(f"Could not start: {exc}", err=True)
        for proc in reversed(procs):
            proc.stop()
        sys.exit(1)
    rest = ", ".join(f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in rasa_ports)
    click.echo(f"\nThe assistant is ready.\n  Web chat:     http://127.0.0.1:{web_port}/\n"
               f"  REST channel: {rest}\n"
               "Press Ctrl-C to stop.")
    supervisor = runtime.Supervisor(procs, report=lambda line: click.echo(line, err=True))
    while True:
        supervisor.check()
        time.sleep(1)


# --- privacy and the commissioners' report (docs/privacy.md) -------------------------------

DB_HELP = ("The conversation store's SQLAlchemy URL. Default: TRACKER_STORE_URL, else the store in "
           "var/endpoints.yml (written by `python -m bot run`), else sqlite var/tracker.db.")


class RetentionPeriod(click.ParamType):
    """A period of days or weeks: "90d", "13w"."""
    name = "period"

    def convert(self, value, param, ctx):
        from bot.privacy import RetentionError, parse_age

        if not isinstance(value, str):
            return value
        try:
            return parse_age(value)
        except RetentionError as exc:
            self.fail(str(exc), param, ctx)


def _open_tracker_store(db_url: str | None):
    """(store, engine) for the conversation store, or exit 1 saying why. Database errors are
    reported by class only: their text can quote rows (sender ids)."""
    from sqlalchemy.exc import ArgumentError

    from bot.tracker_db import TrackerStoreError, find_tracker_store, open_engine, require_events_table

    try:
        store = find_tracker_store(db_url)
    except ArgumentError:
        raise click.UsageError("--db or TRACKER_STORE_URL is not a database URL (like sqlite:///var/tracker.db "
                               "or postgresql://user@host/db)")
    except TrackerStoreError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    try:
        engine = open_engine(store)
        require_events_table(engine)
    except TrackerStoreError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    return store, engine


@main.group()
def privacy() -> None:
    """Personal data: delete conversations past their retention period (docs/privacy.md)."""


@privacy.command("purge")
@click.option("--older-than", type=RetentionPeriod(), default=None, metavar="PERIOD",
              help="Delete conversations whose last message is older than this, in days or weeks "
                   "(90d, 13w). Default: CONVERSATION_RETENTION_DAYS, or 90 days.")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted, and delete nothing.")
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
def privacy_purge(older_than, dry_run: bool, db_url: str | None) -> None:
    """Delete whole conversations whose last message is older than the retention period.

    One transaction: all of them go, or (on any error) none. Prints how many conversations and
    events were deleted, never which. Schedule it daily (docs/privacy.md).
    """
    import datetime as dt

    from sqlalchemy.exc import SQLAlchemyError

    from bot.privacy import RETENTION_ENV, RetentionError, purge, retention_days

    if older_than is None:
        try:
            older_than = dt.timedelta(days=retention_days())
        except RetentionError as exc:
            raise click.UsageError(str(exc))
        source = RETENTION_ENV if os.environ.get(RETENTION_ENV) else "the default retention"
    else:
        source = "--older-than"
    store, engine = _open_tracker_store(db_url)
    click.echo(f"Conversation store: {store.describe()}")
    try:
        result = purge(engine, older_than, dry_run=dry_run)
    except SQLAlchemyError as exc:
        click.echo(f"Nothing deleted: the conversation store could not be changed ({exc.__class__.__name__}).",
                   err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {result.conversations} conversation(s), {result.events} event(s): those whose last "
               f"message was before {result.cutoff:%Y-%m-%d %H:%M} UTC ({older_than.days} days, {source}).")


@main.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, metavar="DATE",
              help="The first day to count (YYYY-MM-DD, UK time).")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="DATE",
              help="The last day to count, included (default: up to now).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="The HTML file to write.")
@click.option("--db", "db_url", metavar="URL", help=DB_HELP)
@click.option("--directory-db", metavar="URL",
              help="The services directory, for Care Community and place names (default: DIRECTORY_DB_URL or "
                   "sqlite var/directory.db).")
def report(since, until, out: Path, db_url: str | None, directory_db: str | None) -> None:
    """Write the commissioners' report: counts and charts, no message text, small numbers hidden."""
    import datetime as dt

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from bot.directory.db import directory_db_url
    from bot.report.data import LONDON, read_summary
    from bot.report.names import load_directory
    from bot.report.render import render

    now = dt.datetime.now(dt.timezone.utc)
    start = since.replace(tzinfo=LONDON)
    end = (until + dt.timedelta(days=1)).replace(tzinfo=LONDON) if until else now
    end = min(end, now)
    if start >= end:
        raise click.UsageError("--since must be before --until and not in the future")
    store, engine = _open_tracker_store(db_url)
    click.echo(f"Conversation store: {store.describe()}")
    directory_engine = None
    try:
        url = make_url(directory_db or directory_db_url())
        if url.get_backend_name() != "sqlite" or (url.database and Path(url.database).exists()):
            directory_engine = create_engine(url, future=True)
    except ArgumentError:
        raise click.UsageError("--directory-db or DIRECTORY_DB_URL is not a database URL")
    try:
        directory = load_directory(directory_engine)
        summary = read_summary(engine, start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc), directory)
    except SQLAlchemyError as exc:
        click.echo(f"No report: the conversation store could not be read ({exc.__class__.__name__}).", err=True)
        sys.exit(1)
    finally:
        engine.dispose()
        if directory_engine is not None:
            directory_engine.dispose()
    if not directory.available:
        click.echo("Note: the services directory could not be read; Care Communities are shown by id.", err=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(render(summary, directory, generated=now), encoding="utf-8")
    partial.replace(out)  # a reader never sees half a report
    click.echo(f"Wrote {out}: {summary.conversations} conversation(s) from {start:%Y-%m-%d} to "
               f"{(end - dt.timedelta(microseconds=1)).astimezone(LONDON):%Y-%m-%d}.")


if __name__ == "__main__":
    main()
