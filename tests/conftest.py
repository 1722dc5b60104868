"""Shared fixtures. `assistant` starts the real stack once per test session.

It runs `python -m bot run` (the command `make run` uses) on free ports with the trained model,
a temporary tracker store and a temporary directory database, waits until the action server,
the Rasa server and the web page are healthy, and stops them all at the end.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot import runtime
from bot.directory.db import engine_for
from bot.directory.loader import load
from bot.paths import SERVICES_DIRECTORY
from tests.switchable_proxy import SwitchableProxy


@dataclass
class Assistant:
    """A running assistant, spoken to over HTTP as a channel would."""
    rasa_url: str
    web_url: str
    action_url: str
    auth_token: str
    directory_db_url: str
    var_dir: Path
    action_proxy: SwitchableProxy
    # SMS channel (bot/channels/sms.py): Twilio auth token, pseudonym key, channel database.
    twilio_auth_token: str = ""
    sms_sender_key: str = ""
    channel_db_url: str = ""
    run_pid: int = 0  # `python -m bot run`, parent of the servers

    def send(self, text: str, sender: str | None = None, via_web: bool = False) -> list[dict]:
        base = self.web_url if via_web else self.rasa_url
        resp = requests.post(f"{base}/webhooks/rest/webhook",
                             json={"sender": sender or new_sender(), "message": text}, timeout=60)
        resp.raise_for_status()
        return resp.json()

    def tracker(self, sender: str) -> dict:
        resp = requests.get(f"{self.rasa_url}/conversations/{sender}/tracker",
                            params={"token": self.auth_token}, timeout=30)
        resp.raise_for_status()
        return resp.json()

    def slots(self, sender: str) -> dict:
        return self.tracker(sender)["slots"]


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def texts(messages: list[dict]) -> str:
    """All the text a resident would read, as one string."""
    return "\n".join(m.get("text", "") for m in messages)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    try:
        runtime.latest_model()
    except FileNotFoundError as exc:
        pytest.fail(f"{exc} (`make test` trains before running pytest)")
    var_dir = tmp_path_factory.mktemp("assistant-var")
    directory_db_url = f"sqlite:///{var_dir / 'directory.db'}"
    load(SERVICES_DIRECTORY, engine_for(directory_db_url))
    ports = {name: runtime.free_port() for name in ("RASA_PORT", "ACTION_PORT", "WEB_PORT")}
    token = secrets.token_hex(16)
    # Rasa reaches the action server through a proxy the tests can switch off ("action server down").
    proxy = SwitchableProxy(runtime.free_port(), ports["ACTION_PORT"])
    proxy.on()
    sms = {"TWILIO_AUTH_TOKEN": secrets.token_hex(16), "SMS_SENDER_KEY": secrets.token_hex(32),
           "CHANNEL_DB_URL": f"sqlite:///{var_dir / 'channels.db'}", "SMS_PUBLIC_URL": ""}
    env = runtime.base_env(CARE_VAR_DIR=str(var_dir), DIRECTORY_DB_URL=directory_db_url,
                           RASA_AUTH_TOKEN=token, ACTION_ENDPOINT_URL=f"http://127.0.0.1:{proxy.port}/webhook",
                           **sms, **{k: str(v) for k, v in ports.items()})
    run = runtime.Managed("python -m bot run",
                          [str(runtime.VENV_BIN / "python"), "-m", "bot", "run"],
                          f"http://127.0.0.1:{ports['WEB_PORT']}/healthz", env,
                          var_dir / "run.log")
    run.start()
    try:
        run.wait_healthy(timeout=300)
        rasa = runtime.Managed("rasa", [], f"http://127.0.0.1:{ports['RASA_PORT']}/", env,
                               var_dir / "run.log", proc=run.proc)
        rasa.wait_healthy(timeout=300)
        actions = runtime.Managed("actions", [], f"http://127.0.0.1:{ports['ACTION_PORT']}/health",
                                  env, var_dir / "run.log", proc=run.proc)
        actions.wait_healthy(timeout=60)
        yield Assistant(
            rasa_url=f"http://127.0.0.1:{ports['RASA_PORT']}",
            web_url=f"http://127.0.0.1:{ports['WEB_PORT']}",
            action_url=f"http://127.0.0.1:{ports['ACTION_PORT']}",
            auth_token=token, directory_db_url=directory_db_url, var_dir=var_dir, action_proxy=proxy,
            twilio_auth_token=sms["TWILIO_AUTH_TOKEN"], sms_sender_key=sms["SMS_SENDER_KEY"],
            channel_db_url=sms["CHANNEL_DB_URL"], run_pid=run.proc.pid)
    finally:
        run.stop(timeout=30)
        proxy.off()
