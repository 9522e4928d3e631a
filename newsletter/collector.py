"""The garbage collector tuned for one long command (a send, the split of a big page).

Such a command makes many short-lived objects. Python's collector runs a young collection
every 700 allocations and now and then a full one that walks the whole heap: the modules,
settings and data that live through the command as well as what it builds (a big page's
blocks). Here what exists when the command starts is frozen out of every collection, and
young collections run every 20,000 allocations; both are restored when it ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 20_000  # allocations between young collections


@contextmanager
def long_lived_objects_frozen(young: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Keep what exists now out of the collector's passes, and collect the young every
    ``young`` allocations, until the block ends."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(young, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
