"""A TCP forwarder that tests can switch off, to make a server look down to its clients."""
from __future__ import annotations

import socket
import threading


class SwitchableProxy:
    """Listens on `port` and forwards to `target_port` while on; refuses connections while off."""

    def __init__(self, port: int, target_port: int):
        self.port, self.target_port = port, target_port
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def on(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        self._thread = threading.Thread(target=self._accept, args=(server,), daemon=True)
        self._thread.start()

    def off(self) -> None:
        if self._server:
            try:  # wakes the thread blocked in accept(); close() alone does not on Linux
                self._server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._server.close()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
