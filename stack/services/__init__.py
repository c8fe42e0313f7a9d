"""One module per service of the native stack, each with a `start()` and a `stop()`; each is
built with what it needs to know (addresses, folders), never with the whole stack."""
