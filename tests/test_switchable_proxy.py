"""The test proxy itself: off must refuse connections, and on must serve again."""
from __future__ import annotations

import http.server
import threading
import urllib.request

import pytest

from bot.runtime import free_port
from tests.switchable_proxy import SwitchableProxy


def test_proxy_switches_off_and_on():
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    proxy = SwitchableProxy(free_port(), upstream.server_address[1])
    get = lambda: urllib.request.urlopen(f"http://127.0.0.1:{proxy.port}/", timeout=5).status  # noqa: E731
    try:
        proxy.on()
        assert get() == 200
        proxy.off()
        with pytest.raises(OSError):
            get()
        proxy.on()
        assert get() == 200
    finally:
        proxy.off()
        upstream.shutdown()
