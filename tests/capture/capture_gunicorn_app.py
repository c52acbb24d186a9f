"""A small bound app that the gunicorn tests serve; reads its database from
the CAPTURE_TEST_DATABASE environment variable."""

from __future__ import annotations

import logging
import os
import time

import flask

import capture

logging.basicConfig(level=logging.WARNING)

app = flask.Flask(__name__)


@app.route("/hit")
def hit() -> str:
    time.sleep(0.002)
    return str(os.getpid())


@app.route("/pid")
def pid() -> str:
    return str(os.getpid())


capture.bind(app, database=os.environ["CAPTURE_TEST_DATABASE"])
