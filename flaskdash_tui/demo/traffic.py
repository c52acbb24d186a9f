"""The demo's users and the requests they send, shared by the live load and history.

Both the live load generator and the history replay draw requests from
:class:`Traffic`, so the mix of endpoints, users and failures is the same in
the weeks of history and in the requests that arrive while the TUI runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import quote

from flaskdash_tui.demo import service


@dataclass(frozen=True)
class RequestSpec:
    """One request to send to the example service."""

    method: str
    path: str
    """Path with its query string, for example ``/studied_words?session=user01``."""
    session: str | None
    """The user, sent as the ``session`` argument; None for a logged-out client."""
    ip: str
    """The client address that the history replay pretends to come from."""
    json: dict[str, object] | None = None


@dataclass(frozen=True)
class User:
    """A user of the example service."""

    session: str
    ip: str
    language: str
    activity: float
    """Relative share of the requests that this user sends."""


WORDS = ("Haus", "gehen", "schnell", "Baum", "vielleicht", "Zeitung", "obwohl")
UNKNOWN_OUTCOME_PROBABILITY = 0.03
DELETED_BOOKMARK_PROBABILITY = 0.02
LOGGED_OUT_PROBABILITY = 0.004

# Relative frequency of each endpoint: translations while reading are the
# most common, the deprecated endpoint is nearly unused.
ENDPOINT_MIX = {
    "get_possible_translations": 26.0,
    "report_exercise_outcome": 14.0,
    "upload_user_activity_data": 14.0,
    "bookmarks_to_study": 8.0,
    "get_article_difficulties": 8.0,
    "studied_words": 6.0,
    "get_feeds_being_followed": 6.0,
    "get_starred_articles": 5.0,
    "learned_language": 4.0,
    "native_language": 4.0,
    "get_interesting_feeds_for_language": 3.0,
    "get_learned_bookmarks": 0.3,
}


class Traffic:
    """A seeded source of requests from a few dozen users.

    Args:
        seed: Seed of the users' activity, which is the same in every stream.
        stream: Number of this source of requests; several sources with one
            seed draw different requests from the same users.
    """

    def __init__(self, seed: int, stream: int = 0) -> None:
        activity = random.Random(seed)
        self._random = random.Random(f"{seed}/{stream}")
        self.users = [
            User(
                session=service.user_name(number),
                ip=f"192.0.2.{number}",
                language=service.LANGUAGES[number % len(service.LANGUAGES)],
                activity=activity.lognormvariate(0.0, 0.7),
            )
            for number in range(1, service.USER_COUNT + 1)
        ]
        self._endpoints = list(ENDPOINT_MIX)
        self._endpoint_weights = list(ENDPOINT_MIX.values())
        self._user_weights = [user.activity for user in self.users]

    def next_request(self) -> RequestSpec:
        """Draw the next request: a user, an endpoint and its arguments."""
        rng = self._random
        user = rng.choices(self.users, weights=self._user_weights)[0]
        endpoint = rng.choices(self._endpoints, weights=self._endpoint_weights)[0]
        session: str | None = user.session
        if rng.random() < LOGGED_OUT_PROBABILITY:
            session = None
        method, path, body = self._endpoint_request(endpoint, user)
        if session is not None:
            path += ("&" if "?" in path else "?") + f"session={session}"
        return RequestSpec(method, path, session, user.ip, body)

    def _endpoint_request(
        self, endpoint: str, user: User
    ) -> tuple[str, str, dict[str, object] | None]:
        rng = self._random
        if endpoint == "get_possible_translations":
            word = rng.choice(WORDS)
            return (
                "GET",
                f"/get_possible_translations/{user.language}/en?word={word}",
                None,
            )
        if endpoint == "report_exercise_outcome":
            outcome = rng.choice(sorted(service.EXERCISE_OUTCOMES))
            if rng.random() < UNKNOWN_OUTCOME_PROBABILITY:
                outcome = "too_easy"
            bookmark = rng.randint(1, 5000)
            if rng.random() < DELETED_BOOKMARK_PROBABILITY:
                bookmark = 97 * rng.randint(1, 51)
            elif not service.bookmark_exists(bookmark):
                bookmark += 1
            speed = rng.randint(800, 9000)
            path = (
                f"/report_exercise_outcome/{quote(outcome)}/Recognize/{speed}"
                f"/{bookmark}"
            )
            return "POST", path, None
        if endpoint == "upload_user_activity_data":
            body: dict[str, object] = {
                "event": rng.choice(["OPEN_ARTICLE", "SCROLL", "TRANSLATE_TEXT"]),
                "value": rng.randint(0, 100),
            }
            return "POST", "/upload_user_activity_data", body
        if endpoint == "bookmarks_to_study":
            return "GET", f"/bookmarks_to_study/{rng.randint(5, 40)}", None
        if endpoint == "get_interesting_feeds_for_language":
            return "GET", f"/interesting_feeds/{user.language}", None
        if endpoint == "get_learned_bookmarks":
            return "GET", f"/get_learned_bookmarks/{user.language}", None
        if endpoint == "get_starred_articles":
            return "GET", "/user_articles/starred", None
        return "GET", f"/{endpoint}", None
