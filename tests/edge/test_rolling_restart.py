"""A rolling restart of the backend replicas behind nginx loses no request."""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx

from stack.runner import Stack
from stack.services.nginx import ROLLING_RESTART_PAUSE_SECONDS

from .api_client import client_from, sign_up_and_log_in

STREAMS = 4
# Each stream sends one request every 20 ms: ~200 requests/s in all, bounded in count and time.
INTERVAL = 0.02
MAX_REQUESTS_PER_STREAM = 1500
MIN_REQUESTS = 300


def test_restarting_each_replica_in_turn_fails_no_request(edge_stack: Stack, base_url: str) -> None:
    with client_from(base_url, "127.0.0.4") as client:
        token = sign_up_and_log_in(client)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    stop = threading.Event()

    def stream() -> None:
        with client_from(base_url) as client:
            client.headers["Authorization"] = f"Bearer {token}"
            for _ in range(MAX_REQUESTS_PER_STREAM):
                if stop.is_set():
                    return
                try:
                    outcome = str(client.get("/api/v1/items").status_code)
                except httpx.HTTPError as error:
                    outcome = type(error).__name__
                with lock:
                    outcomes[outcome] += 1
                time.sleep(INTERVAL)

    threads = [threading.Thread(target=stream) for _ in range(STREAMS)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    try:
        time.sleep(1)
        old_pids = [replica.pid for replica in edge_stack.backend.replicas]
        for n in range(len(old_pids)):
            edge_stack.backend.restart_replica(n)
            # As a deploy must: give nginx time to take the replica back before the next goes.
            time.sleep(ROLLING_RESTART_PAUSE_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    elapsed = time.monotonic() - started

    new_pids = [replica.pid for replica in edge_stack.backend.replicas]
    assert set(new_pids).isdisjoint(old_pids), "the replicas were not restarted"
    total = sum(outcomes.values())
    print(f"rolling restart: {total} requests in {elapsed:.1f} s: {dict(outcomes)}")
    assert total >= MIN_REQUESTS
    assert outcomes == Counter({"200": total})
