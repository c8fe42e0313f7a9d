"""Backups of the database: pgBackRest (full, incremental, WAL) and encrypted logical dumps.

`python -m backup --help` lists the operator commands (docs/backup-and-recovery.md). Standard
library only, except boto3 for logical dumps to S3, so the database image runs it as it is.
"""
