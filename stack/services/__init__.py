"""One module per service of the native stack, each with a `start(stack)` and a `stop()`."""
