"""A gazetteer of Vietnamese administrative units: repairs OCR'd place names, maps them to codes.

Three levels as before the July 2025 reform: provinces (2-digit GSO code, "tỉnh" / "thành phố"),
districts (3-digit, "huyện" / "quận" / "thị xã" / "thành phố") and communes (5-digit, "xã" /
"phường" / "thị trấn"). Sources (see shared/data/SOURCES.md section 2):

- :meth:`Gazetteer.builtin`: the 63 provinces of :data:`kernel.civil_id.PROVINCE_CODES` only;
- :meth:`Gazetteer.from_gso_csv`: the GSO list of 2025-01-04 (10k communes);
- :meth:`Gazetteer.from_files`: that list plus the 2017-10-15 list, whose names (units merged
  away, renamed or re-typed since) resolve too: a certificate carries the names in force when it
  was registered (Thông tư 04/2020 Điều 30), and those are kept as printed;
- :meth:`Gazetteer.load`: the shared data directory if it is there, else the built-in table.

:meth:`Gazetteer.resolve` reads a place as printed ("UBND xã Phú Hòa Đồng, huyện Củ Chỉ, thành
phố Hồ Chí Minh"), resolves it from the province down and corrects a printed name only when the
resolution is unambiguous (precision first); everything else in the text is kept as printed.

The modules, each importing only those listed before it:

- ``model``: the levels and the value types :class:`Unit`, :class:`PartNote`, :class:`PlaceMatch`;
- ``keys``: comparison keys of names (:func:`letters_key`, :func:`place_key`), OCR letter shapes;
- ``index``: the names a unit is found under, and the builder that collects them;
- ``parse``: cutting the printed text into parts, unit words and names;
- ``loaders``: reading the GSO CSV and the 2017 JSON lists, finding the shared data directory;
- ``resolve``: resolving a printed place and repairing names OCR misread;
- ``gazetteer``: :class:`Gazetteer` (construction, lookups, the cached :meth:`Gazetteer.load`).
"""

from kernel.places.gazetteer import Gazetteer, _rebuild  # _rebuild: pickles name it here too
from kernel.places.index import FORMER_PROVINCES
from kernel.places.keys import letters_key, place_key
from kernel.places.loaders import GSO_CSV_NAME, OLDER_DIR_NAME, shared_data_dir
from kernel.places.model import (COMMUNE_TYPES, DISTRICT_TYPES, LEVELS, PROVINCE_TYPES, PartNote,
                                 PlaceMatch, Unit)
from kernel.places.resolve import FUZZY_MARGIN, FUZZY_MIN_LENGTH, FUZZY_TWO_EDITS_LENGTH

__all__ = [
    "LEVELS", "Unit", "PartNote", "PlaceMatch", "Gazetteer", "shared_data_dir", "GSO_CSV_NAME",
    "OLDER_DIR_NAME",
]
