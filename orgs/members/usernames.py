"""Usernames that look alike. Pure Python: no Django.

Two names are confusable when their *skeletons* are equal: the name in Unicode NFKC form,
each character replaced by the prototype it is commonly mistaken for (Unicode's
confusables data, as shipped by the confusable-homoglyphs package: Cyrillic "а" → Latin
"a", "0" → "O", "I" → "l"), then case-folded, then mapped once more. So "olivia",
"Olivia", "0livia" and "оlivia" (Cyrillic о) share one skeleton. This follows the idea of
Unicode TR39's skeleton; multi-character look-alikes ("rn" for "m") are not caught.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib.resources import files


@cache
def _prototypes() -> dict[str, str]:
    data = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text())
    out: dict[str, str] = {}
    for char, entries in data.items():
        # A character with a single look-alike is mapped to it (its prototype).
        if len(entries) == 1:
            out[char] = entries[0]["c"].strip("\u200e\u200f")
    return out


def _map(text: str) -> str:
    table = _prototypes()
    return "".join(table.get(char, char) for char in text)


def skeleton(name: str) -> str:
    return _map(_map(unicodedata.normalize("NFKC", name)).casefold())


def skeletons(name: str) -> frozenset[str]:
    """The skeletons of the name as written and case-folded first: "OLIVIA" is "olivia"
    written in capitals, though a capital I also looks like an l."""
    return frozenset({skeleton(name), skeleton(name.casefold())})


def confusable(a: str, b: str) -> bool:
    return bool(skeletons(a) & skeletons(b))
