"""The supervisor's desk as a service: the queue's database, the archive and the registry,
and the decisions. Routes call this; it knows nothing of HTTP.

A decision, under one lock (decisions come at human speed; one writer keeps the record, the
export and the audit chain consistent):

1. re-read the record from the archive and check it still waits for this decision;
2. store the new record version (the archive keeps the previous one) and its manifest;
3. rewrite the export line atomically;
4. close the item and append the audit entry, in one database transaction.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from kernel import PIPELINE_VERSION
from kernel.records import (FIELD_NAMES, DocType, FieldStatus, FieldValue, MatchDecision,
                            MatchResult, PersonRecord, Provenance, record_id_for)
from matching.person import RegistryPerson
from matching.registry import RegistryStore
from matching.score import match_record
from review import audit
from review.auth import User, now_iso
from review.config import ReviewConfig
from review.db import items, keyings, open_db
from review.items import Item, read_record, sync
from review.queue import get_item
from review.values import BadValue, normalize
from review.writeback import ReviewConflict, rewrite_export, write_record
from storage import Archive, layout, open_archive


@dataclass(frozen=True)
class Outcome:
    message: str  # a key of the message catalogue
    params: dict[str, Any] = field(default_factory=dict)


def _fv(fv: FieldValue | None) -> dict[str, Any] | None:
    return None if fv is None else fv.model_dump(mode="json", exclude={"bbox"})


def _match(m: MatchResult) -> dict[str, Any]:
    return {**m.export(), "reasons": list(m.reasons)}


class Desk:
    def __init__(self, settings: Any, config: ReviewConfig) -> None:
        self.settings = settings
        self.config = config
        self.engine = open_db(config.db_url)
        self.lock = threading.RLock()
        self._synced_at = 0.0

    # -- reading -------------------------------------------------------------------------

    def archive(self, spec: str) -> Archive:
        return open_archive(spec, self.settings)

    def sync(self, *, force: bool = False) -> int:
        """Pick up new or changed exports (at most every few seconds unless forced)."""
        if not force and time.monotonic() - self._synced_at < 3:
            return 0
        with self.lock:
            self._synced_at = time.monotonic()
            return sync(self.engine, self.config.exports, self.config.archive, self.settings)

    def record(self, item: Item) -> PersonRecord | None:
        return read_record(self.archive(item.archive), item.record_key) if item.record_key else None

    def registry_people(self, ids: list[str]) -> dict[str, RegistryPerson]:
        with RegistryStore(self.config.registry_url) as store:
            return {i: p for i in ids if (p := store.get(i)) is not None}

    def keyed_by(self, item: Item) -> list[tuple[int, str | None]]:
        with self.engine.connect() as conn:
            return [(r.user_id, r.value) for r in conn.execute(
                select(keyings.c.user_id, keyings.c.value).where(keyings.c.item_id == item.id)
                .order_by(keyings.c.id))]

    def double_keyed(self, item: Item) -> bool:
        return (self.config.double_keying and item.kind == "field"
                and item.field in self.config.double_keyed_fields)

    # -- deciding ------------------------------------------------------------------------

    def _fresh(self, item: Item, user: User) -> Item:
        if not user.can_decide:
            raise PermissionError("only a supervisor decides")
        now = get_item(self.engine, item.id)
        if now is None or now.state == "done":
            raise ReviewConflict("this item was decided already", hint="take the next one")
        return now

    def _close(self, item: Item, user: User, action: str, *, before: Any, after: Any,
               detail: str | None = None, state: str = "done") -> None:
        with self.engine.begin() as conn:
            conn.execute(update(items).where(items.c.id == item.id).values(
                state=state, decided_by=user.username if state == "done" else None,
                decided_at=now_iso() if state == "done" else None, claimed_by=None,
                claimed_at=None))
            audit.append(conn, user, action, item_id=item.id, item_key=item.key,
                         record_id=item.record_id, before=before, after=after, detail=detail)

    def _store(self, item: Item, record: PersonRecord, *, insert_line: bool = False) -> str:
        written = write_record(self.archive(item.archive), record)
        rewrite_export(Path(item.export_path), record, insert=insert_line)
        old = written.before_sha256[:12] if written.before_sha256 else "none"
        return f"record {old} -> {written.after_sha256[:12]}"

    def decide_field(self, item: Item, user: User, raw: str | None) -> Outcome:
        with self.lock:
            item = self._fresh(item, user)
            value = normalize(item.field, raw)
            if self.double_keyed(item):
                return self._key_blind(item, user, value)
            return self._apply_field(item, user, value, "field_decided")

    def _apply_field(self, item: Item, user: User, value: str | None, action: str,
                     detail: str = "") -> Outcome:
        record = self.record(item)
        before = record.fields.get(item.field)
        if before is not None and before.status is not FieldStatus.REVIEW and not any(
                r.startswith("reviewed") for r in before.reasons):
            raise ReviewConflict("the record changed since this item was queued",
                                 hint="the batch was run again: reload the queue")
        after = FieldValue(value=value, confidence=1.0, status=FieldStatus.AUTO,
                           reasons=(f"reviewed by {user.username}",),
                           bbox=before.bbox if before else None)
        new = record.model_copy(update={"fields": {**record.fields, item.field: after}})
        version = self._store(item, new)
        self._close(item, user, action, before=_fv(before), after=_fv(after),
                    detail=f"{item.field}; {version}" + (f"; {detail}" if detail else ""))
        return Outcome("saved_field", {"field": item.field})

    def _key_blind(self, item: Item, user: User, value: str | None) -> Outcome:
        entries = self.keyed_by(item)
        if any(uid == user.id for uid, _ in entries):
            raise ReviewConflict("you keyed this value already", hint="a second supervisor keys it")
        if item.state == "dispute":  # a third supervisor settles it
            return self._apply_field(item, user, value, "dispute_resolved",
                                     detail="double keying disagreed; settled by a third")
        with self.engine.begin() as conn:
            conn.execute(insert(keyings).values(item_id=item.id, user_id=user.id, value=value,
                                                at=now_iso()))
        if not entries:
            self._close(item, user, "keyed_blind", before=None, after={"value": value},
                        detail=f"{item.field}; first of two blind keyings", state="keying")
            return Outcome("keyed_first")
        if entries[0][1] == value:
            return self._apply_field(item, user, value, "double_keyed",
                                     detail="two blind keyings agree")
        self._close(item, user, "keyed_blind", before=None, after={"value": value},
                    detail=f"{item.field}; second keying disagrees: a third supervisor decides",
                    state="dispute")
        return Outcome("keyed_disagree")

    def decide_match(self, item: Item, user: User, action: str, registry_id: str | None = None,
                     note: str = "") -> Outcome:
        with self.lock:
            item = self._fresh(item, user)
            record = self.record(item)
            m = record.match
            if m.decision is not MatchDecision.REVIEW:
                raise ReviewConflict("the record's link changed since this item was queued",
                                     hint="the batch was run again: reload the queue")
            who = f"reviewed by {user.username}"
            state = "done"
            if action == "choose":
                chosen = next((c for c in m.candidates if c.registry_id == registry_id), None)
                if chosen is None:
                    raise BadValue("bad_candidate")
                new = MatchResult(decision=MatchDecision.MATCHED, registry_id=chosen.registry_id,
                                  score=chosen.score, candidates=m.candidates,
                                  reasons=(f"{who}: chosen among {len(m.candidates)} candidates",))
            elif action == "none":
                new = MatchResult(decision=MatchDecision.NO_MATCH, registry_id=None, score=m.score,
                                  candidates=m.candidates, reasons=(f"{who}: none of the candidates",))
            elif action == "more_info":
                text = " ".join(note.split())[:300]
                new = m.model_copy(update={"reasons": m.reasons + (
                    f"needs more information ({user.username})" + (f": {text}" if text else ""),)})
                state = "held"
            else:
                raise BadValue("bad_action")
            version = self._store(item, record.model_copy(update={"match": new}))
            self._close(item, user, f"match_{action}", before=_match(m), after=_match(new),
                        detail=version, state=state)
            return Outcome({"choose": "saved_match", "none": "saved_no_match",
                            "more_info": "saved_held"}[action])

    def decide_page(self, item: Item, user: User, values: dict[str, str], doc_type: str,
                    *, unreadable: bool = False) -> Outcome:
        with self.lock:
            item = self._fresh(item, user)
            if unreadable:
                self._close(item, user, "page_unreadable", before=None, after=None,
                            detail=f"{item.source} page {item.page}")
                return Outcome("saved_unreadable")
            if not item.source_sha256:
                raise BadValue("no_source")
            keyed = {name: normalize(name, values.get(name)) for name in FIELD_NAMES}
            if not keyed.get("full_name"):
                raise BadValue("nothing_keyed")
            record = self._keyed_record(item, user, keyed, DocType(doc_type))
            version = self._store(item, record, insert_line=True)
            self._close(item, user, "page_keyed", before=None, after=record.export(),
                        detail=version)
        self.sync(force=True)  # a match in review becomes an item now
        return Outcome("saved_page", {"decision": record.match.decision.value})

    def _keyed_record(self, item: Item, user: User, keyed: dict[str, str | None],
                      doc_type: DocType) -> PersonRecord:
        sha, s = item.source_sha256, self.settings
        archive = self.archive(item.archive)
        manifest = json.loads(archive.get_bytes(layout.manifest_key(PIPELINE_VERSION, sha)))
        provenance = Provenance(**{**manifest.get("provenance", {}),
                                   "engine": "keyed by hand (sohoa review)"})
        fields = {n: FieldValue(value=v, confidence=1.0, status=FieldStatus.AUTO,
                                reasons=(f"keyed by {user.username}",))
                  for n, v in keyed.items() if v is not None}
        with RegistryStore(self.config.registry_url) as store:
            match = match_record(store, keyed, upper=s.match_upper, lower=s.match_lower,
                                 margin=s.match_margin, max_candidates=s.match_max_candidates)
        rid = record_id_for(sha, item.page, item.row)
        return PersonRecord(record_id=rid, source=item.source, source_sha256=sha, page=item.page,
                            row=item.row, doc_type=doc_type, fields=fields, match=match,
                            archive_key=layout.record_key(PIPELINE_VERSION, sha, rid),
                            provenance=provenance)
