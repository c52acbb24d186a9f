"""The demo's example service: a small API shaped like a language-learning backend.

The demo copies this file into a git repository that it makes, so the file
imports only Flask and the standard library and must run on its own. The
first commit of that repository sets ``TRANSLATORS_IN_PARALLEL`` to False;
the second commit sets it to True, which makes ``api.get_possible_translations``
faster.

Every request spends its time in ``work(ms)``, the function passed to
:func:`create_app`: a small base cost before the view runs, then the view's
own. Served live, ``work`` sleeps. When the demo replays weeks of history,
``work`` advances a simulated clock instead, so that a request of two seconds
costs no real time. Costs are drawn from random generators seeded by
``create_app``, so a replay with the same requests and seed gives the same
durations.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Request, abort, jsonify, request

TRANSLATORS_IN_PARALLEL = True
"""Whether to ask the translation services at the same time instead of one after
another, and respond with the translations that arrived within
``TRANSLATION_TIMEOUT_MS``."""
TRANSLATION_TIMEOUT_MS = 180.0

USER_COUNT = 36
LANGUAGES = ("de", "fr", "es", "it", "nl", "da")
EXERCISE_OUTCOMES = frozenset({"Correct", "Wrong", "Typo", "Show solution", "Retry"})
TRANSLATORS = ("glosbe", "wordreference", "machine")

SLOW_STARRED_PROBABILITY = 1 / 150
"""Chance that a request for starred articles finds its cache expired."""
BASE_COST_MS = (0.3, 2.0)
"""Range of the time that every request costs before its view runs: routing,
parsing and the session check. A request rejected with 401 costs only this."""


def user_name(number: int) -> str:
    """Return the session id of user ``number`` (1 to ``USER_COUNT``)."""
    return f"user{number:02d}"


def subscriptions_of(session: str) -> int:
    """Return how many article sources a user follows, from 1 to 36.

    Raises:
        KeyError: ``session`` is not a known user.
    """
    return _SUBSCRIPTIONS[session]


# 7 and 36 are coprime, so the users' subscription counts are 1 to 36, each once.
_SUBSCRIPTIONS = {
    user_name(number): (number * 7) % USER_COUNT + 1
    for number in range(1, USER_COUNT + 1)
}


def bookmark_exists(bookmark_id: int) -> bool:
    """Return whether a bookmark id refers to a bookmark that was not deleted."""
    return 1 <= bookmark_id <= 5000 and bookmark_id % 97 != 0


def group_by(req: Request) -> str | None:
    """Return the user of a request: the ``session`` argument or header, if any."""
    return req.args.get("session") or req.headers.get("X-Session") or None


def sleep_ms(milliseconds: float) -> None:
    """Sleep for ``milliseconds``: the work of a view when it is served live."""
    time.sleep(milliseconds / 1000)


class _Costs:
    """Random costs in ms, thread-safe because a threaded server shares them."""

    def __init__(self, seed: int | str) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def uniform(self, low: float, high: float) -> float:
        with self._lock:
            return self._random.uniform(low, high)

    def lognormal(self, median: float, sigma: float) -> float:
        with self._lock:
            return median * self._random.lognormvariate(0.0, sigma)

    def chance(self, probability: float) -> bool:
        with self._lock:
            return self._random.random() < probability


def create_app(work: Callable[[float], None] = sleep_ms, seed: int = 0) -> Flask:
    """Create the example API.

    Args:
        work: Called with the milliseconds that a request spends working.
            :func:`sleep_ms` when served live, a simulated clock when replayed.
        seed: Seed of the random costs.

    Returns:
        The Flask app, with its views in the ``api`` blueprint.
    """
    costs = _Costs(seed)
    # A generator of its own, so that the views' costs stay those of the seed.
    base_costs = _Costs(f"base-{seed}")
    api = Blueprint("api", __name__)

    def current_user() -> str:
        session = group_by(request)
        if session not in _SUBSCRIPTIONS:
            abort(401, description="missing or unknown session")
        return session

    @api.get("/learned_language")
    def learned_language() -> Any:
        user = current_user()
        work(costs.uniform(2, 6))
        return jsonify(LANGUAGES[int(user[4:]) % len(LANGUAGES)])

    @api.get("/native_language")
    def native_language() -> Any:
        current_user()
        work(costs.uniform(2, 5))
        return jsonify("en")

    @api.get("/studied_words")
    def studied_words() -> Any:
        current_user()
        work(costs.uniform(10, 40))
        return jsonify(["Haus", "Baum", "gehen", "schnell"])

    @api.get("/bookmarks_to_study/<int:count>")
    def bookmarks_to_study(count: int) -> Any:
        current_user()
        work(costs.uniform(15, 30) + 0.8 * min(count, 100))
        return jsonify([{"id": index, "word": "Haus"} for index in range(count)])

    @api.post(
        "/report_exercise_outcome/<outcome>/<source>/<int:solving_speed>"
        "/<int:bookmark_id>"
    )
    def report_exercise_outcome(
        outcome: str, source: str, solving_speed: int, bookmark_id: int
    ) -> Any:
        current_user()
        work(costs.uniform(8, 25))
        if outcome not in EXERCISE_OUTCOMES:
            abort(400, description=f"unknown exercise outcome: {outcome}")
        bookmark = _find_bookmark(bookmark_id)
        # A deleted bookmark gives None here and the next line raises TypeError:
        # the demo's deliberate bug, an uncaught exception that returns 500.
        word = bookmark["word"]  # type: ignore[index]
        return jsonify({"bookmark": bookmark_id, "word": word, "outcome": outcome})

    @api.get("/get_possible_translations/<from_lang>/<to_lang>")
    def get_possible_translations(from_lang: str, to_lang: str) -> Any:
        current_user()
        word = request.args.get("word", "")
        latencies = [costs.lognormal(55, 0.6) for _ in TRANSLATORS]
        if TRANSLATORS_IN_PARALLEL:
            waited = min(max(latencies), TRANSLATION_TIMEOUT_MS)
            work(waited + costs.uniform(3, 8))
        else:
            work(sum(latencies) + costs.uniform(3, 8))
        return jsonify({"word": word, "from": from_lang, "to": to_lang})

    @api.get("/get_article_difficulties")
    def get_article_difficulties() -> Any:
        user = current_user()
        # Every followed source is scored on its own: the cost grows with them.
        sources = subscriptions_of(user)
        work(sum(costs.uniform(6, 12) for _ in range(sources)) + 15)
        return jsonify({"sources": sources, "articles": []})

    @api.get("/interesting_feeds/<language>")
    def get_interesting_feeds_for_language(language: str) -> Any:
        current_user()
        work(costs.uniform(20, 50))
        return jsonify({"language": language, "feeds": []})

    @api.get("/user_articles/starred")
    def get_starred_articles() -> Any:
        current_user()
        if costs.chance(SLOW_STARRED_PROBABILITY):
            # The rare request that rebuilds the expired cache of starred articles.
            _rebuild_starred_cache(work, costs.uniform(2200, 3500))
        work(costs.uniform(10, 30))
        return jsonify([])

    @api.get("/get_feeds_being_followed")
    def get_feeds_being_followed() -> Any:
        user = current_user()
        work(costs.uniform(8, 20))
        return jsonify({"count": subscriptions_of(user)})

    @api.post("/upload_user_activity_data")
    def upload_user_activity_data() -> Any:
        current_user()
        work(costs.uniform(5, 15))
        return jsonify({"stored": True}), 201

    @api.get("/get_learned_bookmarks/<language>")
    def get_learned_bookmarks(language: str) -> Any:
        # Deprecated, but old mobile clients still call it now and then.
        current_user()
        work(costs.uniform(30, 80))
        return jsonify({"language": language, "bookmarks": []})

    app = Flask(__name__)
    app.register_blueprint(api)

    @app.before_request
    def charge_base_cost() -> None:
        work(base_costs.uniform(*BASE_COST_MS))

    return app


def _find_bookmark(bookmark_id: int) -> dict[str, object] | None:
    if not bookmark_exists(bookmark_id):
        return None
    return {"id": bookmark_id, "word": "Haus"}


def _rebuild_starred_cache(work: Callable[[float], None], milliseconds: float) -> None:
    # A function of its own, so that an outlier's stack trace names it.
    work(milliseconds)
