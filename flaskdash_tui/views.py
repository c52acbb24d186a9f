"""The registry of named views: what ``--view NAME`` and the number keys open.

Each view is one screen class, named by ``"module:Class"`` and imported only
when the view opens, so a broken or slow chart module cannot stop the app
from starting. Add a view by appending one :func:`register` call at the end
of this module; its number key and its ``--view`` name follow from it.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from typing import TYPE_CHECKING

from flaskdash_tui import keys

if TYPE_CHECKING:
    from flaskdash_tui.screens.base import BaseScreen

logger = logging.getLogger(__name__)

DETAIL_VIEW = "endpoint"
"""The view that ``enter`` on the endpoints view opens for the selected endpoint.

Until a view of this name is registered, ``enter`` shows a notification.
"""


class UnknownViewError(LookupError):
    """No view of that name is registered."""


@dataclasses.dataclass(frozen=True)
class View:
    """A named view of the TUI."""

    name: str
    """The name that ``--view`` and ``FLASKDASH_VIEW`` accept."""
    title: str
    """Short title for the status line, the help screen and the palette."""
    screen: str
    """The screen class as ``"package.module:ClassName"``."""
    key: str | None = None
    """A number key that opens the view from any other view."""
    needs_endpoint: bool = False
    """Whether the view is about one endpoint, given by ``--endpoint`` or the
    endpoint selected in the endpoints view."""

    def screen_class(self) -> type[BaseScreen]:
        """Import and return the screen class of this view."""
        module_name, _, class_name = self.screen.partition(":")
        module = importlib.import_module(module_name)
        screen_class: type[BaseScreen] = getattr(module, class_name)
        return screen_class


VIEWS: dict[str, View] = {}
"""Every registered view by name, in registration order."""


def register(view: View) -> View:
    """Add a view, and register its number key if it has one.

    Raises:
        ValueError: A view of that name, or with that key, already exists.
    """
    if view.name in VIEWS:
        raise ValueError(f"view {view.name!r} is already registered")
    if view.key is not None:
        holders = [other.name for other in VIEWS.values() if other.key == view.key]
        if holders:
            raise ValueError(f"key {view.key!r} already opens view {holders[0]!r}")
        keys.register(
            f"view.{view.name}",
            view.key,
            f"app.open_view({view.name!r})",
            view.title,
            scope="views",
            show=False,
            help=f"Open the {view.title.lower()} view",
        )
    VIEWS[view.name] = view
    return view


def import_all() -> dict[str, Exception]:
    """Import every view's screen class, so that all their keys are registered.

    Screen modules may register keys when imported, and the help screen lists
    every key. A module that fails to import is skipped.

    Returns:
        The import error of each view that failed, by view name.
    """
    errors: dict[str, Exception] = {}
    for view in VIEWS.values():
        try:
            view.screen_class()
        except (ImportError, AttributeError) as error:
            logger.error("cannot import the %s view: %s", view.name, error)
            errors[view.name] = error
    return errors


def get_view(name: str) -> View:
    """Return the view of that name.

    Raises:
        UnknownViewError: No such view; the message lists the valid names.
    """
    try:
        return VIEWS[name]
    except KeyError:
        raise UnknownViewError(
            f"unknown view {name!r}; valid views: {', '.join(VIEWS)}"
        ) from None


register(
    View(
        "endpoints",
        "Endpoints",
        "flaskdash_tui.screens.endpoints:EndpointsScreen",
        key="1",
    )
)
register(
    View(
        "exceptions",
        "Exceptions",
        "flaskdash_tui.screens.exceptions:ExceptionsScreen",
        key="6",
    )
)
register(
    View(
        "hits",
        "Hits per day",
        "flaskdash_tui.screens.hits:HitsScreen",
        key="2",
    )
)
register(
    View(
        "heatmap",
        "Requests per hour",
        "flaskdash_tui.screens.heatmap:HeatmapScreen",
        key="3",
    )
)
register(
    View(
        "response",
        "Response times",
        "flaskdash_tui.screens.response:ResponseScreen",
        key="4",
    )
)
register(
    View(
        DETAIL_VIEW,
        "Endpoint detail",
        "flaskdash_tui.screens.detail:DetailScreen",
        key="5",
        needs_endpoint=True,
    )
)
