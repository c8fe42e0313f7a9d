#!/bin/sh
# Run by the official image's entrypoint once, when it initialises an empty data volume, against
# its temporary server: create the pgBackRest stanza and check that WAL archiving reaches the
# repository. Never in archive_command, which only ever pushes WAL.
#
# The database does not wait for the backup storage: if it does not answer yet, the backup
# service creates the stanza when it starts (`python3 -m backup schedule`), and archive_command
# retries (WalArchivingFailing fires if that lasts).
if ! python3 -m backup stanza-create; then
    echo "10-backup-stanza: the stanza is not created yet; the backup service will create it" >&2
fi
