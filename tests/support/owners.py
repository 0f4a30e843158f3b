"""Two customers the functions' unit tests share: the owner of two contracts, and a
neighbour with one, whose contract the owner must not reach (and the other way round)."""

from __future__ import annotations

from selfcare.ports import ContractRef

OWNER = ("CC", "1020304050")
OTHER = ("CC", "79000111")
HOME = ContractRef("8001", *OWNER, "BA-8001", "S-8001")
OFFICE = ContractRef("8002", *OWNER, "BA-8002", "S-8002")
NEIGHBOUR = ContractRef("9001", *OTHER, "BA-9001", "S-9001")
