"""Test servers on a thread, stopped at once.

``serve_forever`` checks for shutdown every 0.5 s by default, so every stop waited about
half a second: over the suite's few hundred fake servers, minutes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

POLL_SECONDS = 0.05


def serve(server) -> Callable[[], None]:
    """Serve ``server`` on a daemon thread; return a function that stops and closes it."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    return stop
