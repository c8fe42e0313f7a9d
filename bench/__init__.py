"""`make bench`: throughput of the backend with 1 and 2 workers, measured with wrk."""
