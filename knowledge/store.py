"""The TinyDB store: the validated model written once by `build`, read once at start-up.

Building writes a temporary file beside the target and renames it over the target, so a reader (or a
crash) never sees half a store. The store carries a fingerprint of what it was built from (the YAML,
the code that validates it, and the store's format), so a stale store is noticed and rebuilt rather
than silently served; a store that no longer validates is rebuilt as well.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.storages import JSONStorage

from knowledge.base import TABLES, KnowledgeBase
from knowledge.loader import DATA_DIR, load_from_yaml

_HERE = Path(__file__).parent
DEFAULT_STORE = _HERE / "build" / "knowledge.json"
STORE_FORMAT = 2

# The code that decides what a valid, complete model is: the records and their validators, the
# model they are assembled into, and the loader with its cross-reference rules.
SCHEMA_SOURCES: tuple[Path, ...] = tuple(
    _HERE / name for name in ("schema.py", "base.py", "loader.py", "references.py")
)


def source_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """A hash over everything the store is derived from; it changes when any of it changes.

    The YAML files (name and bytes) are the obvious part. The schema's source is hashed too, for
    two reasons. A *stricter* validator would otherwise meet records in the store that it
    rejects. A *looser* one (or a new default, a new field) would leave the old store looking
    current and serve knowledge the YAML no longer yields. Hashing the code's bytes is coarse
    (a changed comment also rebuilds), but a rebuild costs a fraction of a second and this cannot
    miss a change, unlike a hand-kept schema version. STORE_FORMAT covers the layout of the file.
    """
    inputs = [(f"code/{source.name}", source) for source in SCHEMA_SOURCES]
    inputs += [(str(path.relative_to(data_dir)), path) for path in sorted(data_dir.rglob("*.yaml"))]
    digest = hashlib.sha256(f"format {STORE_FORMAT}\0".encode())
    for name, path in inputs:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def write_store(knowledge: KnowledgeBase, target: Path, fingerprint: str) -> None:
    """Write the model to a TinyDB file at `target` atomically (temp file, fsync, rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        with TinyDB(temp, storage=JSONStorage, ensure_ascii=False, indent=None) as db:
            db.drop_tables()
            for table_name in TABLES:
                records = getattr(knowledge, table_name)
                db.table(table_name).insert_multiple(
                    record.model_dump(mode="json") for record in records
                )
            db.table("meta").insert({"format": STORE_FORMAT, "fingerprint": fingerprint})
        with temp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def read_store(path: Path, fingerprint: str | None = None) -> tuple[KnowledgeBase, str] | None:
    """Read a store into memory; None when it cannot be trusted, so that it is rebuilt.

    None when the store is missing, of another format, unreadable, built from other sources than
    `fingerprint` (when given; then its records are not even parsed), or when its records do not
    validate under today's schema.
    """
    if not path.is_file():
        return None
    try:
        with TinyDB(path, storage=JSONStorage, access_mode="r") as db:
            meta = db.table("meta").all()
            if not meta or meta[0].get("format") != STORE_FORMAT:
                return None
            found = str(meta[0]["fingerprint"])
            if fingerprint is not None and found != fingerprint:
                return None
            tables = {name: db.table(name).all() for name in TABLES}
        parsed = {
            name: tuple(model.model_validate(dict(doc)) for doc in tables[name])
            for name, model in TABLES.items()
        }
        return KnowledgeBase(**parsed), found
    except (OSError, ValueError, ValidationError, KeyError, TypeError):
        return None


def build(data_dir: Path = DATA_DIR, target: Path = DEFAULT_STORE) -> KnowledgeBase:
    """Validate the YAML and write the store; raises KnowledgeError and leaves the old store."""
    knowledge = load_from_yaml(data_dir)
    write_store(knowledge, target, source_fingerprint(data_dir))
    return knowledge


def load_knowledge(data_dir: Path = DATA_DIR, store: Path | None = None) -> KnowledgeBase:
    """The model for a running program: from the store when it is current, else from the YAML.

    A stale, missing or no longer valid store is rebuilt when the place is writable; when it is
    not (a read-only install), the freshly validated YAML is served from memory all the same.
    Broken YAML raises KnowledgeError (never a bare validation error from the store).
    """
    target = store or Path(os.environ.get("LEERCULTUUR_KNOWLEDGE_STORE", DEFAULT_STORE))
    fingerprint = source_fingerprint(data_dir)
    found = read_store(target, fingerprint)
    if found is not None:
        return found[0]
    knowledge = load_from_yaml(data_dir)
    with contextlib.suppress(OSError):
        write_store(knowledge, target, fingerprint)
    return knowledge
