"""Splitting long texts to fit Telegram's 4096-character message limit, at paragraph boundaries.

Telegram counts UTF-16 code units, so an emoji can count twice; we count the same way. A paragraph
that alone is too long is split at line breaks, then at spaces, and only as a last resort inside a
word, so the reader sees whole paragraphs wherever that is possible.
"""

from __future__ import annotations

MESSAGE_LIMIT = 4096
PARAGRAPH = "\n\n"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units; a stray lone surrogate counts as one instead of failing."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Parts of at most `limit` UTF-16 units; joined by blank lines they read as `text`."""
    if utf16_len(text) <= limit:
        return [text] if text.strip() else []
    return [part for part in _pack(text.split(PARAGRAPH), PARAGRAPH, limit) if part.strip()]


def _pack(pieces: list[str], separator: str, limit: int) -> list[str]:
    """Greedily join `pieces` with `separator` into parts that fit; split pieces that do not."""
    parts: list[str] = []
    current = ""
    for piece in pieces:
        for fitting in _fit(piece, separator, limit):
            candidate = f"{current}{separator}{fitting}" if current else fitting
            if current and utf16_len(candidate) > limit:
                parts.append(current)
                current = fitting
            else:
                current = candidate
    if current:
        parts.append(current)
    return parts


def _fit(piece: str, separator: str, limit: int) -> list[str]:
    if utf16_len(piece) <= limit:
        return [piece]
    if separator == PARAGRAPH:
        return _pack(piece.split("\n"), "\n", limit)
    if separator == "\n":
        return _pack(piece.split(" "), " ", limit)
    return _hard_cut(piece, limit)


def _hard_cut(word: str, limit: int) -> list[str]:
    """Cut a single over-long word, never inside a surrogate pair."""
    parts: list[str] = []
    current = ""
    for char in word:
        if current and utf16_len(current + char) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    if current:
        parts.append(current)
    return parts
