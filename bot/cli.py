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
    """Start the action server, the Rasa server and the web chat page; Ctrl-C stops them."""
    from bot import runtime

    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    action_port = int(os.environ.get("ACTION_PORT", "5055"))
    web_port = int(os.environ.get("WEB_PORT", "8000"))
    # Rasa's HTTP API (tracker, parse) is opened only when a token protects it.
    auth_token = os.environ.get("RASA_AUTH_TOKEN") or None
    log_dir = VAR / "logs"
    env = runtime.base_env()
    # ACTION_ENDPOINT_URL: where Rasa calls the action server, when something (a proxy, a load
    # balancer) stands in front of it; by default the action server this command starts.
    endpoints = runtime.write_endpoints(VAR / "endpoints.yml", action_port,
                                        action_url=os.environ.get("ACTION_ENDPOINT_URL") or None)
    procs = [
        runtime.action_server(action_port, env, log_dir),
        runtime.rasa_server(rasa_port, endpoints, env, log_dir, enable_api=bool(auth_token),
                            auth_token=auth_token),
        runtime.web_server(web_port, rasa_port, env, log_dir),
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
    click.echo(f"\nThe assistant is ready.\n  Web chat:     http://127.0.0.1:{web_port}/\n"
               f"  REST channel: http://127.0.0.1:{rasa_port}/webhooks/rest/webhook\n"
               "Press Ctrl-C to stop.")
    while True:
        for proc in procs:
            if proc.proc and proc.proc.poll() is not None:
                click.echo(f"{proc.name} stopped unexpectedly; see {proc.log_path}", err=True)
                for other in reversed(procs):
                    other.stop()
                sys.exit(1)
        time.sleep(1)


if __name__ == "__main__":
    main()
