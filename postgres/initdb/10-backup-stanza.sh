#!/bin/sh
# Run by the official image's entrypoint once, when it initialises an empty data volume, against
# its temporary server: create the pgBackRest stanza and check that WAL archiving reaches the
# repository. Never in archive_command, which only ever pushes WAL.
set -eu
python3 -m backup stanza-create
