"""The one registry of key bindings.

Every binding in the TUI is a :class:`Key` registered here with an id and a
description. Screens build their ``BINDINGS`` with :func:`bindings`, and the
footer, the help screen (``?``) and the command palette all read from this
registry, so a key is described in exactly one place. Ids are
``SCOPE.NAME``; the scope is ``app``, ``screen`` (every view), or the name
of the view. At most :data:`MAX_FOOTER_KEYS` keys of a screen have
``show=True``, so the footer fits in 80 columns.

To add a key for a new screen, register it at import time of that screen's
module, then list its id in the screen's ``BINDINGS``. The help screen
imports every view's module first, so it lists those keys too::

    keys.register("hits.earlier", "[", "earlier", "Earlier period", scope="hits")
    BINDINGS = keys.bindings("hits.earlier")
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.binding import Binding, BindingType

MAX_FOOTER_KEYS = 7
"""Maximum number of keys in the footer of any screen, the palette key included."""


@dataclasses.dataclass(frozen=True)
class Key:
    """One key binding: which key runs which action, and how it is described."""

    id: str
    """Stable id ``SCOPE.NAME``; Textual keymaps use it to rebind the key."""
    key: str
    """Textual key name, or several separated by commas."""
    action: str
    """Textual action string, run on the screen (or ``app.``-prefixed)."""
    description: str
    """Short label for the footer and the command palette."""
    scope: str
    """``app``, ``screen`` or a view name; the help screen groups by it."""
    help: str = ""
    """A longer sentence for the help screen and the command palette."""
    show: bool = True
    """Whether the footer shows the key."""
    key_display: str | None = None
    """Label of the key in the footer and help, if not its name."""
    priority: bool = False
    """Whether the key works even when a focused widget binds it."""

    def binding(self) -> Binding:
        """Return the Textual binding for this key."""
        # Imported here so that the CLI can report errors without loading Textual.
        from textual.binding import Binding

        return Binding(
            self.key,
            self.action,
            self.description,
            show=self.show,
            key_display=self.key_display,
            priority=self.priority,
            tooltip=self.help,
            id=self.id,
        )

    @property
    def display(self) -> str:
        """The key as the help screen writes it."""
        return self.key_display or self.key


KEYS: dict[str, Key] = {}
"""Every registered key, by id, in registration order."""


def register(
    id: str,
    key: str,
    action: str,
    description: str,
    *,
    scope: str,
    help: str = "",
    show: bool = True,
    key_display: str | None = None,
    priority: bool = False,
) -> Key:
    """Register a key binding and return it.

    Raises:
        ValueError: The id is already registered with different values.
    """
    entry = Key(
        id=id,
        key=key,
        action=action,
        description=description,
        scope=scope,
        help=help,
        show=show,
        key_display=key_display,
        priority=priority,
    )
    existing = KEYS.get(id)
    if existing is not None and existing != entry:
        raise ValueError(f"key binding id {id!r} is already registered")
    KEYS[id] = entry
    return entry


def bindings(*ids: str) -> list[BindingType]:
    """Return the Textual bindings of registered keys, for a ``BINDINGS`` list.

    Raises:
        KeyError: An id is not registered.
    """
    missing = [id for id in ids if id not in KEYS]
    if missing:
        raise KeyError(f"unregistered key binding ids: {', '.join(missing)}")
    return [KEYS[id].binding() for id in ids]


def in_scope(scope: str) -> list[Key]:
    """Return the registered keys of one scope, in registration order."""
    return [key for key in KEYS.values() if key.scope == scope]


# Keys of the whole app.
register("app.quit", "q", "app.quit", "Quit", scope="app", help="Leave flaskdash-tui")
register(
    "app.help",
    "question_mark",
    "app.show_keys",
    "Keys",
    scope="app",
    key_display="?",
    help="Show every key binding",
)
register(
    "app.pause",
    "p",
    "app.toggle_pause",
    "Pause",
    scope="app",
    show=False,
    help="Pause or resume the live refresh",
)
register(
    "app.refresh",
    "ctrl+r",
    "app.refresh_now",
    "Refresh",
    scope="app",
    show=False,
    help="Re-run the queries of this view now",
)

# Keys of every view (BaseScreen).
register(
    "screen.back",
    "escape",
    "back",
    "Back",
    scope="screen",
    show=False,
    help="Close the filter, or go back to the previous view",
)
register(
    "screen.down",
    "j",
    "cursor('down')",
    "Down",
    scope="screen",
    show=False,
    help="Move down (also the down arrow)",
)
register(
    "screen.up",
    "k",
    "cursor('up')",
    "Up",
    scope="screen",
    show=False,
    help="Move up (also the up arrow)",
)

# Keys of the endpoints view.
register(
    "endpoints.filter",
    "slash",
    "filter",
    "Filter",
    scope="endpoints",
    key_display="/",
    help="Show only endpoints whose name, rule or methods contain a text",
)
register(
    "endpoints.toggle",
    "space",
    "toggle_monitoring",
    "Monitor",
    scope="endpoints",
    help="Turn monitoring of the selected endpoint on or off, in every app process",
)
register(
    "endpoints.open",
    "enter",
    "open_endpoint",
    "Open",
    scope="endpoints",
    help="Open the detail view of the selected endpoint",
    priority=True,
)
register(
    "endpoints.sort",
    "s",
    "cycle_sort",
    "Sort",
    scope="endpoints",
    help="Sort by the next column (or click a column header)",
)
register(
    "endpoints.reverse",
    "r",
    "reverse_sort",
    "Reverse",
    scope="endpoints",
    show=False,
    help="Reverse the sort order",
)
