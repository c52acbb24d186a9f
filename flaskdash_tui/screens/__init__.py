"""Screens, one module per view, all subclasses of ``base.BaseScreen``.

How a screen plugs in
=====================

1. Subclass ``BaseScreen[DataT]`` in ``flaskdash_tui/screens/NAME.py``, where
   ``DataT`` is what your queries return::

       class HitsScreen(BaseScreen[HitsData]):
           VIEW_NAME = "hits"
           BINDINGS = keys.bindings("hits.earlier", "hits.later")

           def compose_body(self) -> ComposeResult:
               yield BarChart(id="chart")

           def load_data(self) -> HitsData:          # worker thread
               return hits_per_day(self.database, now=self.now(),
                                   timezone=self.timezone, endpoint=self.endpoint)

           def show_data(self, data: HitsData) -> None:   # event loop
               self.query_one(BarChart).series = data

   The constructor takes one optional argument, ``endpoint: str | None``; if
   you override ``__init__``, keep that signature and call ``super()``.
   Style the screen in a ``.tcss`` file next to it (``CSS_PATH``), with
   theme variables only.

2. What the screen gets from ``BaseScreen``:

   - ``self.database``: the open peewee database. Models are unbound, so
     every query names it: ``Request.select().bind(self.database)``.
   - ``self.settings``: the ``flaskdash_tui.settings.Settings`` of the
     session (database, view, endpoint, timezone, refresh interval, now).
   - ``self.timezone``: the operator's ``tzinfo``; bucket days and hours in it.
   - ``self.now()``: the current time as UNIX seconds UTC. It is frozen when
     ``Settings.now`` is set (screenshots, tests), so use it, never
     ``time.time()``.
   - ``self.endpoint``: the endpoint a one-endpoint view is about, else None.
     ``selected_endpoint`` is what the number keys pass on to the next view;
     it defaults to ``self.endpoint``.
   - ``compose()`` yields a one-line status bar, then ``compose_body()``,
     then the footer. Do not override ``compose``.

3. Loading in a worker: ``reload()`` runs ``load_data()`` in a thread worker
   of group ``"load"`` with ``exclusive=True``, so a newer load cancels an
   older one and a cancelled load's result is dropped. The thread gets its
   own SQLite connection, closed when ``load_data`` returns. ``load_data``
   must not touch widgets; ``show_data(data)`` runs on the event loop with
   its result. Errors are logged and shown as a notification. ``on_mount``
   calls ``reload()`` once; if you override ``on_mount``, call
   ``super().on_mount()``. For other background work, use another worker
   group: ``on_worker_state_changed`` only handles the ``"load"`` group.

4. Reacting to database changes: about once a second the app checks
   ``PRAGMA data_version`` (``queries.changes.ChangeDetector``). When it
   changed, the app calls ``database_changed()`` on the active screen, which
   reloads by default; override it to skip reloads you do not need. A screen
   that was covered by another reloads when it is shown again. ``p`` pauses
   the timer, ``ctrl+r`` reloads now. After writing to the database
   yourself, call ``self.reload()``, since a connection does not see its own
   commits in ``data_version``.

5. Key bindings: register each key once in ``flaskdash_tui/keys.py`` (small
   additive edit; id ``VIEWNAME.ACTION``, scope ``VIEWNAME``), then list the
   ids in ``BINDINGS = keys.bindings(...)``. Implement ``action_NAME`` on the
   screen. The footer, the help screen and the command palette read the
   registry. Keep at most seven keys with ``show=True`` per screen, counting
   ``q``, ``?`` and ``^p`` from the app (so four of your own at most; set
   ``show=False`` for the rest, they still appear in help and the palette).
   ``escape`` (back), ``j`` and ``k`` come from ``BaseScreen``: ``j``/``k``
   call ``action_cursor_down``/``action_cursor_up`` of the focused widget.

6. Registering the view: append one ``register(View(...))`` call at the end
   of ``flaskdash_tui/views.py``::

       register(View("hits", "Hits per day",
                     "flaskdash_tui.screens.hits:HitsScreen", key="2"))

   The name becomes valid for ``--view`` and ``FLASKDASH_VIEW`` (the CLI
   reads ``views.VIEWS``), and the number key opens it from any view. Set
   ``needs_endpoint=True`` for a view about one endpoint: it then gets the
   endpoint from ``--endpoint`` or the row selected in the endpoints view.
   The view named ``views.DETAIL_VIEW`` (``"endpoint"``) is what ``enter``
   on the endpoints view opens, pushed on top with ``endpoint`` set.
   ``flaskdash-tui screenshot DB --view NAME`` then works for the view too.

7. Untrusted text (endpoint names, rules, user ids, commit summaries,
   exception messages): display it through ``flaskdash_tui.text.literal``
   (a Rich ``Text``) or ``text.clean`` (a string for ``Text``/``Content``),
   never as markup; pass ``markup=False`` to ``notify``.

8. Tests: ``FlaskdashApp(Settings(database=str(path), view="hits",
   now=...))`` and ``app.run_test(size=(80, 24))``; wait with
   ``await app.workers.wait_for_complete()`` then ``await pilot.pause()``.
   ``flaskdash_tui.screenshot.export_text(app)`` returns the screen as plain
   text; ``screenshot.render_svg`` returns an SVG.
"""
