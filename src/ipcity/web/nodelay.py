"""uvicorn's HTTP protocol with Nagle's algorithm off on every connection.

With `--workers` above 1, uvicorn binds the listening socket itself and hands it to the worker processes;
asyncio then does not set TCP_NODELAY on the accepted connections (it does for sockets it creates), and every
keep-alive response after the first waits about 40 ms for the client's delayed ACK (uvicorn issue #3149).
Setting the option when the connection is made fixes it for one worker and many alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "ipcity.web.nodelay:NoDelayH11Protocol"  # the `http` argument of uvicorn.run


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):  # the connection closed already: nothing to speed up
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)
