"""The action server closed to strangers (bot/action_server.py), on a real `python -m bot.action_server`:
it listens on 127.0.0.1 unless ACTION_HOST says otherwise, refuses to listen for other hosts
without ACTION_SERVER_TOKEN, and with the token refuses every request that lacks it. (Rasa's own
calls carrying it, through the whole assistant: tests/integration/test_supervisor.py.)"""
from __future__ import annotations

import secrets
import subprocess
import sys

import pytest
import requests

from bot import action_server, runtime
from tests.processes import listening_addresses, non_loopback_address

TOKEN = secrets.token_hex(32)


def start(tmp_path, **env: str) -> runtime.Managed:
    port = runtime.free_port()
    server = runtime.action_server(port, runtime.base_env(**env), tmp_path)
    server.start()
    server.wait_healthy(120)
    return server


@pytest.fixture(scope="module")
def with_token(tmp_path_factory):
    server = start(tmp_path_factory.mktemp("actions"), ACTION_SERVER_TOKEN=TOKEN, ACTION_HOST="")  # the default
    yield server, server.health_url.rsplit("/", 1)[0]
    server.stop()


def test_by_default_it_listens_on_loopback_only(with_token):
    server, base = with_token
    port = int(base.rsplit(":", 1)[1])
    assert listening_addresses(port) == {"127.0.0.1"}
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://{non_loopback_address()}:{port}/health", timeout=5)
    assert requests.get(f"{base}/health", timeout=5).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Bearer {TOKEN[:-1]}"},
                                     {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": "Bearer é"}])
def test_a_request_without_the_token_is_refused(with_token, headers):
    _, base = with_token
    call = {"next_action": "action_triage", "sender_id": "x", "version": "3.6.21",
            "tracker": {"sender_id": "x", "slots": {}, "latest_message": {}, "events": []}, "domain": {}}
    for resp in (requests.post(f"{base}/webhook", json=call, headers=headers, timeout=10),
                 requests.get(f"{base}/actions", headers=headers, timeout=10)):
        assert resp.status_code == 401, (headers, resp.status_code, resp.text[:200])
        assert resp.headers["WWW-Authenticate"] == "Bearer"


def test_the_token_opens_it_and_health_needs_none(with_token):
    _, base = with_token
    resp = requests.get(f"{base}/actions", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert resp.status_code == 200 and {"name": "action_triage"} in resp.json()
    assert requests.get(f"{base}/health", timeout=10).json() == {"status": "ok"}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "actions.internal"])
def test_it_will_not_listen_for_other_hosts_without_a_token(host):
    env = runtime.base_env(ACTION_HOST=host, ACTION_SERVER_TOKEN="")
    done = subprocess.run([sys.executable, "-m", "bot.action_server", "--actions", "actions",
                           "--port", str(runtime.free_port())], env=env, cwd=runtime.ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"ACTION_HOST={host} lets other hosts reach the action server: set ACTION_SERVER_TOKEN" in done.stderr


def test_settings():
    assert action_server.settings_from_env({}) == ("127.0.0.1", None)
    assert action_server.settings_from_env({"ACTION_HOST": "0.0.0.0", "ACTION_SERVER_TOKEN": TOKEN}) \
        == ("0.0.0.0", TOKEN)
    assert action_server.settings_from_env({"ACTION_HOST": "::1"}) == ("::1", None)
    with pytest.raises(action_server.ConfigError, match="too short"):
        action_server.settings_from_env({"ACTION_SERVER_TOKEN": "short"})


def test_it_listens_for_other_hosts_when_configured_and_still_wants_the_token(tmp_path):
    server = start(tmp_path, ACTION_HOST="0.0.0.0", ACTION_SERVER_TOKEN=TOKEN)
    try:
        port = int(server.health_url.rsplit("/", 1)[0].rsplit(":", 1)[1])
        outside = f"http://{non_loopback_address()}:{port}"
        assert requests.get(f"{outside}/health", timeout=10).status_code == 200
        assert requests.get(f"{outside}/actions", timeout=10).status_code == 401
        assert requests.get(f"{outside}/actions", headers={"Authorization": f"Bearer {TOKEN}"},
                            timeout=10).status_code == 200
    finally:
        server.stop()
