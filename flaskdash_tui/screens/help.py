"""The help screen: every key binding from the registry, grouped by scope."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from flaskdash_tui import keys

SCOPE_TITLES = {
    "app": "Everywhere",
    "screen": "Every view",
    "views": "Open a view",
}
"""Headings of the scopes that are not a view name."""


class HelpScreen(ModalScreen[None]):
    """A modal list of every registered key; the keys of the calling view first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", show=False),
        Binding("j", "scroll('down')", show=False),
        Binding("k", "scroll('up')", show=False),
    ]

    def __init__(self, caller: Screen | None = None) -> None:
        """Create the help screen.

        Args:
            caller: The screen the help was opened from; its keys come first.
        """
        super().__init__()
        self.caller_scope = getattr(caller, "VIEW_NAME", "") or ""

    def compose(self) -> ComposeResult:
        """Compose a title and the table of keys."""
        with Vertical(id="help"):
            yield Static(Text("Keys  (escape closes)", style="bold"), id="help-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=False)

    def on_mount(self) -> None:
        """Fill the table from the key registry."""
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action", "What it does")
        for scope in self.scope_order():
            title = SCOPE_TITLES.get(scope, f"{scope.capitalize()} view")
            table.add_row(Text(title, style="bold underline"), "", "")
            for key in keys.in_scope(scope):
                table.add_row(
                    Text(key.display, style="bold"),
                    Text(key.description),
                    Text(key.help or key.description),
                )
        table.focus()

    def scope_order(self) -> list[str]:
        """Return the scopes to list: the caller's view, shared keys, the rest."""
        scopes = list(dict.fromkeys(key.scope for key in keys.KEYS.values()))
        first = [self.caller_scope, "screen", "app", "views"]
        ordered = [scope for scope in first if scope in scopes]
        return ordered + [scope for scope in scopes if scope not in ordered]

    def action_scroll(self, direction: str) -> None:
        """Move the table cursor (for ``j`` and ``k``)."""
        table = self.query_one(DataTable)
        if direction == "down":
            table.action_cursor_down()
        else:
            table.action_cursor_up()
