"""A watchlist person's name and case data sealed at rest, like its photos.

``watchlist_persons.name`` holds ``kzs1:<key id>:<base64>`` and ``case`` holds
``{"kzs1": "<key id>:<base64>"}`` (the JSON of the case), each bound to the person's
id. Rows written before sealing read as they are and are sealed when next written or by
``kuzet faces rekey``. Readers get rows back opened (:func:`opened`).
"""

from __future__ import annotations

import json
from typing import Any

from kuzet.crypto import KeyRing, is_sealed, open_text, seal_text, sealed_with
from kuzet.faces.tables import PersonRow

CASE_KEY = "kzs1"


def _ctx(field: str, person_id: str) -> str:
    return f"watchlist_persons.{field}|{person_id}"


def seal_person(keys: KeyRing, person_id: str, name: str, case: dict[str, Any]) -> tuple[str, Any]:
    """``(name, case)`` as they are stored."""
    sealed_case = seal_text(keys, json.dumps(case, sort_keys=True), _ctx("case", person_id))
    return seal_text(keys, name, _ctx("name", person_id)), {CASE_KEY: sealed_case}


def opened(keys: KeyRing, row: PersonRow) -> PersonRow:
    """The row (detached, never written back) with its name and case in clear."""
    row.name = open_text(keys, row.name, _ctx("name", row.id))
    case = row.case
    if isinstance(case, dict) and set(case) == {CASE_KEY} and is_sealed(str(case[CASE_KEY])):
        row.case = json.loads(open_text(keys, str(case[CASE_KEY]), _ctx("case", row.id)))
    return row


def needs_sealing(keys: KeyRing, row: PersonRow) -> bool:
    """Plain (from before sealing) or sealed with a key that is no longer first."""
    return not sealed_with(row.name, keys.active)
