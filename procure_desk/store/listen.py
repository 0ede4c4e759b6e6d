"""Hearing other members' changes: PostgreSQL's LISTEN/NOTIFY, not polling.

Every unit of work that writes an audit event makes the server notify the
evaluation's channel (a trigger, see team.py) when it commits. A `Listener`
holds its own connection on a background thread and calls back with the
login that made the change; the caller decides what to refresh.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from . import pg, team

log = logging.getLogger(__name__)
WAIT_S = 0.25  # how often the thread looks whether it was asked to stop


class Listener:
    """Calls `on_change(login)` (on its own thread) whenever a member commits a change."""

    def __init__(self, address: pg.Address, on_change: Callable[[str], None]):
        self.address = address
        self.on_change = on_change
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._conn = pg.connect_raw(address.conninfo, address.shown)
        self._conn.autocommit = True
        self._conn.execute(f"LISTEN {team.channel_name(address)}")
        self._thread = threading.Thread(target=self._run, name="procure-desk-listen",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                for note in self._conn.notifies(timeout=WAIT_S):
                    login = note.payload.split(" ", 1)[0]
                    try:
                        self.on_change(login)
                    except Exception:  # a callback's failure must not end the listening
                        log.exception("change notification not handled")
                    if self._stop.is_set():
                        break
        except Exception as exc:  # the connection dropped: the app's own polling remains
            if not self._stop.is_set():
                log.warning("stopped hearing changes from the server: %s", exc)
        finally:
            self._conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2 * WAIT_S + 1)
