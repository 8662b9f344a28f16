"""The tag agent's record ledger in a faust table (see :mod:`streams.ledger`)."""

from __future__ import annotations

import logging
import weakref
from typing import Any

from faust.streams import _current_event

from streams.ledger import TABLE, LedgerEntry, totals
from streams.settings import Settings

log = logging.getLogger("geotension.ledger")


class Ledger:
    """Counts news.raw records by outcome, one table entry per partition.

    Written while the agent handles the record, so the entry goes to the changelog partition
    of that record's partition and is flushed before its offset is committed: a crash
    re-delivers records whose count may already be stored, and ``next_offset`` skips them.
    """

    def __init__(self, app: Any, settings: Settings) -> None:
        self.table = app.Table(
            TABLE, partitions=settings.topic_spec("news_raw").partitions,
            help="What became of every news.raw record, per partition (JSON), across restarts.",
        )
        self.cache: dict[int, LedgerEntry] = {}
        #: Partitions counted since the last :meth:`flush`, with the last record counted in each.
        self.dirty: dict[int, Any] = {}

        @app.on_partitions_revoked.connect  # type: ignore[misc]
        async def _forget(sender: Any, revoked: Any, **kwargs: Any) -> None:
            # What this batch counted so far is written first, as if each record were written
            # as it was counted: a partition kept through the rebalance must not lose them.
            self.flush()
            self.cache.clear()

    def count(self, event: Any, outcome: str) -> None:
        """Count ``event``'s record under ``outcome`` unless it was counted before (kept until :meth:`flush`)."""
        try:
            partition, offset = int(event.message.partition), int(event.message.offset)
            entry = self.cache.get(partition)
            if entry is None:
                entry = self.cache[partition] = LedgerEntry.from_dict(self.table.get(str(partition)))
            if entry.count(offset, outcome):
                self.dirty[partition] = event
        except Exception as exc:  # noqa: BLE001 - the ledger must never stop the agent
            log.warning("could not count news.raw record in the ledger (%s: %s)", type(exc).__name__, exc)

    def flush(self) -> None:
        """Write each partition counted since the last flush once (the agent calls it per batch).

        Called before the batch's records are acked, so the entries reach the changelog before
        their offsets are committed; one write per partition and batch instead of one per record
        (a changelog record per article doubled what the worker produced on an irrelevant stream).
        """
        dirty, self.dirty = self.dirty, {}
        for partition, event in dirty.items():
            entry = self.cache.get(partition)
            if entry is None:  # revoked meanwhile
                continue
            try:
                # faust writes a table key to the changelog partition of the current event: in a
                # batch that is not necessarily this partition's, so it is set to its last record.
                token = _current_event.set(weakref.ref(event))
                try:
                    self.table[str(partition)] = entry.to_dict()
                finally:
                    _current_event.reset(token)
            except Exception as exc:  # noqa: BLE001 - the ledger must never stop the agent
                log.warning("could not write the news.raw ledger (%s: %s)", type(exc).__name__, exc)

    def figures(self) -> dict[str, Any]:
        """The entries of the partitions this worker holds, with their sums."""
        entries = {int(str(k).strip('"')): LedgerEntry.from_dict(v) for k, v in self.table.items() if v}
        return totals(entries)
