"""`render` as front ends call it: the picture's artifact and caption, saving, Dutch dates."""

from __future__ import annotations

import importlib
import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from dialog_helpers import engine as dialog_engine
from dialog_helpers import reserved_in
from PIL import Image

from bot.artifacts import Artifact, render
from dialogs import Engine
from dialogs.session import Session
from knowledge import KnowledgeBase
from locales import LOCALES_DIR, ArtifactTexts, BundleError, load_bundle
from locales.artifacts import PictureTexts

# The module itself: the package's `render` is the function of the same name.
render_module = importlib.import_module("bot.artifacts.render")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return dialog_engine()


def test_picture_after_diagnosis_names_layer_and_phase(engine: Engine) -> None:
    kb = engine.knowledge
    session = Session(role="hr", layers=["hr", "directie"], phase="toepassen")
    artifact = render("model_picture", session, engine)
    assert artifact.mime == "image/png"
    assert artifact.filename.endswith(".png")
    assert Image.open(io.BytesIO(artifact.data)).size[0] == 1080
    assert kb.layer("hr").label in artifact.caption
    assert kb.layer("directie").label in artifact.caption
    assert kb.phase("toepassen").label in artifact.caption
    assert "\n" not in artifact.caption  # one line
    assert len(artifact.caption) <= 1024


def test_plain_picture_before_diagnosis(engine: Engine) -> None:
    artifact = render("model_picture", Session(), engine)
    assert artifact.caption == load_bundle().artifacts.model_picture.caption_plain
    for phase in engine.knowledge.phases:
        assert phase.label not in artifact.caption


@pytest.mark.parametrize("role", ["lijn", "zzp", "collega", "onderwijs"])
def test_the_picture_speaks_to_its_reader(
    engine: Engine, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zzp'er's picture marks their own phase, not "Fase van je medewerker"."""
    texts = load_bundle().artifacts.model_picture
    reader = engine.flow.roles[role].reader
    variant = load_bundle().artifacts.model_picture_for.get(reader)
    drawn: list[PictureTexts] = []
    real = render_module.render_model_picture

    def spy(kb: KnowledgeBase, layers: list[str], phase: str | None, words: PictureTexts) -> bytes:
        drawn.append(words)
        return bytes(real(kb, layers, phase, words))

    monkeypatch.setattr(render_module, "render_model_picture", spy)
    layers = list(engine.flow.roles[role].layers)
    plain = render("model_picture", Session(role=role, layers=layers), engine)
    render("model_picture", Session(role=role, layers=layers, phase="actie"), engine)
    assert plain.caption == (variant or texts).caption_plain
    legend = (variant or texts).legend_phase
    assert [words.legend_phase for words in drawn] == [legend, legend]
    assert (legend == texts.legend_phase) == engine.flow.roles[role].staff
    assert reserved_in(plain.caption, reader) == [] and reserved_in(legend, reader) == []


def test_unknown_kind_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError):
        render("poster", Session(), engine)  # type: ignore[arg-type]


def test_save_writes_the_bytes_under_the_filename(tmp_path: Path) -> None:
    artifact = Artifact("plan.pdf", b"%PDF-1.4 test", "bijschrift", "application/pdf")
    path = artifact.save(tmp_path / "uit")
    assert path == tmp_path / "uit" / "plan.pdf"
    assert path.read_bytes() == b"%PDF-1.4 test"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), "1 januari 2026"),
        (date(2026, 3, 9), "9 maart 2026"),
        (date(2026, 11, 28), "28 november 2026"),
        (date(2027, 12, 31), "31 december 2027"),
    ],
)
def test_dates_are_written_the_dutch_way(day: date, expected: str) -> None:
    assert load_bundle().long_date(day) == expected


def test_texts_file_is_validated(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR / "nl", tmp_path / "nl")
    (tmp_path / "nl" / "artifacts.yaml").write_text("months: [januari]\n", encoding="utf-8")
    with pytest.raises(BundleError) as caught:
        load_bundle("nl", root=tmp_path)
    assert "nl/artifacts.yaml: months: Extra inputs are not permitted" in caught.value.errors
    assert "nl/artifacts.yaml: model_picture: Field required" in caught.value.errors
    assert isinstance(load_bundle().artifacts, ArtifactTexts)


@pytest.mark.parametrize(
    ("items", "expected"),
    [([], ""), (["HR"], "HR"), (["HR", "Taken"], "HR en Taken"), (["A", "B", "C"], "A, B en C")],
)
def test_lists_are_joined_the_dutch_way(items: list[str], expected: str) -> None:
    assert load_bundle().join_list(items) == expected


def test_caption_lists_layers_in_the_model_order(engine: Engine) -> None:
    session = Session(role="hr", layers=["taken", "directie", "hr"], phase="actie")
    caption = render("model_picture", session, engine).caption
    labels = [layer.label for layer in engine.knowledge.layers]
    assert load_bundle().join_list([labels[0], labels[3], labels[4]]) in caption
