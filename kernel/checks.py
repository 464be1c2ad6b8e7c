"""Cross-checks between the fields of one document (or one register page): what the document
itself says about whether a reading can be right.

Each check returns the reasons a value is doubtful (an empty list when it is consistent), so
that extraction can send it to review saying why. The ID number's own checks are in
:mod:`kernel.civil_id`; the date in words in :mod:`kernel.vndate`.
"""

from __future__ import annotations

import datetime as dt
import re

from kernel.vntext import strip_diacritics

OLDEST_YEAR = 1900
"""No civil-status record in scope is older (the earliest registers kept are of the 1900s)."""
PARENT_AGE = (12, 70)
"""A parent's age at the child's birth, inclusive, outside of which a year was misread."""


def date_plausible(value: dt.date, today: dt.date | None = None) -> list[str]:
    """A date on a civil-status record lies between 1900 and today ('2996' is a misread 0)."""
    today = today or dt.date.today()
    if value > today:
        return ["date_in_future"]
    if value.year < OLDEST_YEAR:
        return ["date_too_old"]
    return []


def year_plausible(year: int, today: dt.date | None = None) -> list[str]:
    today = today or dt.date.today()
    if year > today.year:
        return ["date_in_future"]
    if year < OLDEST_YEAR - 100:  # a parent of someone born in 1900
        return ["date_too_old"]
    return []


_BOOK = re.compile(r"^(\d{1,3})(?:/(\d{4}))?$")


def normalize_book_number(text: str) -> str:
    """'01 / 2006', '01⁄2006' (fraction slash), '01|2006' -> '01/2006'."""
    text = re.sub(r"\s+", "", text)
    return re.sub(r"(?<=\d)[⁄∕/|\\](?=\d{4}$)", "/", text)


BOOKS_PER_YEAR = 30
"""No registering body fills more books of one kind in a year ('91/1979' is '01/1979')."""


def book_problems(book: str) -> list[str]:
    """A book number is 'NN' or 'NN/YYYY' (the year the book was opened), NN from 1 to 30."""
    m = _BOOK.match(book)
    if not m:
        return ["book_number_malformed"]
    if not 1 <= int(m.group(1)) <= BOOKS_PER_YEAR:
        return ["book_number_implausible"]
    if m.group(2):
        return year_plausible(int(m.group(2)))
    return []


def book_year(book: str | None) -> int | None:
    m = _BOOK.match(book or "")
    return int(m.group(2)) if m and m.group(2) else None


def registration_problems(registered: dt.date, born: dt.date | None, book: str | None) -> list[str]:
    """Registration on or after the birth, in the year of its book (one book per year)."""
    problems = []
    if born is not None and registered < born:
        problems.append("registered_before_birth")
    year = book_year(book)
    if year is not None and year != registered.year:
        problems.append("book_year_disagrees")
    return problems


def event_after_birth(event: dt.date, born: dt.date | None, reason: str) -> list[str]:
    return [reason] if born is not None and event < born else []


def parent_year_problems(parent_year: int, child_born: int | None,
                         today: dt.date | None = None) -> list[str]:
    """The parent was between 12 and 70 years old at the child's birth."""
    problems = year_plausible(parent_year, today)
    if child_born is not None and not PARENT_AGE[0] <= child_born - parent_year <= PARENT_AGE[1]:
        problems.append("parent_age_implausible")
    return problems


def sequence_problems(numbers: list[int | None]) -> list[list[str]]:
    """Registration numbers of the rows of one register page count up by one per row.

    A number is consistent when another row's number is as far from it as the rows are apart
    ([140, 14, 142]: 140 and 142 agree with each other, 14 with none, so 14 was misread). A
    page with fewer than two numbers read is not judged."""
    read = [(i, n) for i, n in enumerate(numbers) if n is not None]
    out: list[list[str]] = []
    for i, n in enumerate(numbers):
        if n is None or len(read) < 2:
            out.append([])
            continue
        fits = any(j != i and m - n == j - i for j, m in read)
        out.append([] if fits else ["number_out_of_sequence"])
    return out


def sequence_confirmed(numbers: list[int | None]) -> list[bool]:
    """Numbers that two other rows of the page agree with (as far apart as the rows are):
    three independent readings of one arithmetic sequence."""
    read = [(i, n) for i, n in enumerate(numbers) if n is not None]
    return [n is not None and sum(1 for j, m in read if j != i and m - n == j - i) >= 2
            for i, n in enumerate(numbers)]


def sequence_gaps(numbers: list[int | None]) -> list[int | None]:
    """For each row whose number was not read: the number its page's sequence gives it (a row
    read above and one below, agreeing: [56, 57, 58, None, 60] -> 59), else None."""
    out: list[int | None] = []
    for i, n in enumerate(numbers):
        guess = None
        if n is None:
            above = next(((j, m) for j, m in reversed(list(enumerate(numbers[:i]))) if m is not None), None)
            below = next(((j, m) for j, m in enumerate(numbers) if j > i and m is not None), None)
            if above and below and below[1] - above[1] == below[0] - above[0]:
                guess = above[1] + (i - above[0])
        out.append(guess)
    return out


def order_problems(dates: list[dt.date | None]) -> list[list[str]]:
    """Registrations of one register page are entered in date order. A date later than the
    next row's, or earlier than the previous row's, is out of order, unless its neighbours are
    out of order with each other too (then the culprit is one of them)."""
    read = [(i, d) for i, d in enumerate(dates) if d is not None]
    culprit = [False] * len(read)
    edge = [False] * len(read)
    for k, (_, d) in enumerate(read):
        prev = read[k - 1][1] if k > 0 else None
        nxt = read[k + 1][1] if k + 1 < len(read) else None
        bad = (prev is not None and d < prev) or (nxt is not None and d > nxt)
        if bad and prev is not None and nxt is not None:
            culprit[k] = prev <= nxt  # without it, its neighbours are in order
        elif bad:
            edge[k] = True
    out: list[list[str]] = [[] for _ in dates]
    for k, (i, _) in enumerate(read):
        lone = k - 1 if k > 0 else k + 1  # the one neighbour of a first or last row
        if culprit[k] or (edge[k] and not culprit[lone]):
            out[i] = ["date_out_of_order"]
    return out


LATE_REGISTRATION_DAYS = 366
"""A birth is registered within the year (60 days by law); later, the book notes it
("đăng ký quá hạn", "đăng ký lại")."""


def late_without_note(registered: dt.date, born: dt.date, note: str) -> list[str]:
    """A register row whose birth is over a year before its registration, with no note of a
    late registration, has a misread year ('1986' for 1996) in one of the two dates."""
    plain = " ".join(strip_diacritics(note or "").lower().split())
    if (registered - born).days <= LATE_REGISTRATION_DAYS or any(
            k in plain for k in ("qua han", "dang ky lai", "muon", "tre han")):
        return []
    return ["registered_late_without_note"]


def page_year_problems(years: list[int | None], book: int | None) -> list[list[str]]:
    """Rows of one register page are registrations of one year: the book's year when most
    rows agree with it, else the year most rows share. A row of another year was misread."""
    read = [y for y in years if y is not None]
    if not read:
        return [[] for _ in years]
    counts = {y: read.count(y) for y in set(read)}
    expected = book if book is not None and counts.get(book, 0) * 2 >= len(read) else None
    if expected is None:
        top = max(counts.values())
        leaders = [y for y, c in counts.items() if c == top]
        expected = leaders[0] if len(leaders) == 1 and top * 2 > len(read) else None
    return [[] if y is None or expected is None or y == expected else ["page_year_disagrees"]
            for y in years]
