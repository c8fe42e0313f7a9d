"""The native stack: the same config files as compose, run with this machine's own binaries.

`make stack` runs it in the foreground; the system tests start it as a fixture.
"""
