"""The detail view of one endpoint: its response times per version, user and IP.

Tabs:

- ``versions``: one box per deployed version, oldest first, so the newest
  version is the bottom box. Each label is the short commit id, the commit
  date and the commit summary.
- ``users``: one box per user id from the app's group-by callable (or the
  client IP where it had none), most requests first; past
  :data:`~flaskdash_tui.queries.performance.GROUP_LIMIT` users the rest share
  one "others" box.
- ``ips``: the same per client IP.
- ``users x versions``: the median per user and version.

Only the active tab's queries run.

Adding a tab
============

Append a :class:`DetailTab` to :data:`EXTRA_TABS`, after the built-in tabs::

    DetailTab("outliers", "outliers",
              "flaskdash_tui.screens.detail_outliers:OutliersPanel")

The class is imported when the screen is composed and built as
``Class(endpoint=NAME, load_on_mount=False)``: a widget that runs its own
queries, in its own worker group (not ``"load"``). The screen calls its
``reload()`` when the tab is first shown, when the database changes while
the tab is shown, and when the tab is shown again after a change. So a tab
that is never opened runs no queries. Register the panel's keys with
scope ``views.DETAIL_VIEW`` and list them in the panel's ``BINDINGS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar, Protocol, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widget import Widget
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from flaskdash_tui import keys, views
from flaskdash_tui.palette import endpoint_label
from flaskdash_tui.queries.performance import (
    EndpointRef,
    GroupBox,
    UserVersionGrid,
    VersionBox,
    find_endpoint,
    ip_boxes,
    user_boxes,
    user_version_grid,
    version_boxes,
)
from flaskdash_tui.screens.response import PerformanceScreen
from flaskdash_tui.text import clean, literal
from flaskdash_tui.timerange import TimeRange
from flaskdash_tui.widgets.boxplot import BoxPlot, BoxRow, figures_text, legend_text
from flaskdash_tui.widgets.counts import count_text
from flaskdash_tui.widgets.grid import (
    CHANGE_RATIO,
    FASTER,
    NO_REQUESTS,
    SLOWER,
    MedianGrid,
    others_label,
    version_date,
)

SCOPE = views.DETAIL_VIEW

keys.register(
    f"{SCOPE}.next_tab",
    "n",
    "next_tab",
    "Next tab",
    scope=SCOPE,
    help="Show the next tab: versions, users, IPs, users x versions and more",
)
keys.register(
    f"{SCOPE}.scale",
    "l",
    "toggle_scale",
    "Log/lin",
    scope=SCOPE,
    show=False,
    help="Switch the axis of the box plots between linear and logarithmic",
)


@dataclass(frozen=True)
class DetailTab:
    """A tab of the detail view that another module provides."""

    id: str
    """The pane id; also what :attr:`DetailScreen.active_tab` returns."""
    title: str
    panel: str
    """The widget class as ``"package.module:ClassName"``."""


EXTRA_TABS: list[DetailTab] = [
    DetailTab("hits", "hits per day", "flaskdash_tui.screens.detail_hits:HitsPanel"),
    DetailTab(
        "outliers", "outliers", "flaskdash_tui.screens.detail_outliers:OutliersPanel"
    ),
    DetailTab(
        "exceptions",
        "exceptions",
        "flaskdash_tui.screens.detail_exceptions:EndpointExceptionsPanel",
    ),
]
"""Tabs after the built-in ones, in order; see the module docstring."""

BOX_TABS = {"versions": "versions", "users": "users", "ips": "ips"}
"""Built-in tabs that show box plots: pane id to title."""
GRID_TAB = "grid"
GRID_TITLE = "users x versions"


class Reloadable(Protocol):
    """The interface of an extra tab's panel."""

    def reload(self) -> None:
        """Re-run the panel's queries."""


@dataclass(frozen=True)
class DetailData:
    """The data of the active built-in tab."""

    time_range: TimeRange
    endpoint: EndpointRef | None
    """None when no endpoint of that name exists."""
    tab: str
    rows: list[BoxRow]
    grid: UserVersionGrid | None = None


