"""Servers that speak just enough of PostgreSQL's wire protocol to stall: what a hostile or broken host does.

A real PostgreSQL cannot be made to accept a connection and then never answer, so these are the one place the
live tests use a stand-in; everything the stand-ins send is real protocol (v3.0: SSLRequest refused with 'N',
AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery), and they never answer a query.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", 4 + len(body)) + body


def _startup(conn: socket.socket) -> bool:
    """Read the startup packet, refusing TLS and GSS encryption; False when the client went away."""
    while True:
        head = conn.recv(8)
        if len(head) < 8:
            return False
        length, code = struct.unpack("!ii", head)
        if code in (SSL_REQUEST, GSSENC_REQUEST):
            conn.sendall(b"N")
            continue
        conn.recv(length - 8)
        return True


def _handle(conn: socket.socket, mode: str, stop: threading.Event) -> None:
    with conn:
        if mode != "silent" and _startup(conn):
            conn.sendall(_message(b"R", struct.pack("!i", 0)))  # AuthenticationOk
            if mode == "ready":
                for key, value in (("server_version", "16.0"), ("client_encoding", "UTF8")):
                    conn.sendall(_message(b"S", key.encode() + b"\0" + value.encode() + b"\0"))
                conn.sendall(_message(b"K", struct.pack("!ii", 1, 2)))
                conn.sendall(_message(b"Z", b"I"))  # ready for a query it will never answer
        stop.wait()


@contextmanager
def stalling(mode: str) -> Iterator[int]:
    """A loopback server on a free port that stalls: `silent` (before authentication), `after-auth` (after
    AuthenticationOk, before ReadyForQuery) or `ready` (on the first query). Yields the port."""
    assert mode in ("silent", "after-auth", "ready")
    stop = threading.Event()
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_handle, args=(conn, mode, stop), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        server.close()
