"""Run a coroutine to its end from a test, whatever else runs in the test process.

A browser test in the same pytest worker leaves Playwright's event loop running in the main thread, and
asyncio.run refuses to start inside a running loop: the coroutine gets a thread and a loop of its own.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_apart(coroutine):
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
