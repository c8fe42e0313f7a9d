"""Killing a backend worker under concurrent keyed writers, through nginx: every create the
client saw fail and retried with its Idempotency-Key exists exactly once."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import httpx

from stack.runner import Stack

from .helpers import RETRIED_STATUSES, all_titles, children, cmdline, kill, new_user, wait_for

WRITERS = 8
MAX_CREATES_PER_WRITER = 400
MAX_ATTEMPTS = 10
KILLS = 3
MAX_KILLS = 6


def workers(stack: Stack) -> list[int]:
    master = stack.backend.replicas[0].pid
    return [pid for pid in children(master) if "spawn_main" in cmdline(pid)]


def test_a_worker_killed_under_keyed_writers_loses_and_doubles_nothing(
    faults_stack: Stack, site: str
) -> None:
    headers = new_user(site)
    lock = threading.Lock()
    stop = threading.Event()
    created: Counter[str] = Counter()  # title -> 201s the client received
    retried: set[str] = set()  # titles whose first attempt failed
    replayed: set[str] = set()  # retried titles answered from the stored response
    failures: Counter[str] = Counter()
    unexpected: list[str] = []

    def writer(n: int) -> None:
        with httpx.Client(base_url=site, headers=headers, timeout=10) as client:
            for i in range(MAX_CREATES_PER_WRITER):
                if stop.is_set():
                    return
                title, key = f"writer-{n}-{i}", str(uuid.uuid4())
                for _ in range(MAX_ATTEMPTS):
                    wait = 0.2
                    try:
                        answer = client.post(
                            "/api/v1/items", json={"title": title}, headers={"Idempotency-Key": key}
                        )
                    except httpx.TransportError as error:
                        failure = type(error).__name__
                    else:
                        if answer.status_code == 201:
                            with lock:
                                created[title] += 1
                                if answer.headers.get("Idempotent-Replayed") == "true":
                                    replayed.add(title)
                            break
                        if answer.status_code not in RETRIED_STATUSES:
                            with lock:
                                unexpected.append(f"{title}: {answer.status_code} {answer.text}")
                            break
                        failure = str(answer.status_code)
                        retry_after = answer.headers.get("Retry-After")
                        if retry_after != "1":
                            with lock:
                                unexpected.append(
                                    f"{title}: {failure} with Retry-After {retry_after}"
                                )
                        wait = float(retry_after or 1)
                    with lock:
                        failures[failure] += 1
                        retried.add(title)
                    time.sleep(wait)
                else:
                    with lock:
                        unexpected.append(f"{title}: gave up after {MAX_ATTEMPTS} attempts")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    kills = 0
    try:
        time.sleep(1)
        # Kill until a kill has caught creates in flight (each kill almost always does).
        while kills < MAX_KILLS and (kills < KILLS or not retried):
            wait_for(lambda: len(workers(faults_stack)) == 2, 60, "running two workers")
            kill(workers(faults_stack)[0])
            kills += 1
            time.sleep(1.5)
    finally:
        time.sleep(1)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    on_server = Counter(all_titles(site, headers))
    print(
        f"{sum(created.values())} creates by {WRITERS} writers, {kills} workers killed: "
        f"{len(retried)} retried ({dict(failures)}), {len(replayed)} of them had been "
        f"created before the failure and were answered from the stored response"
    )
    assert not unexpected, unexpected[:5]
    assert retried, "no kill caught a create in flight: the test proved nothing"
    assert set(created) == set(on_server)
    assert max(created.values()) == 1
    doubled = {title: n for title, n in on_server.items() if n != 1}
    assert not doubled, f"created more than once: {doubled}"
    # uvicorn replaced each killed worker.
    wait_for(lambda: len(workers(faults_stack)) == 2, 60, "back to two workers")