class DetailScreen(PerformanceScreen[DetailData]):
    """One endpoint's response times per version, user and IP, in tabs."""

    VIEW_NAME = views.DETAIL_VIEW
    CSS_PATH = "detail.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *PerformanceScreen.BINDINGS,
        *keys.bindings(f"{SCOPE}.next_tab", f"{SCOPE}.scale"),
    ]

    def __init__(self, endpoint: str | None = None) -> None:
        super().__init__(endpoint=endpoint)
        self.data: DetailData | None = None
        self._stale_panels = {tab.id for tab in EXTRA_TABS}
        """Extra tabs whose panels have not loaded since the last change."""

    @property
    def active_tab(self) -> str:
        """The id of the shown tab."""
        return self.query_one(TabbedContent).active or "versions"

    def compose_body(self) -> ComposeResult:
        """Yield the header, the tabs, the figures and the legend."""
        yield Static(id="range")
        with TabbedContent(initial="versions"):
            for pane_id, title in BOX_TABS.items():
                with TabPane(title, id=pane_id):
                    yield BoxPlot("No requests to this endpoint in this range.")
            with TabPane(GRID_TITLE, id=GRID_TAB):
                yield MedianGrid()
            for tab in EXTRA_TABS:
                module_name, _, class_name = tab.panel.partition(":")
                panel_class = getattr(importlib.import_module(module_name), class_name)
                with TabPane(tab.title, id=tab.id):
                    yield panel_class(endpoint=self.endpoint, load_on_mount=False)
        yield Static(id="figures")
        yield Static(id="legend")

    def on_mount(self) -> None:
        """Focus the first plot so that the arrow keys move its cursor."""
        # Textual also runs BaseScreen.on_mount, which starts the first load.
        self._focus_tab()
        self._show_legend()

    def load_data(self) -> DetailData:
        """Run the queries of the active tab, if it is a built-in one."""
        database = self.database
        tab = self.active_tab
        time_range = self.resolve_range(database)
        endpoint = find_endpoint(database, self.endpoint or "")
        if endpoint is None:
            return DetailData(time_range, None, tab, [])
        start, end = time_range.start, time_range.end
        if tab == "versions":
            versions = version_boxes(database, endpoint.id, start=start, end=end)
            return DetailData(time_range, endpoint, tab, self._version_rows(versions))
        if tab == "users":
            users = user_boxes(database, endpoint.id, start=start, end=end)
            return DetailData(time_range, endpoint, tab, _group_rows(users, "user"))
        if tab == "ips":
            ips = ip_boxes(database, endpoint.id, start=start, end=end)
            return DetailData(time_range, endpoint, tab, _group_rows(ips, "IP"))
        if tab == GRID_TAB:
            grid = user_version_grid(database, endpoint.id, start=start, end=end)
            return DetailData(time_range, endpoint, tab, [], grid)
        return DetailData(time_range, endpoint, tab, [])

    def _version_rows(self, versions: list[VersionBox]) -> list[BoxRow]:
        rows = []
        for box in versions:
            version = box.version
            label = Text(end="")
            label.append(clean(version.short_name, single_line=True), style="bold")
            label.append(f" {version_date(version, self.timezone):%Y-%m-%d} ")
            label.append(clean(version.summary, single_line=True))
            rows.append(BoxRow(version.id, label, box.stats))
        return rows

    def show_data(self, data: DetailData) -> None:
        """Draw the active tab's plot or grid."""
        self.data = data
        self.time_range = data.time_range
        self.show_range()
        figures = self.query_one("#figures", Static)
        if data.endpoint is None:
            figures.update(
                literal(
                    f"Endpoint not found: {self.endpoint}. Press escape to go back."
                )
            )
            return
        if data.tab in BOX_TABS:
            plot = self.query_one(f"#{data.tab} BoxPlot", BoxPlot)
            plot.set_rows(data.rows)
            if not data.rows:
                figures.update("")
        elif data.tab == GRID_TAB and data.grid is not None:
            table = self.query_one(MedianGrid)
            table.set_grid(data.grid, self.timezone)
            self._show_cell(table.cursor_coordinate.row, table.cursor_coordinate.column)

    def load_signature(self) -> Hashable:
        """Return the range choice, the endpoint and the active tab."""
        return (self.choice, self.endpoint, self.active_tab)

    def range_detail(self) -> Text:
        """Return the endpoint's methods and URL rules, then its swatch and name.

        The rules come first because the title line already names the
        endpoint, so a narrow terminal cuts the repeated name, not the rules.
        """
        endpoint = self.data.endpoint if self.data is not None else None
        if endpoint is None:
            return Text()
        rules = " ".join(endpoint.rules)
        text = literal(f"{endpoint.methods} {rules}".strip())
        text.append(" · ")
        text.append_text(endpoint_label(endpoint.id, endpoint.name))
        return text

    def database_changed(self) -> None:
        """Reload the active tab; extra panels reload when next shown."""
        self._stale_panels = {tab.id for tab in EXTRA_TABS}
        active = self.active_tab
        panel = self._extra_panel(active)
        if panel is not None:
            self._stale_panels.discard(active)
            panel.reload()
            return
        super().database_changed()

    @on(TabbedContent.TabActivated)
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Load the newly shown tab."""
        self._focus_tab()
        self._show_legend()
        active = self.active_tab
        panel = self._extra_panel(active)
        # The figures belong to the previous tab's cursor, whichever tab it was.
        self.query_one("#figures", Static).update("")
        if panel is None:
            self.reload()
        elif active in self._stale_panels:
            self._stale_panels.discard(active)
            panel.reload()

    def _extra_panel(self, tab_id: str) -> Reloadable | None:
        if tab_id not in {tab.id for tab in EXTRA_TABS}:
            return None
        pane = self.query_one(f"#{tab_id}", TabPane)
        return cast(Reloadable, pane.children[0]) if pane.children else None

    def _focus_tab(self) -> None:
        pane = self.query_one(TabbedContent).active_pane
        if pane is None:
            return
        for widget in pane.query("*"):
            if isinstance(widget, Widget) and widget.focusable:
                widget.focus()
                return

    def _show_legend(self) -> None:
        legend = self.query_one("#legend", Static)
        tab = self.active_tab
        if tab in BOX_TABS:
            legend.update(legend_text())
        elif tab == GRID_TAB:
            percent = f"{CHANGE_RATIO:.0%}"
            legend.update(
                f"Median ms per user and version. {SLOWER} slower, {FASTER} faster"
                f" than the user's previous version by over {percent}."
                f" {NO_REQUESTS} no requests."
            )
        else:
            legend.update("")

    @on(BoxPlot.Highlighted)
    def show_figures(self, event: BoxPlot.Highlighted) -> None:
        """Write out the figures of the box under the cursor."""
        self.query_one("#figures", Static).update(
            figures_text(event.row.label, event.row.stats)
        )

    @on(DataTable.CellHighlighted)
    def cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        """Write out which user and version the cell under the cursor is."""
        if isinstance(event.data_table, MedianGrid):
            self._show_cell(event.coordinate.row, event.coordinate.column)

    def _show_cell(self, row: int, column: int) -> None:
        info = self.query_one(MedianGrid).cell_info(row, column)
        figures = self.query_one("#figures", Static)
        if info is None:
            figures.update("")
            return
        grid = self.query_one(MedianGrid).grid
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if info.user is None:
            text.append(others_label(grid.others if grid else 0, "user"))
        else:
            text.append(clean(info.user, single_line=True), style="bold")
        text.append(" on ")
        text.append(clean(info.version.short_name, single_line=True), style="bold")
        text.append(" ")
        text.append(clean(info.version.summary, single_line=True))
        text.append("\n")
        if info.cell is None:
            text.append("no requests")
        else:
            requests = count_text(info.cell.count, "request")
            text.append(f"median {info.cell.median:,.1f} ms over {requests}")
        figures.update(text)

    def action_next_tab(self) -> None:
        """Show the next tab, after the last one the first."""
        tabs = self.query_one(TabbedContent)
        panes = [pane.id for pane in tabs.query(TabPane) if pane.id]
        if not panes:
            return
        index = panes.index(tabs.active) if tabs.active in panes else -1
        tabs.active = panes[(index + 1) % len(panes)]


def _group_rows(boxes: list[GroupBox], noun: str) -> list[BoxRow]:
    rows = []
    for box in boxes:
        if box.key is None:
            label = Text(others_label(box.members, noun), style="italic", end="")
        else:
            label = literal(box.key)
        rows.append(BoxRow(box.key, label, box.stats))
    return rows
