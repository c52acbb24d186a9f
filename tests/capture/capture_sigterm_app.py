"""Serve a bound app with werkzeug until SIGTERM; the capture tests run it.

argv: database path, marker file that the app's own SIGTERM handler writes.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

import flask
from werkzeug.serving import make_server

import capture

database, marker = sys.argv[1], Path(sys.argv[2])


def on_sigterm(signum: int, frame: FrameType | None) -> None:
    marker.write_text("previous handler ran\n")
    raise SystemExit(0)


signal.signal(signal.SIGTERM, on_sigterm)
app = flask.Flask(__name__)
app.add_url_rule("/", "index", lambda: "index")
capture.bind(app, database=database)
server = make_server("127.0.0.1", 0, app)
print(server.server_port, flush=True)
server.serve_forever()
