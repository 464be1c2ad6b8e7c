"""Render a scorecard as rich tables (the CLI's view; the numbers come from evaluation/)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from evaluation.scorecard import Scorecard


def pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def print_scorecard(card: Scorecard, console: Console) -> None:
    d = card.as_dict()
    m = d["matching"]
    summary = Table(title="scorecard", show_header=False)
    summary.add_column("", style="bold")
    summary.add_column("", justify="right")
    rows = [
        ("truth records / exported", f"{card.truth_records} / {card.records}"),
        ("records missed / extra", f"{card.missed} / {card.extra}"),
        ("field accuracy", pct(card.overall.accuracy)),
        ("character error rate", pct(card.overall.cer)),
        ("fields auto", f"{card.overall.auto} of {card.overall.total}"),
        ("error rate among auto fields", pct(card.overall.auto_error_rate)),
        ("field review rate", pct(card.field_review_rate)),
        ("links made (right / wrong)", f"{m['links_made']} ({m['right_links']} / {m['wrong_links']})"),
        ("match precision", pct(card.precision)),
        ("match recall", pct(card.recall)),
        ("match review rate", pct(card.review_rate)),
    ]
    for label, value in rows:
        summary.add_row(label, value)
    console.print(summary)
    for title, groups in (("per field", card.per_field), ("per document type", card.per_doc_type)):
        table = Table(title=title)
        for col in ("", "fields", "accuracy", "CER", "auto", "auto wrong"):
            table.add_column(col, justify="left" if not col else "right")
        for name, s in sorted(groups.items()):
            table.add_row(name, str(s.total), pct(s.accuracy), pct(s.cer), str(s.auto),
                          str(s.auto_wrong))
        console.print(table)
