"""Chat keys: the channel-neutral name of one conversation, and where its file lives.

Why strings: the store serves every front end (Telegram uses `str(chat_id)`, so existing file names
stay the same). A key becomes a file name, so only a small safe alphabet is accepted: no path
separators, no dots, nothing a shell or another file system could misread.
"""

from __future__ import annotations

import hashlib
import re

KEY_PATTERN = re.compile(r"[A-Za-z0-9_:-]{1,64}")


def check_key(key: str) -> str:
    """Return `key` unchanged when it is safe as a file name; raise ValueError otherwise."""
    if not isinstance(key, str) or KEY_PATTERN.fullmatch(key) is None:
        raise ValueError("a chat key is 1 to 64 characters of A-Z, a-z, 0-9, '_', ':' or '-'")
    return key


def shard_of(key: str) -> str:
    """Two hex digits of a hash: spreads chats evenly over 256 directories."""
    return hashlib.sha256(key.encode()).hexdigest()[:2]
