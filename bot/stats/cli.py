"""`python -m bot stats`: the figures page and its CSV, from the count files of the data directory.

Why a command and not a web page served by the bot: the figures are for whoever runs the bot, now
and then; a file they can open, mail or put on an intranet needs no port, no login and no extra
attack surface. The command only reads the count files, so it can run beside the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.persistence.atomic import atomic_write_bytes
from bot.stats.figures import Names, Report, build
from bot.stats.files import CountFiles
from bot.stats.page import csv_text, html_page
from dialogs import Engine
from knowledge.schema import WORK_KINDS
from locales.stats import load_stats_texts

PAGE_NAME = "cijfers.html"
CSV_NAME = "cijfers.csv"
WORK_QUESTION = "soort"  # the dialog's question for the kind of work (dialogs/data/flow.yaml)


@dataclass(frozen=True)
class Written:
    page: Path
    table: Path
    report: Report


def names_of(engine: Engine) -> Names:
    """The labels of the ids in the counts, as the dialog and the knowledge call them."""
    texts = load_stats_texts(engine.language)
    knowledge = engine.knowledge
    return Names(
        roles={role: engine.role_label(role) for role in engine.flow.roles},
        phases={
            phase.key: texts.phase_label.format(number=phase.number, label=phase.label)
            for phase in knowledge.phases
        },
        gaps={item.id: item.title for item in knowledge.preconditions},
        kinds={kind: engine.texts.option_label(WORK_QUESTION, kind) for kind in WORK_KINDS},
    )


def write_report(
    data_dir: Path, out_dir: Path, floor: int, engine: Engine, today: date | None = None
) -> Written:
    """Write the page and the CSV into `out_dir`; returns their paths and the figures."""
    texts = load_stats_texts(engine.language)
    report = build(CountFiles(data_dir).read(), names_of(engine), texts, floor)
    bundle = engine.bundle
    period = ""
    if report.first is not None and report.last is not None:
        period = texts.period.format(
            first=bundle.long_date(report.first), last=bundle.long_date(report.last)
        )
    made = bundle.long_date(today or date.today())
    page = html_page(report, texts, CSV_NAME, made, period)
    written = Written(out_dir / PAGE_NAME, out_dir / CSV_NAME, report)
    atomic_write_bytes(written.page, page.encode("utf-8"), durable=False)
    atomic_write_bytes(written.table, csv_text(report, texts).encode("utf-8"), durable=False)
    return written
