"""Field accuracy, character error rate, the error rate of 'auto' fields, and link quality.

Records and truth are paired by (source, page, row, role). A field counts as right when the
exported value equals the true one after NFC, case and tone-placement canonicalisation; a
field that is not on the page is right when both sides are null.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from rapidfuzz.distance import Levenshtein

from kernel.vntext import canonical_text, nfc

Key = tuple[str, int, int | None, str | None]


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def record_key(r: dict[str, Any]) -> Key:
    return (nfc(r["source"]), int(r["page"]), r.get("row"), r.get("role"))


def canonical_value(value: Any) -> str:
    return "" if value is None else canonical_text(str(value))


@dataclass
class FieldScore:
    total: int = 0
    right: int = 0
    char_errors: int = 0
    chars: int = 0
    auto: int = 0
    auto_wrong: int = 0

    def add(self, truth: Any, predicted: Any, status: str | None) -> bool:
        t, p = canonical_value(truth), canonical_value(predicted)
        ok = t == p
        self.total += 1
        self.right += ok
        self.char_errors += Levenshtein.distance(t, p)
        self.chars += max(len(t), 1)
        if status == "auto":
            self.auto += 1
            self.auto_wrong += not ok
        return ok

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def cer(self) -> float:
        return self.char_errors / self.chars if self.chars else 0.0

    @property
    def auto_error_rate(self) -> float:
        return self.auto_wrong / self.auto if self.auto else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"fields": self.total, "accuracy": round(self.accuracy, 4), "cer": round(self.cer, 4),
                "auto": self.auto, "auto_wrong": self.auto_wrong,
                "auto_error_rate": round(self.auto_error_rate, 4)}


@dataclass
class Scorecard:
    truth_records: int = 0
    records: int = 0
    missed: int = 0
    extra: int = 0
    overall: FieldScore = field(default_factory=FieldScore)
    per_field: dict[str, FieldScore] = field(default_factory=lambda: defaultdict(FieldScore))
    per_doc_type: dict[str, FieldScore] = field(default_factory=lambda: defaultdict(FieldScore))
    links_made: int = 0
    right_links: int = 0
    linkable: int = 0  # truth records whose person is in the registry
    match_review: int = 0
    no_match: int = 0
    missed_keys: list[Key] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right_links / self.links_made if self.links_made else 1.0

    @property
    def recall(self) -> float:
        return self.right_links / self.linkable if self.linkable else 0.0

    @property
    def wrong_links(self) -> int:
        return self.links_made - self.right_links

    @property
    def review_rate(self) -> float:
        return self.match_review / self.truth_records if self.truth_records else 0.0

    @property
    def field_review_rate(self) -> float:
        t = self.overall.total
        return 1 - self.overall.auto / t if t else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "truth_records": self.truth_records, "records": self.records,
            "missed": self.missed, "extra": self.extra,
            "fields": self.overall.as_dict() | {"review_rate": round(self.field_review_rate, 4)},
            "per_field": {k: v.as_dict() for k, v in sorted(self.per_field.items())},
            "per_doc_type": {k: v.as_dict() for k, v in sorted(self.per_doc_type.items())},
            "matching": {"links_made": self.links_made, "right_links": self.right_links,
                         "wrong_links": self.wrong_links, "linkable": self.linkable,
                         "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                         "review": self.match_review, "no_match": self.no_match,
                         "review_rate": round(self.review_rate, 4)},
        }


def score(truth: Iterable[dict[str, Any]], records: Iterable[dict[str, Any]]) -> Scorecard:
    card = Scorecard()
    by_key = {record_key(r): r for r in records}
    card.records = len(by_key)
    truth_keys = set()
    for t in truth:
        key = record_key(t)
        truth_keys.add(key)
        card.truth_records += 1
        if t.get("registry_id"):
            card.linkable += 1
        r = by_key.get(key)
        if r is None:
            card.missed += 1
            card.missed_keys.append(key)
        fields = (r or {}).get("fields", {})
        for name, true_value in t["fields"].items():
            got = fields.get(name) or {}
            ok_status = got.get("status")
            card.overall.add(true_value, got.get("value"), ok_status)
            card.per_field[name].add(true_value, got.get("value"), ok_status)
            card.per_doc_type[t.get("doc_type", "unknown")].add(true_value, got.get("value"),
                                                                 ok_status)
        if r is None:
            continue
        match = r.get("match") or {}
        decision = match.get("decision")
        if decision == "matched":
            card.links_made += 1
            true_id = t.get("registry_id")
            card.right_links += true_id is not None and match.get("registry_id") == true_id
        elif decision == "review":
            card.match_review += 1
        else:
            card.no_match += 1
    card.extra = len(set(by_key) - truth_keys)
    for key in set(by_key) - truth_keys:  # a link made on a record that is not in the truth
        if (by_key[key].get("match") or {}).get("decision") == "matched":
            card.links_made += 1
    return card


def score_files(truth_path: str | Path, records_path: str | Path) -> Scorecard:
    return score(read_jsonl(truth_path), read_jsonl(records_path))
