"""Changing a written page by replacing pieces of it, in place of rendering it again.

A piece can take another's place only where the old piece stands exactly once in
the file: anywhere else, the page is rendered instead.
"""

from __future__ import annotations

from collections.abc import Iterable


def splice(data: bytes, pieces: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """`data` with each old piece replaced by its new one, or None if an old piece is not there once."""
    for old, new in pieces:
        if data.count(old) != 1:
            return None
        data = data.replace(old, new)
    return data
