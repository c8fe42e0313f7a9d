"""`python -m app.serve`: run the API under uvicorn with the configured number of workers.

Prepares the folder where worker processes share their metrics before any worker starts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from app.config import Settings, get_settings

# Longer than nginx keeps idle upstream connections, so nginx always closes them first and
# never sends a request on a connection uvicorn is closing.
KEEP_ALIVE_SECONDS = 75


def prepare_metrics_dir(settings: Settings) -> None:
    """Start every run with an empty folder: samples of a previous run must not add up."""
    folder = settings.prometheus_multiproc_dir or Path(tempfile.gettempdir()) / "app-metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def main(argv: list[str] | None = None, factory: str = "app.main:create_app") -> int:
    """Serve the app `factory` builds (a "module:function" path, which each worker imports)."""
    parser = argparse.ArgumentParser(prog="python -m app.serve", description=__doc__)
    parser.add_argument("--reload", action="store_true", help="restart on code change (dev)")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"invalid settings: {exc}", file=sys.stderr)
        return 2
    if settings.metrics_enabled:
        prepare_metrics_dir(settings)
    uvicorn.run(
        factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=None if args.reload else settings.web_workers,
        reload=args.reload,
        reload_dirs=[str(Path(__file__).parent)] if args.reload else None,
        loop="uvloop",
        # By name, not imported here: importing the app's modules before prepare_metrics_dir
        # would set up metrics without the shared folder when the one worker is this process.
        http="app.limits:GuardedHttpToolsProtocol",
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        limit_concurrency=settings.web_concurrency_limit,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
