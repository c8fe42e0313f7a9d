"""Every route and dependency is async: FastAPI runs a plain `def` on a worker thread, and on
the reference machine that hop costs ~0.25 ms per request, most of what `/health` costs."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app import fault_injection
from app.main import ROUTERS


def _runs_on_the_event_loop(call: Callable[..., Any]) -> bool:
    method = call if inspect.isroutine(call) else type(call).__call__  # a callable instance
    return inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def test_no_route_or_dependency_runs_on_a_thread() -> None:
    routes = [r for router in (*ROUTERS, fault_injection.router) for r in router.routes]
    assert routes
    threaded = {
        f"{route.path}: {getattr(call, '__qualname__', type(call).__qualname__)}"
        for route in routes
        if isinstance(route, APIRoute)
        for call in (route.endpoint, *_calls(route.dependant))
        if not _runs_on_the_event_loop(call)
    }
    assert threaded == set()
