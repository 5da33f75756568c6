"""Make Pagefind's bundle byte-identical from build to build.

Pagefind writes the values of each filter (category, reporter) in hash-map order,
which changes from run to run, and names each filter file, and the metadata file
that lists them, after their content. So the same site would get new file names
and bytes on every build, and a reproducible build or an rsync of the output
would see changes that are not there. Here the values are sorted by name, the
files renamed after their new content, and the references to them updated.

The files are gzip-compressed `pagefind_dcd` + CBOR. Only the CBOR types Pagefind
writes are understood; a bundle in any other shape is left as it is (it works,
it just is not reproducible).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

_SIGNATURE = b"pagefind_dcd"
_ENTRY = "pagefind-entry.json"


class _Unknown(Exception):
    """The bundle is not in the shape this module knows."""


def order_bundle(bundle: Path) -> bool:
    """Sort the filter files of a Pagefind bundle in place; False if its shape is unknown (nothing changed)."""
    try:
        plan = _plan(bundle)
    except (_Unknown, OSError, ValueError, EOFError, KeyError, IndexError):
        return False
    for old, (new, data) in plan.items():
        old.unlink()
        new.write_bytes(data)
    return True


def _plan(bundle: Path) -> dict[Path, tuple[Path, bytes]]:
    """Every file to replace: old path -> (new path, new bytes); reads only."""
    entry_path = bundle / _ENTRY
    entry = json.loads(entry_path.read_text("utf-8"))
    plan: dict[Path, tuple[Path, bytes]] = {}
    for language in entry["languages"].values():
        renamed: dict[str, str] = {}
        for path in sorted((bundle / "filter").glob("*.pf_filter")):
            name = _read(path)
            if not (isinstance(name, list) and len(name) == 2 and isinstance(name[1], list)):
                raise _Unknown(path.name)
            name[1].sort(key=_sort_key)
            data = _encode_file(name)
            new_hash = _hash_name(path.stem, data, 7)
            renamed[path.stem] = new_hash
            plan[path] = (path.with_name(new_hash + ".pf_filter"), _gzip(data))
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _replace_strings(_read(meta_path), renamed)
        _sort_filter_lists(meta, set(renamed.values()))
        data = _encode_file(meta)
        new_meta = _hash_name(language["hash"], data, 10)
        plan[meta_path] = (meta_path.with_name(f"pagefind.{new_meta}.pf_meta"), _gzip(data))
        language["hash"] = new_meta
    plan[entry_path] = (entry_path, json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode())
    return plan


def _sort_key(item: Any) -> str:
    if isinstance(item, list) and item and isinstance(item[0], str):
        return item[0]
    raise _Unknown("filter value")


def _sort_filter_lists(node: Any, hashes: set[str]) -> None:
    """Sort the metadata's list of [filter name, filter file] pairs by name."""
    if not isinstance(node, list):
        return
    if node and all(isinstance(item, list) and len(item) == 2 and item[1] in hashes for item in node):
        node.sort(key=_sort_key)
        return
    for item in node:
        _sort_filter_lists(item, hashes)


def _replace_strings(node: Any, renamed: dict[str, str]) -> Any:
    if isinstance(node, str):
        return renamed.get(node, node)
    if isinstance(node, list):
        return [_replace_strings(item, renamed) for item in node]
    return node


def _hash_name(old: str, data: bytes, length: int) -> str:
    """`en_1a2b3c4`: the old name's language part, then a digest of the new content."""
    language = old.rsplit("_", 1)[0]
    return f"{language}_{hashlib.sha256(data).hexdigest()[:length]}"


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise _Unknown(path.name)
    value, end = _decode(data, len(_SIGNATURE))
    if end != len(data):
        raise _Unknown(path.name)
    return value


def _encode_file(value: Any) -> bytes:
    out = bytearray(_SIGNATURE)
    _encode(value, out)
    return bytes(out)


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    """One CBOR item: unsigned integers, text strings and definite-length arrays."""
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        argument = info
    elif info <= 27:
        size = 1 << (info - 24)
        argument = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise _Unknown("indefinite length")
    if major == 0:
        return argument, at
    if major == 3:
        return data[at:at + argument].decode("utf-8"), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise _Unknown(f"CBOR major type {major}")


def _encode(value: Any, out: bytearray) -> None:
    if isinstance(value, bool):
        raise _Unknown("boolean")
    if isinstance(value, int):
        _head(0, value, out)
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        _head(3, len(raw), out)
        out += raw
    elif isinstance(value, list):
        _head(4, len(value), out)
        for item in value:
            _encode(item, out)
    else:
        raise _Unknown(type(value).__name__)


def _head(major: int, argument: int, out: bytearray) -> None:
    if argument < 24:
        out.append(major << 5 | argument)
        return
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            out.append(major << 5 | info)
            out += argument.to_bytes(size, "big")
            return
    raise _Unknown("integer too large")
