"""200 conversations with known answers, played through the service: every figure on the page and
in the CSV must be what was played, with counts below the floor hidden and left out of totals."""

from __future__ import annotations

import asyncio
import csv
from datetime import date
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from dialog_helpers import engine
from stats_helpers import Clock, Played, Player, Table, expected_tables

from bot.__main__ import main
from bot.conversation import Conversation
from bot.persistence.memory import MemoryStore
from bot.settings import SettingsError, load_settings
from bot.stats import Tally
from bot.stats.cli import Written, write_report
from locales.stats import load_stats_texts

FLOOR = 10


class Tables(HTMLParser):
    """The body rows of each `table[data-figure]`, as the text of their cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, Table] = {}
        self._figure: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._figure = dict(attrs).get("data-figure")
            assert self._figure is not None
            self.tables[self._figure] = []
        elif tag == "tr" and self._figure is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._figure is not None and self._row is not None:
            self.tables[self._figure].append(self._row)
            self._row = None
        elif tag == "table":
            self._figure = None


def page_tables(page: str) -> dict[str, Table]:
    parser = Tables()
    parser.feed(page)
    return {figure: rows[1:] for figure, rows in parser.tables.items()}  # without the headings


def csv_tables(path: Path) -> dict[str, Table]:
    """The CSV's lines back into rows: label, then the counts of its columns in order."""
    tables: dict[str, Table] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        assert next(reader) == ["figure", "row", "column", "count"]
        for figure, label, _, count in reader:
            rows = tables.setdefault(figure, [])
            if not rows or rows[-1][0] != label:
                rows.append([label])
            rows[-1].append(count)
    return tables


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[Played, Path]:
    """The 200 conversations, played once for the module (a few seconds)."""
    data = tmp_path_factory.mktemp("data")
    clock = Clock()
    tally = Tally(data, clock=clock)
    store = MemoryStore()
    conversation = Conversation(engine(), store, 30, stats=tally.observe)
    result = asyncio.run(Player(conversation, store, clock).play_all())
    assert tally.flush() > 0
    return result, data


def report(data: Path, out: Path, floor: int = FLOOR) -> Written:
    return write_report(data, out, floor, engine(), today=date(2026, 3, 20))


@pytest.mark.slow
def test_every_figure_on_the_page_and_in_the_csv_is_what_was_played(
    played: tuple[Played, Path], tmp_path: Path
) -> None:
    result, data = played
    assert sum(result.started_per_week.values()) == 200
    written = report(data, tmp_path)
    expected = expected_tables(result, FLOOR)
    page = written.page.read_text(encoding="utf-8")
    assert page_tables(page) == expected
    assert csv_tables(written.table) == expected
    texts = load_stats_texts()
    checks = result.totals["checked"]
    assert escape(texts.gaps.about.format(checks=checks)) in page
    assert escape(texts.small.format(floor=FLOOR)) in page


@pytest.mark.slow
def test_small_numbers_are_hidden_and_left_out_of_totals(
    played: tuple[Played, Path], tmp_path: Path
) -> None:
    result, data = played
    tables = expected_tables(result, FLOOR)
    hidden = [row for table in tables.values() for row in table if "< 10" in row]
    assert len(hidden) >= 5, "the play must hide some cells, or the rule is not tested"
    # A week with 4 starts is hidden, and the funnel's starts leave it (and the two 8s) out.
    assert ["week 4 van 2026", "< 10"] in tables["weeks"]
    assert tables["funnel"][0][1] == str(200 - 4 - 8 - 8)
    page = report(data, tmp_path).page.read_text(encoding="utf-8")
    assert ">4<" not in page and ">8<" not in page
    # With the floor at 5 the week of 8 shows, the week of 4 still not.
    looser = expected_tables(result, 5)
    assert ["week 6 van 2026", "8"] in looser["weeks"]
    assert page_tables(report(data, tmp_path / "five", 5).page.read_text("utf-8")) == looser


def test_the_floor_is_never_below_five() -> None:
    with pytest.raises(SettingsError, match="BOT_STATS_MIN_CELL"):
        load_settings(bot_stats_min_cell=4)
    assert load_settings(bot_stats_min_cell=5).bot_stats_min_cell == 5
    assert load_settings().bot_stats_min_cell == 10


def test_the_command_writes_a_page_without_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["stats", "--out", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "cijfers.html").read_text(encoding="utf-8")
    assert load_stats_texts().empty in page
    assert "cijfers.csv" in capsys.readouterr().out
    assert main(["stats", "--oops"]) == 2
