"""moto as the embedded AWS, made safe for concurrent callers, and fast where it was not.

Real DynamoDB applies each request atomically, whatever the concurrency; moto's in-memory
backends are not thread-safe (a transaction deep-copies a table while another thread
writes to it). Serializing moto's requests gives the local runner and the tests
DynamoDB's atomicity without changing anything the functions see.

moto keeps a transaction's rollback by deep-copying every table it writes: over a seeded
sandbox table (~3,000 items) that is seconds per TransactWriteItems on a busy machine, long
enough for the functions' time budget to give up. Here only the items the transaction
names are kept, and put back if it is cancelled: the same outcome, in microseconds.

moto also sorts every item of a table, comparing its own typed values, for every Query:
over a seeded table that is a third of a second per read. Here a table Query looks only at
its partition, and a table's items are sorted by their plain values: the same answers.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.dynamodb.models import DynamoDBBackend, Table
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

_one_request_at_a_time = threading.RLock()
_transact_write_items = DynamoDBBackend.transact_write_items


def _transact_keeping_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's TransactWriteItems, with the items it names kept instead of its tables."""
    try:
        kept = [_kept(self, op) for item in transact_items for op in item.values()]
    except Exception:  # a malformed request: moto answers it as it would have
        return _transact_write_items(self, transact_items)
    own = vars(Table).get("__deepcopy__")
    setattr(Table, "__deepcopy__", lambda table, memo: table)  # noqa: B010  (moto's backup)
    try:
        _transact_write_items(self, transact_items)
    except Exception:
        for table_name, key, before in reversed(kept):  # cancelled: every item as it was
            if before is not None:
                self.get_table(table_name).put_item(before)
            elif self.get_item(table_name, key) is not None:
                self.delete_item(table_name, key)
        raise
    finally:
        if own is None:
            delattr(Table, "__deepcopy__")
        else:
            setattr(Table, "__deepcopy__", own)  # noqa: B010


def _kept(backend: DynamoDBBackend, op: dict[str, Any]) -> tuple[str, dict[str, Any], Any]:
    """(table, key, the item's attributes now or None) for one action of a transaction."""
    table_name = op["TableName"]
    table = backend.get_table(table_name)
    attrs = op.get("Item") or op["Key"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    current = backend.get_item(table_name, key)
    return table_name, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None


DynamoDBBackend.transact_write_items = _transact_keeping_items  # type: ignore[method-assign]

_query = Table.query
_partition = threading.local()  # the hash key of the table Query being answered, if any


def _query_partition(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    """moto's Query; one on the table (not an index) sees only `hash_key`'s items."""
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    _partition.key = None if index_name else hash_key
    try:
        return _query(self, hash_key, *args, **kwargs)
    finally:
        _partition.key = None


def _all_items_by_value(self: Table) -> list[Any]:
    """moto's `all_items` (every item, by hash then range key), sorted by plain values."""
    key = getattr(_partition, "key", None)
    groups = list(self.items.values()) if key is None else [self.items.get(key)]
    groups = [group for group in groups if group is not None]
    if self.range_key_attr:
        items = [item for by_range in groups for item in by_range.values()]
        return sorted(items, key=lambda item: (item.hash_key.cast_value, item.range_key.cast_value))
    return sorted(groups, key=lambda item: item.hash_key.cast_value)


Table.query = _query_partition  # type: ignore[method-assign]
Table.all_items = _all_items_by_value  # type: ignore[method-assign]


class EmbeddedAwsServer(ThreadedMotoServer):
    """moto's server on 127.0.0.1, answering one request at a time."""

    _failed: OSError | None = None

    def _server_entry(self) -> None:
        moto_app = DomainDispatcherApplication(create_backend_app)

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            with _one_request_at_a_time:
                return list(moto_app(environ, start_response))

        try:
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
        except OSError as error:  # the port is taken: start() says so instead of waiting
            self._failed = error
            self._server_ready_event.set()
            return
        self._server_ready_event.set()
        self._server.serve_forever()

    def start(self) -> None:
        self._failed = None
        super().start()
        if self._failed is not None:
            raise self._failed


@contextmanager
def serialized_mock() -> Iterator[None]:
    """moto's in-process `mock_aws`, with its requests serialized the same way."""
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__

    def one_at_a_time(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _one_request_at_a_time:
            return original(self, *args, **kwargs)

    BotocoreStubber.__call__ = one_at_a_time  # type: ignore[method-assign]
    try:
        with mock_aws():
            yield
    finally:
        BotocoreStubber.__call__ = original  # type: ignore[method-assign]
