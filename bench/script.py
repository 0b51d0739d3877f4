"""What our bot sends for each update of the scripted conversation, as a baseline bot can replay it.

A same-traffic baseline is only fair if it makes the same Telegram calls with the same payloads as
our bot: the same methods in the same order, the same texts and keyboards, the same picture bytes.
Rather than a hand-written copy that drifts whenever the bot changes (say, to edit its question in
place), the script is recorded from the real bot's calls on the test server and replayed by
`bench.replay_bot`. Only the callback data of the buttons is rewritten, to the step they lead to.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.live import Segment

# Methods the replay bot knows; a bot using another one makes the recording fail loudly.
SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendChatAction"})
EDITS = frozenset(
    {"editMessageText", "editMessageReplyMarkup", "editMessageCaption", "deleteMessage"}
)
ANSWER = "answerCallbackQuery"
FILE_FIELDS = {"sendPhoto": "photo", "sendDocument": "document"}
# Identifiers the replay supplies itself; everything else is payload and replayed as recorded.
_IDS = frozenset({"chat_id", "message_id", "callback_query_id", "photo", "document"})
TAPPED = "tapped"  # an edit of the message whose button was tapped
NEWEST = "newest"  # an edit of the newest message the bot sent in the chat


@dataclass(frozen=True)
class ScriptCall:
    """One call: its method, which message it edits (edits only), its payload, its file."""

    method: str
    target: str | None
    payload: dict[str, Any]
    file: int | None  # index into Script.files


@dataclass(frozen=True)
class Script:
    """Per update of the conversation (0 = /start, then each tap), the calls to make."""

    steps: tuple[tuple[ScriptCall, ...], ...]
    files: tuple[tuple[str, bytes], ...]
    # The size of the chat's record our bot had stored at the conversation's end (bytes): what
    # the replay with our disk work writes per update (bench.replay_bot --durable-writes).
    record_size: int = 0

    def signature(self) -> list[list[str]]:
        return [[call.method for call in step] for step in self.steps]

    def save(self, path: Path) -> None:
        data = {
            "steps": [
                [
                    {"method": c.method, "target": c.target, "payload": c.payload, "file": c.file}
                    for c in step
                ]
                for step in self.steps
            ],
            "files": [
                {"name": name, "data": base64.b64encode(data).decode("ascii")}
                for name, data in self.files
            ],
            "record_size": self.record_size,
        }
        path.write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Script:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            steps=tuple(
                tuple(
                    ScriptCall(c["method"], c["target"], dict(c["payload"]), c["file"])
                    for c in step
                )
                for step in data["steps"]
            ),
            files=tuple((f["name"], base64.b64decode(f["data"])) for f in data["files"]),
            record_size=int(data.get("record_size", 0)),
        )


def from_segments(segments: Sequence[Segment]) -> Script:
    """The script of one user's conversation, from the server's segments of that chat."""
    files: list[tuple[str, bytes]] = []
    steps: list[tuple[ScriptCall, ...]] = []
    newest = 0
    for segment in segments:
        calls: list[ScriptCall] = []
        for call in segment.calls:
            method = call.method
            if method not in SENDS | EDITS and method != ANSWER:
                raise RuntimeError(f"the replay bot cannot make {method} calls yet; add it")
            target: str | None = None
            if method in EDITS:
                message_id = int(call.params["message_id"])
                if message_id == segment.tapped:
                    target = TAPPED
                elif message_id == newest:
                    target = NEWEST
                else:
                    raise RuntimeError(f"{method} of a message the replay cannot name")
            file = None
            if method in FILE_FIELDS:
                name, data = _file(call.params, call.files, FILE_FIELDS[method])
                files.append((name, data))
                file = len(files) - 1
            if method in SENDS and isinstance(call.result, dict) and "message_id" in call.result:
                newest = int(call.result["message_id"])
            payload = {k: v for k, v in call.params.items() if k not in _IDS}
            calls.append(ScriptCall(method, target, payload, file))
        steps.append(tuple(calls))
    return Script(tuple(steps), tuple(files))


def _file(params: dict[str, Any], files: dict[str, Any], field: str) -> tuple[str, bytes]:
    reference = params.get(field)
    name = (
        reference[len("attach://") :]
        if isinstance(reference, str) and reference.startswith("attach://")
        else field
    )
    file_name, data = files[name]
    return (file_name or field, data)
