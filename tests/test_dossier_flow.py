"""Dossiers through the real batch flow: two synthetic packets (one with a planted name
disagreement between the declaration and the ID card), classified, settled, matched once per
person, summarized, archived and bagged; a re-run stores nothing new."""

import json

import pytest

from storage import LocalArchive
from test_flow import import_registry, read_jsonl

pytestmark = [pytest.mark.flow, pytest.mark.tesseract]


@pytest.fixture(scope="module")
def dossier_run(prefect_harness, tmp_path_factory):
    from flows.batch import run_batch
    from synth.corpus import generate_corpus

    corpus = tmp_path_factory.mktemp("dossier-corpus")
    generate_corpus(corpus, docs=0, registry=30, seed=11, difficulty="clean", dossiers=2,
                    disagree_rate=1.0, workers=2)
    data = tmp_path_factory.mktemp("dossier-data")
    overrides = {"data_dir": str(data), "ocr_workers": 2, "dossiers": True}
    import_registry(overrides, csv=corpus / "registry.csv")
    batch = corpus / "batch" / "dossiers"  # D0001/, D0002/: one dossier each
    first = run_batch(batch, export=data / "first.jsonl", overrides=overrides)
    second = run_batch(batch, export=data / "second.jsonl", overrides=overrides)
    truth = {d["folder"].removeprefix("dossiers/"): d
             for d in read_jsonl(corpus / "dossiers.jsonl")}
    return data, first, second, truth


def test_every_record_carries_its_dossier_and_pages_are_classified(dossier_run):
    data, first, _, truth = dossier_run
    assert first.ok, first.failures
    assert first.dossiers == 2
    summaries = {d["root"]: d for d in json.loads(
        (data / "first.dossiers.json").read_text(encoding="utf-8"))}
    assert set(summaries) == set(truth)
    for folder, want in truth.items():
        got = summaries[folder]
        number = (want["manifest"] or {}).get("dossier_number")
        assert got["dossier_id"] == (number or folder)
        classes = {(p["source"], p["page"]): p["class"] for p in got["pages"]}
        assert classes == {(p["source"].removeprefix("dossiers/"), p["page"]): p["doc_class"]
                           for p in want["pages"]}
    records = read_jsonl(data / "first.jsonl")
    by_root = {d["dossier_id"]: d["root"] for d in summaries.values()}
    for r in records:
        assert by_root[r["dossier_id"]] == r["source"].split("/", 1)[0]
    # the blank separator sheet is a class, not a page to review
    assert not any("page_blank" in n.reason for n in first.page_notes)


def test_the_planted_disagreement_is_a_review_item_naming_both_documents(dossier_run):
    data, first, _, truth = dossier_run
    summaries = {d["root"]: d for d in json.loads(
        (data / "first.dossiers.json").read_text(encoding="utf-8"))}
    planted = {folder for folder, d in truth.items() if d["disagreements"]}
    assert planted, "the corpus has no planted disagreement: the test proves nothing"
    for folder in truth:
        failed = [c for c in summaries[folder]["checks"] if c["result"] == "failed"]
        if folder in planted:
            kinds = {d["field"] for d in truth[folder]["disagreements"]}
            assert {c["check"].removeprefix("same_") for c in failed} >= kinds
        else:
            assert failed == [], failed
    assert first.dossier_checks_failed == sum(d["checks_failed"] for d in summaries.values())
    # the archived record of the field says which other document disagrees
    archive = LocalArchive(data / "archive")
    flagged = []
    for line in read_jsonl(data / "first.jsonl"):
        record = json.loads(archive.get_bytes(line["archive_key"]))
        for name, field in record["fields"].items():
            own = f"{line['source']} p.{line['page']}" + (f" ({line['role']})" if line["role"]
                                                           else "")
            flagged += [(own, name, r) for r in field["reasons"]
                        if r.startswith("dossier_disagrees:")]
    assert flagged
    for own, name, reason in flagged:
        _, attribute, other = reason.split(":", 2)
        assert other != own  # names the other document (or the other role on the same form)


def test_one_link_per_person_from_all_their_documents(dossier_run):
    data, _, _, truth = dossier_run
    records = read_jsonl(data / "first.jsonl")
    for folder, want in truth.items():
        for page in want["pages"]:
            for r in page["records"]:
                got = next(x for x in records if x["source"] == page["source"].removeprefix(
                    "dossiers/") and x["page"] == page["page"] and x["role"] == r["role"]
                           and x["row"] == r["row"])
                person = next(p for p in want["people"].values()
                              if p["person_id"] == r["person_id"])
                if person.get("registry_id") and got["match"]["decision"] == "matched":
                    assert got["match"]["registry_id"] == person["registry_id"]
    linked = {}
    for r in records:  # every record of one person carries the same link
        if r["match"]["decision"] == "matched":
            linked.setdefault(r["match"]["registry_id"], set()).add(r["dossier_id"])
    assert linked and all(len(v) == 1 for v in linked.values())


def test_summaries_are_archived_in_the_bag_and_a_rerun_stores_nothing(dossier_run):
    data, first, second, _ = dossier_run
    archive = LocalArchive(data / "archive")
    keys = archive.list("dossiers/")
    assert len([k for k in keys if k.endswith("/summary.json")]) == 2
    bag_manifests = [k for k in archive.list("bags/") if k.endswith("/manifest-sha256.txt")]
    listed = "".join(archive.get_bytes(k).decode() for k in bag_manifests)
    for key in keys:
        assert f"data/{key}" in listed
    assert second.ok and second.archive_new_objects == 0
    assert (data / "first.jsonl").read_bytes() == (data / "second.jsonl").read_bytes()
