"""The conversation files (``tests/conversations/*.toml``) read into chats: turns and what each reply must show.

The format is described in this folder's README. Reading is strict: an unknown key, a turn with no action
or two, or phrasing lists of different lengths is an error naming the file, the chat and the turn, so a
typo in a data file can never turn into an expectation that silently checks nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).resolve().parent

ACTIONS = ("follow", "unfollow", "say", "press", "sticker", "location", "clock")
OPTIONS = ("unblocked", "date", "note")  # follow: unblocked = true; press: date = "YYYY-MM-DD" (a date picker)
CHECKS = ("first", "contains", "lacks", "messages", "buttons", "no_buttons", "no_reply")
CHAT_KEYS = ("name", "turn")


class ScriptError(ValueError):
    """A conversation file that does not follow the format."""


@dataclass(frozen=True)
class Expect:
    """What the reply to one turn must show (every set field is checked)."""

    first: tuple[str, ...] = ()  # the first message's text contains each
    contains: tuple[str, ...] = ()  # the reply's texts, all messages together, contain each
    lacks: tuple[str, ...] = ()  # ... and contain none of these
    messages: int | None = None  # the number of messages
    buttons: tuple[str, ...] = ()  # the quick-reply labels (of the last message) include each
    no_buttons: bool = False  # the last message has no quick reply
    no_reply: bool = False  # nothing is sent


@dataclass(frozen=True)
class Turn:
    """One thing the resident does (``action`` with its ``value``) and what the reply must show."""

    action: str
    value: object
    expect: Expect
    unblocked: bool = False
    date: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Chat:
    """One scripted conversation, run on its own with a fresh resident; ``phrasing`` names the variant."""

    file: str
    name: str
    turns: tuple[Turn, ...]
    phrasing: str = ""

    @property
    def id(self) -> str:
        """The pytest id: file, chat name and, for a chat with phrasings, the phrasing's number."""
        return f"{self.file}::{self.name}" + (f"::{self.phrasing.split(':')[0]}" if self.phrasing else "")


def load_all(folder: Path = FOLDER) -> list[Chat]:
    """Every chat of every ``*.toml`` file in ``folder``, each phrasing variant as a chat of its own."""
    return [chat for path in sorted(folder.glob("*.toml")) for chat in load_file(path)]


def load_file(path: Path) -> list[Chat]:
    """The chats of one conversation file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ScriptError(f"{path.name}: {error}") from None
    _only(data, ("chat",), path.name)
    chats = []
    for number, raw in enumerate(data.get("chat", []), start=1):
        where = f"{path.name} chat {number}"
        _only(raw, CHAT_KEYS, where)
        if not isinstance(raw.get("name"), str) or not raw["name"]:
            raise ScriptError(f"{where}: needs a name")
        turns = raw.get("turn", [])
        if not turns:
            raise ScriptError(f"{where} ({raw['name']}): has no turns")
        chats += _variants(path.stem, raw["name"], [_turn(t, f"{where} ({raw['name']}) turn {i}")
                                                    for i, t in enumerate(turns, start=1)])
    return chats


def _variants(file: str, name: str, turns: list[Turn]) -> list[Chat]:
    """The chat once per phrasing: turns whose ``say`` is a list give their i-th text to the i-th run."""
    lengths = {len(turn.value) for turn in turns if isinstance(turn.value, tuple)}
    if len(lengths) > 1:
        raise ScriptError(f"{file} ({name}): every list of phrasings in a chat needs the same length")
    if not lengths:
        return [Chat(file, name, tuple(turns))]
    runs = []
    for index in range(lengths.pop()):
        chosen = tuple(Turn(t.action, t.value[index], t.expect, t.unblocked, t.date, t.note)
                       if isinstance(t.value, tuple) else t for t in turns)
        phrasing = next(t.value[index] for t in turns if isinstance(t.value, tuple))
        runs.append(Chat(file, name, chosen, f"{index + 1}:{phrasing}"))
    return runs


def _turn(raw: dict, where: str) -> Turn:
    _only(raw, ACTIONS + OPTIONS + CHECKS, where)
    actions = [key for key in ACTIONS if key in raw]
    if len(actions) != 1:
        raise ScriptError(f"{where}: needs exactly one of {', '.join(ACTIONS)} (has {actions or 'none'})")
    action, value = actions[0], raw[actions[0]]
    if action == "say":
        if isinstance(value, list):
            if not value or not all(isinstance(v, str) and v for v in value):
                raise ScriptError(f"{where}: say needs a text or a list of texts")
            value = tuple(value)
        elif not isinstance(value, str) or not value:
            raise ScriptError(f"{where}: say needs a text or a list of texts")
    elif action in ("press", "clock") and not isinstance(value, str):
        raise ScriptError(f"{where}: {action} needs a text")
    elif action in ("follow", "unfollow", "sticker", "location") and value is not True:
        raise ScriptError(f"{where}: write {action} = true")
    if not isinstance(raw.get("messages", 0), int) or isinstance(raw.get("messages"), bool):
        raise ScriptError(f"{where}: messages needs a number")
    expect = Expect(
        first=_texts(raw.get("first", ()), where),
        contains=_texts(raw.get("contains", ()), where),
        lacks=_texts(raw.get("lacks", ()), where),
        messages=raw.get("messages"),
        buttons=_texts(raw.get("buttons", ()), where),
        no_buttons=raw.get("no_buttons", False) is True,
        no_reply=raw.get("no_reply", False) is True,
    )
    if action in ("clock", "unfollow"):
        if expect != Expect(no_reply=expect.no_reply):
            raise ScriptError(f"{where}: {action} gets no reply, so nothing can be expected of it")
        expect = Expect(no_reply=True)
    return Turn(action, value, expect, raw.get("unblocked", False) is True, raw.get("date"), raw.get("note", ""))


def _texts(value: object, where: str) -> tuple[str, ...]:
    """A text or a list of texts, as a tuple."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ScriptError(f"{where}: expected a text or a list of texts, got {value!r}")
    return tuple(values)


def _only(raw: dict, allowed: tuple[str, ...], where: str) -> None:
    """Refuse keys the format does not know (a misspelt check would otherwise check nothing)."""
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ScriptError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(allowed)}")
