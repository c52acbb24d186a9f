"""The help screen: every key binding from the registry, grouped by scope."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from flaskdash_tui import keys, views

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
        Binding("j,down", "scroll('down')", show=False),
        Binding("k,up", "scroll('up')", show=False),
    ]

    def __init__(self, caller: Screen | None = None) -> None:
        """Create the help screen.

        Args:
            caller: The screen the help was opened from; its keys come first.
        """
        super().__init__()
        self.caller_scope = getattr(caller, "VIEW_NAME", "") or ""
        views.import_all()

    def compose(self) -> ComposeResult:
        """Compose a scrollable table of keys."""
        with VerticalScroll(id="help") as scroll:
            scroll.border_title = "Keys (escape closes)"
            yield Static(self.key_table(), id="help-keys")

    def on_mount(self) -> None:
        """Focus the scroll area so that arrows and j/k scroll it."""
        self.query_one("#help", VerticalScroll).focus()

    def scope_order(self) -> list[str]:
        """Return the scopes to list: the caller's view, shared keys, the rest."""
        scopes = list(dict.fromkeys(key.scope for key in keys.KEYS.values()))
        first = [self.caller_scope, "screen", "app", "views"]
        ordered = [scope for scope in first if scope in scopes]
        return ordered + [scope for scope in scopes if scope not in ordered]

    def sections(self) -> list[tuple[str, list[keys.Key]]]:
        """Return each scope's heading with its keys, in display order."""
        sections = []
        for scope in self.scope_order():
            entries = keys.in_scope(scope)
            if scope == "views":
                # View modules register their number keys as they are imported.
                entries = sorted(entries, key=lambda key: key.key)
            title = SCOPE_TITLES.get(scope, f"{scope.capitalize()} view")
            sections.append((title, entries))
        return sections

    def key_table(self) -> Group:
        """Return one table of keys per scope, with aligned columns."""
        tables = []
        for heading, entries in self.sections():
            table = Table(
                box=None,
                expand=True,
                show_header=False,
                padding=(0, 1),
                title=Text(heading, style="bold underline"),
                title_justify="left",
            )
            table.add_column("Key", no_wrap=True, style="bold", width=8)
            table.add_column("Action", no_wrap=True, width=10)
            table.add_column("What it does", ratio=1)
            for key in entries:
                table.add_row(Text(key.display), Text(key.description), Text(key.help))
            tables.append(table)
        return Group(*tables)

    def action_scroll(self, direction: str) -> None:
        """Scroll the list one line."""
        scroll = self.query_one("#help", VerticalScroll)
        if direction == "down":
            scroll.scroll_down(animate=False)
        else:
            scroll.scroll_up(animate=False)
