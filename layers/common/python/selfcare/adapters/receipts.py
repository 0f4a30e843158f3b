"""A change's receipt, written in the same transaction as the change itself: a change and
the record that it was made cannot part. A client that lost the answer and retries with
the same Idempotency-Key (the same change, `selfcare.change`) finds the receipt and hears
the first answer again, changing nothing more. Only keyed changes leave one.

  pk CHANGE#<change id>   sk #RECEIPT   answer, purgeAt (the table's TTL)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from selfcare import change
from selfcare.adapters.items import ConditionFailed, Items, Write

KEEP_SECONDS = 24 * 3600  # as long as an idempotency record
SK = "#RECEIPT"


@dataclass(frozen=True)
class Receipt:
    answer: Any


def _pk() -> str | None:
    found = change.keyed()
    return f"CHANGE#{found}" if found else None


def find(items: Items) -> Receipt | None:
    """The current change's receipt when it was made already."""
    pk = _pk()
    item = items.get(pk, SK) if pk else None
    return Receipt(item.get("answer")) if item is not None else None


def write(items: Items, *writes: Write, answer: Any = None) -> Any:
    """`writes` and the change's receipt (keyed changes only), all or nothing. Answers
    `answer`, or the receipt's when the same change was made meanwhile (a retry racing it);
    ConditionFailed (its index among `writes`) when one of `writes` fails its condition."""
    pk = _pk()
    if pk is None:
        if writes:
            items.write(*writes)
        return answer
    purge = int(time.time() + KEEP_SECONDS)
    receipt = {"pk": pk, "sk": SK, "answer": _kept(answer), "purgeAt": purge}
    try:
        items.write(*writes, Write.put(receipt, absent=True))
    except ConditionFailed as failed:
        made = find(items) if failed.index == len(writes) else None
        if made is None:
            raise
        return made.answer
    return answer


def _kept(value: Any) -> Any:
    """`value` as an item keeps it, to answer the same JSON again: dates as ISO strings,
    floats as Decimal (None stays: DynamoDB has NULL)."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _kept(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_kept(v) for v in value]
    return value
