"""The players' tickets: a join code and a secret key for every team and role, and the console's.

Like the numbered wristbands at a festival gate, a link or a code is the only thing that admits
a player: the room server never lets anyone in on a team and role name, which anyone can type.
The key (what a link carries) is long and random; the code (what a player types, read aloud
by the facilitator) is short, of letters nobody confuses. Both are written to the rules card
when the game is created (:func:`player_secrets`) and looked up by :class:`Players`.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Sequence

import pandas as pd

from sim.game.rules import ROLES, Rules
from sim.game.storage import GameError

GAME_URL_ENV = "LEADFLOW_GAME_URL"
DEFAULT_GAME_URL = "http://localhost:8866"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud
CODE_LENGTH = 6
"""Join codes are six characters of a 32-letter alphabet: a billion codes, so that guessing one of
a room's 80 at the server's few tries a minute would take centuries, yet short enough to type."""
KEY_BYTES = 18
"""Each team-role link and the console carry a secret key of 18 random bytes (24 URL-safe
characters): the server admits a player only with one, never from a team and role name."""


def player_secrets(teams: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """A join code and a secret key for every team and role: ``({code: "team/role"},
    {"team/role": key})``. The code is what a player types; the key is what the link carries.
    """
    codes: dict[str, str] = {}
    keys: dict[str, str] = {}
    for team in teams:
        for role in ROLES:
            code = _new_code()
            while code in codes:
                code = _new_code()
            codes[code] = f"{team}/{role}"
            keys[f"{team}/{role}"] = secrets.token_urlsafe(KEY_BYTES)
    return codes, keys


def console_secret() -> str:
    """A new secret key for the facilitator console."""
    return secrets.token_urlsafe(KEY_BYTES)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    """A join code as typed (any case, spaces or dashes between its characters) in its stored form."""
    return re.sub(r"[\s-]", "", str(code)).upper()


class Players:
    """Who a code or key stands for, and every team and role's link, from a rules card."""

    def __init__(self, rules: Rules):
        self.rules = rules

    @property
    def _card(self) -> str:
        return str(self.rules.folder / "game.yaml")

    def team_role(self, code: str) -> tuple[str, str]:
        """The team and role a join code stands for (one neutral message for a wrong code)."""
        entry = self.rules.codes.get(normal_code(code))
        if entry is None:
            raise GameError("join code", None, "that is not a code of this game; check it with "
                            "your facilitator")
        team, role = entry.split("/")
        return team, role

    def code_for(self, team: str, role: str) -> str:
        """The join code of one team and role."""
        for code, entry in self.rules.codes.items():
            if entry == f"{team}/{role}":
                return code
        raise GameError(self._card, "codes",
                        f"has no join code for {team}/{role}; the rules card is damaged or "
                        "older than this version (create the game again)")

    def key_for(self, team: str, role: str) -> str:
        """The secret key a team and role's link carries."""
        key = self.rules.keys.get(f"{team}/{role}")
        if not key:
            raise GameError(self._card, "keys",
                            f"has no key for {team}/{role}; the rules card is older than player "
                            "keys or damaged (create the game again)")
        return key

    def player(self, key: str) -> tuple[str, str] | None:
        """The team and role whose secret key ``key`` is, or None. Every key is compared in
        constant time, so the answer's timing says nothing about how close a guess was.
        """
        found = None
        for entry, secret in self.rules.keys.items():
            if secrets.compare_digest(str(key).encode(), secret.encode()):
                found = entry
        if found is None:
            return None
        team, role = found.split("/")
        return team, role

    def is_console_key(self, key: str) -> bool:
        """Whether ``key`` is this game's facilitator key (False for a game without one)."""
        console_key = self.rules.console_key
        return bool(console_key) and secrets.compare_digest(str(key).encode(),
                                                            console_key.encode())

    def links(self, base_url: str | None = None) -> pd.DataFrame:
        """The team page's address and join code for every team and role.

        Each link carries that team and role's secret key (``BASE/play?key=KEY``); the code is the
        short form a player types on the join page at ``BASE/``. ``base_url`` is where the room
        server answers (default ``$LEADFLOW_GAME_URL`` or ``http://localhost:8866``).
        """
        base = (base_url or os.environ.get(GAME_URL_ENV) or DEFAULT_GAME_URL).rstrip("/")
        rows = [{"team": team, "role": role, "code": self.code_for(team, role),
                 "link": f"{base}/play?key={self.key_for(team, role)}"}
                for team in self.rules.teams for role in ROLES]
        return pd.DataFrame(rows)

    def console_link(self, base_url: str) -> str:
        """The facilitator console's address with its secret key."""
        if not self.rules.console_key:
            raise GameError(self._card, "console_key",
                            "missing; the rules card is older than console keys (create the "
                            "game again)")
        return f"{base_url.rstrip('/')}/console?key={self.rules.console_key}"
