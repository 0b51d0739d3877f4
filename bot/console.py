"""The dialog in a terminal (`python -m bot chat`): the same engine as Telegram, without a network.

Each bot turn prints its text and its options numbered; the user answers with a number, an option's
label, or a command (/terug or /back, /opnieuw or /restart, /help, /start [rol], /stop or /quit).
It reads line by line, so a whole conversation can be piped in and scripted; when input is piped,
every line is echoed after `> ` so that the transcript reads as a conversation. It runs through the
same conversation service as Telegram, with a store in memory: nothing is kept after it ends.
Attachments (the model picture, the action plan) are written to a directory.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TextIO

import yaml
from pydantic import BaseModel, ConfigDict

from bot.artifacts import render
from bot.conversation import Conversation, Turn
from bot.persistence.memory import MemoryStore
from bot.texts import load_texts
from dialogs import Command, Engine, Event, FlowError, Session
from dialogs.events import Attachment
from knowledge import KnowledgeError

TEXTS_FILE = Path(__file__).with_name("console.yaml")
DEFAULT_OUT = Path("var/console")

COMMANDS: dict[str, Command] = {
    "/terug": Command.BACK,
    "/back": Command.BACK,
    "/opnieuw": Command.RESTART,
    "/restart": Command.RESTART,
    "/help": Command.HELP,
}
QUIT = frozenset({"/stop", "/quit", "/exit"})

# Renders an attachment and returns the saved file's path; None when the renderers are missing.
Saver = Callable[[Attachment, Session, Engine], Path]


class ConsoleTexts(BaseModel):
    """The console's own words (the dialog's words come from the engine)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intro: str
    saved: str
    not_rendered: str
    bye: str
    broken: str


@cache
def console_texts(path: Path = TEXTS_FILE) -> ConsoleTexts:
    return ConsoleTexts.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def attachment_saver(out_dir: Path) -> Saver:
    """A function that renders an attachment (picture or plan) and saves it under `out_dir`."""

    def save(kind: Attachment, session: Session, engine: Engine) -> Path:
        return render(kind, session, engine).save(out_dir)

    return save


def to_event(line: str) -> Event:
    """What a typed line means: a command, or text the engine matches to an option (or not)."""
    word, _, rest = line.partition(" ")
    lowered = word.casefold()
    if lowered == "/start":
        return Event.start(rest.strip())
    if lowered in COMMANDS:
        return Event.command(COMMANDS[lowered])
    return Event.text(line)


class Console:
    """One terminal conversation through the conversation service, kept in memory only."""

    KEY = "console"

    def __init__(self, engine: Engine, out: TextIO, saver: Saver, echo: bool) -> None:
        self.engine = engine
        self.conversation = Conversation(engine, MemoryStore(), load_texts(), retention_days=0)
        self.out = out
        self.saver = saver
        self.echo = echo
        self.texts = console_texts()

    async def show(self, turn: Turn) -> None:
        for reply in turn.replies:
            if reply.text:
                print(reply.text, file=self.out)
            for number, option in enumerate(reply.options, start=1):
                print(f"  {number}) {option.label}", file=self.out)
            if reply.attachment is not None and turn.session is not None:
                try:
                    path = self.saver(reply.attachment, turn.session, self.engine)
                except (ValueError, OSError) as error:
                    print(self.texts.not_rendered.format(reason=error), file=self.out)
                else:
                    print(self.texts.saved.format(path=path), file=self.out)
            print(file=self.out)

    async def say(self, event: Event) -> None:
        await self.conversation.handle(self.KEY, 0, event, deliver=self.show)

    def run(self, lines: TextIO, preset: str = "") -> int:
        return asyncio.run(self._run(lines, preset))

    async def _run(self, lines: TextIO, preset: str) -> int:
        print(self.texts.intro, file=self.out)
        print(file=self.out)
        await self.say(Event.start(preset))
        while True:
            if not self.echo:  # a person at a terminal: show where to type
                print("> ", end="", file=self.out, flush=True)
            raw = lines.readline()
            if not raw:
                break
            line = raw.strip()
            if not line:
                continue
            if self.echo:
                print(f"> {line}", file=self.out)
            if line.casefold() in QUIT:
                break
            await self.say(to_event(line))
        print(self.texts.bye, file=self.out)
        return 0


def main(
    argv: list[str] | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    """Run a console conversation; the exit code is 0, or 1 when the dialog data is broken."""
    parser = argparse.ArgumentParser(prog="python -m bot chat", description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="map voor plaatjes en actieplannen"
    )
    parser.add_argument(
        "--rol", default="", help="begin met deze rol, bijv. mkb (zoals een deeplink)"
    )
    args = parser.parse_args(argv)
    try:
        engine = Engine.load()
    except (FlowError, KnowledgeError) as error:
        print(console_texts().broken, file=sys.stderr)
        for line in getattr(error, "errors", [str(error)]):
            print(f"  {line}", file=sys.stderr)
        return 1
    echo = not stdin.isatty()
    console = Console(engine, stdout, attachment_saver(args.out), echo)
    return console.run(stdin, preset=args.rol)


if __name__ == "__main__":
    raise SystemExit(main())
