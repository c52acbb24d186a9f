"""The exceptions tab of the endpoint detail view.

It is the app-wide exceptions panel limited to one endpoint, with the detail
view's keys. The detail view hosts it as
``EndpointExceptionsPanel(endpoint, load_on_mount=True)`` and calls
:meth:`EndpointExceptionsPanel.reload` when the database changes.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType

from flaskdash_tui import keys
from flaskdash_tui.screens.detail_outliers import COPY_KEY, KEY_HINT, SAVE_KEY
from flaskdash_tui.screens.exceptions import ExceptionsPanel


class EndpointExceptionsPanel(ExceptionsPanel):
    """One endpoint's exception groups, and the newest traceback of one."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(COPY_KEY, SAVE_KEY)
    KEY_HINT = KEY_HINT
