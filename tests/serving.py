"""The fake's HTTP server in a thread of the test process, on a free loopback port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from azpatch_fake import FakeAzure
from azpatch_fake._doors._server import serve


@contextmanager
def serving(fake: FakeAzure, *, time_scale: float) -> Iterator[FakeAzure]:
    """``fake`` served until the block ends; ``fake.base_url`` says where."""
    ready, stop = threading.Event(), threading.Event()
    options = {"ready": ready, "stop": stop, "time_scale": time_scale, "port": 0}
    worker = threading.Thread(target=serve, args=(fake,), kwargs=options)
    worker.start()
    try:
        assert ready.wait(10)
        yield fake
    finally:
        stop.set()
        worker.join(10)
