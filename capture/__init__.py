"""Capture: time every request of a Flask app and store it for flaskdash-tui.

Two lines monitor an app::

    import capture
    capture.bind(app)

Importing this package loads Flask, peewee, GitPython and psutil, and never
Textual, Rich or plotext.
"""

from __future__ import annotations

from capture.extension import Capture, bind
from capture.options import OptionError

__all__ = ["Capture", "OptionError", "bind"]
