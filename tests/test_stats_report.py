"""200 conversations with known answers, played through the service: every figure on the page and
in the CSV must be what was played, with counts below the floor hidden and left out of totals."""

from __future__ import annotations

import asyncio
import csv
import random
from datetime import date
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from dialog_helpers import engine
from stats_helpers import Clock, Played, Player, Table, can_be, checkin_steps, expected_tables

from bot.__main__ import main
from bot.conversation import Conversation
from bot.persistence.memory import MemoryStore
from bot.settings import SettingsError, load_settings
from bot.stats import CountFiles, Key, Tally
from bot.stats.cli import Written, write_report
from bot.stats.figures import protected
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
    assert csv_tables(written.table) == {name: rows for name, rows in expected.items() if rows}
    texts = load_stats_texts()
    checks = result.totals["checked"]
    assert escape(texts.gaps.about.format(checks=checks)) in page
    assert escape(texts.small.format(floor=FLOOR)) in page
    # The outcomes left out of the check-in per first step are named, and only they.
    _, withheld = checkin_steps(result, FLOOR)
    note = texts.checkin_steps.withheld
    if withheld:
        assert escape(note.format(columns=", ".join(withheld))) in page
    else:
        assert escape(note.split("{", 1)[0]) not in page


@pytest.mark.slow
def test_the_new_figures_show_what_was_played(played: tuple[Played, Path]) -> None:
    """The kind of work and the first step at a check-in: played, so counted (issue 23)."""
    result, _ = played
    tables = expected_tables(result, FLOOR)
    # Every kind of work has its row, and skipping it is a row of its own.
    assert [row[0] for row in tables["work"]] == [
        "Maken, verkopen of service",
        "Bouw of installatie",
        "Kantoor of zakelijke dienst",
        "Zorg, welzijn of onderwijs",
        "Niet bekend",
    ]
    work = [cell for row in tables["work"] for cell in row[1:]]
    assert "< 10" in work and any(cell.isdigit() for cell in work)
    # The funnel's advice, plans and reminders are the sums of those shown per kind of work: a
    # hidden kind is left out, or it could be worked out by subtraction.
    for column, stage in enumerate((3, 5, 6), start=1):  # advice, plan, reminder in the funnel
        shown = sum(int(kind[column]) for kind in tables["work"] if kind[column].isdigit())
        assert tables["funnel"][stage][1] == str(shown)
    assert int(tables["funnel"][5][1]) < result.totals["plan"]
    # The check-ins per first step: the three answers, at least one outcome shown.
    steps = tables["checkin_steps"]
    assert [row[0] for row in steps] == ["Gedaan", "Bezig", "Nog niet begonnen"]
    assert steps and len(steps[0]) >= 3
    # Small numbers here too: hidden, and out of the row's total.
    assert any("< 10" in row for row in steps)
    for cells in steps:
        assert cells[-1] == str(sum(int(cell) for cell in cells[1:-1] if cell.isdigit()))
    # Those who did a first step moved up more often, as played: the page shows it.
    assert int(steps[0][1]) > int(steps[0][2])


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


def test_two_splits_of_one_total_hide_nothing_they_could_give_away() -> None:
    hidden = None
    assert not protected([[20, hidden], [25]], FLOOR)  # the other gives the total: 5 is hidden
    assert not protected([[20, hidden], [hidden, 21]], FLOOR)  # 21 or more: the first is not 0
    assert protected([[20, hidden], [20, hidden]], FLOOR)
    assert protected([[20, hidden, hidden], [25, hidden]], FLOOR)
    assert protected([[20, 30], [50]], FLOOR)
    # Against the player's oracle, which tries every value: random splits of random totals.
    rng = random.Random(23)
    for _ in range(400):
        total = rng.randint(0, 60)
        splits = [_split(total, rng) for _ in range(2)]
        values = [[count if count >= FLOOR else None for count in split] for split in splits]
        expected = can_be(splits[0], splits[1], FLOOR) and can_be(splits[1], splits[0], FLOOR)
        assert protected(values, FLOOR) == expected, splits


def _split(total: int, rng: random.Random) -> list[int]:
    """`total` in two to five counts, many of them small."""
    cuts = sorted(rng.randint(0, total) for _ in range(rng.randint(1, 4)))
    return [high - low for low, high in zip([0, *cuts], [*cuts, total], strict=True)]


def test_an_outcome_that_would_give_a_hidden_count_away_is_left_out(tmp_path: Path) -> None:
    day = "2026-03-09"
    counts = {
        # Moved up: 25 from phase 3 and 10 from phase 2, all shown; per first step 30, 5 and 0:
        # the 5 and the 0 would follow from the 35.
        Key(day, "checkin_up", "lijn", "actie", "", "", "gedaan"): 20,
        Key(day, "checkin_up", "lijn", "actie", "", "", "bezig"): 5,
        Key(day, "checkin_up", "lijn", "overwegen", "", "", "gedaan"): 10,
        # The same phase: 12 and 3 per phase as per first step; the 3 can be 0 to 9 in both.
        Key(day, "checkin_same", "lijn", "actie", "", "", "gedaan"): 12,
        Key(day, "checkin_same", "lijn", "overwegen", "", "", "bezig"): 3,
    }
    CountFiles(tmp_path).add(counts)
    written = report(tmp_path, tmp_path / "out")
    figure = next(item for item in written.report.figures if item.key == "checkin_steps")
    texts = load_stats_texts()
    assert figure.columns == (texts.checkins.same, texts.checkins.down)
    assert [(row.label, row.values) for row in figure.rows] == [
        ("Gedaan", (12, None)),
        ("Bezig", (None, None)),
        ("Nog niet begonnen", (None, None)),
    ]
    page = written.page.read_text(encoding="utf-8")
    assert escape(texts.checkin_steps.withheld.format(columns=texts.checkins.up)) in page
    assert page_tables(page)["checkin_steps"] == [
        ["Gedaan", "12", "< 10", "12"],
        ["Bezig", "< 10", "< 10", "0"],
        ["Nog niet begonnen", "< 10", "< 10", "0"],
    ]
    # Check-ins counted before the first step was: a row of their own, "Niet bekend".
    CountFiles(tmp_path).add({Key(day, "checkin_same", "lijn", "actie"): 11})
    figure = next(
        item
        for item in report(tmp_path, tmp_path / "again").report.figures
        if item.key == "checkin_steps"
    )
    assert figure.rows[-1].label == texts.checkin_steps.unknown
