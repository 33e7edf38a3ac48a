"""Source locations. Every fact in the model carries the span it was read from."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict


class Origin(TypedDict):
    """Where a fact is written: a file and a 1-based, inclusive range (the model's form of a `Span`)."""

    path: Annotated[str, "file path relative to the project root, with forward slashes"]
    line: Annotated[int, "first line, from 1"]
    column: Annotated[int, "first column, from 1"]
    end_line: Annotated[int, "last line, from 1"]
    end_column: Annotated[int, "last column, from 1 (inclusive)"]


@dataclass(frozen=True, order=True)
class Span:
    """A 1-based, inclusive region of a file; `path` is relative to the project root (POSIX)."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    @staticmethod
    def point(path: str, line: int, col: int = 1) -> Span:
        return Span(path, line, col, line, col)

    def to_dict(self) -> Origin:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.col,
            "end_line": self.end_line,
            "end_column": self.end_col,
        }


def span_from_dict(d: Any) -> Span | None:
    """Inverse of `Span.to_dict`, used on values coming back from CEL."""
    if not isinstance(d, dict):
        return None
    try:
        return Span(
            str(d["path"]),
            int(d["line"]),
            int(d.get("column") or 1),
            int(d.get("end_line") or d["line"]),
            int(d.get("end_column") or d.get("column") or 1),
        )
    except (KeyError, TypeError, ValueError):
        return None


def display_path(path: str) -> str:
    """A path for output. A file name that is not UTF-8 reaches replint with its bytes as surrogate escapes
    (`os.fsdecode`), which no UTF-8 output can carry: they are written as `\\xe9`, readable and valid."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def printable(text: str) -> str:
    """Any text for output, with lone surrogates (a non-UTF-8 name quoted in a message) escaped."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return display_path(text)
    except UnicodeEncodeError:  # a surrogate no byte stands for: only its code can be shown
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def line_end(text: str, start: int, end: int | None = None) -> int:
    """Where the line holding `start` ends: the first CR or LF at or after it, or `end` (default: the text's).

    A `--` comment ends there, as in PostgreSQL's and psql's scanners (`non_newline [^\\n\\r]`): a file saved
    with CR-only line endings has its statements after a comment read, not swallowed by it."""
    stop = len(text) if end is None else end
    lf = text.find("\n", start, stop)
    cr = text.find("\r", start, lf if lf >= 0 else stop)
    if cr >= 0:
        return cr
    return lf if lf >= 0 else stop


def line_bounds(text: str) -> Iterator[tuple[int, int]]:
    """[start, end) offsets of each line of `text`, without its newline (the last line may be empty)."""
    start = 0
    while start <= len(text):
        nl = text.find("\n", start)
        end = len(text) if nl < 0 else nl
        yield start, end
        if nl < 0:
            return
        start = nl + 1


class LineIndex:
    """Maps offsets in a text to 1-based (line, column). Columns count characters, not bytes."""

    def __init__(self, text: str) -> None:
        # str.find runs in C; a per-character loop here dominated reading a large migration history.
        starts = [0]
        find = text.find
        nl = find("\n")
        while nl >= 0:
            starts.append(nl + 1)
            nl = find("\n", nl + 1)
        self._starts = starts
        self._text = text

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self._text)))
        line = bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def span(self, path: str, start: int, end: int) -> Span:
        """Span for the character range [start, end)."""
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end - 1))
        return Span(path, line, col, end_line, end_col)


class ByteIndex:
    """Converts UTF-8 byte offsets (what libpg_query reports) to character offsets."""

    def __init__(self, text: str) -> None:
        self._ascii = text.isascii()
        self._map: list[int] = []
        if not self._ascii:
            for i, ch in enumerate(text):
                self._map.extend([i] * len(ch.encode("utf-8")))
            self._map.append(len(text))

    def char_offset(self, byte_offset: int) -> int:
        if self._ascii:
            return byte_offset
        if byte_offset >= len(self._map):
            return self._map[-1]
        return self._map[max(0, byte_offset)]
