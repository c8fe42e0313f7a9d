"""Logical dumps: `pg_dump -Fc`, encrypted on this side, stored beside pgBackRest's files."""

from __future__ import annotations

import json
import subprocess

from .conftest import SITE_BUCKET
from .s3 import S3Server
from .site import Site


def test_a_dump_is_encrypted_in_the_bucket_and_restorable_with_the_key(
    site: Site, s3_server: S3Server
) -> None:
    site.psql("CREATE TABLE dumped (note text); INSERT INTO dumped VALUES ('kept in the dump')")
    made = site.tool("backup", "dump")
    assert made.returncode == 0, made.stdout + made.stderr
    line = json.loads(made.stdout.strip().splitlines()[-1])
    assert line["status"] == "success"
    assert line["location"].startswith(f"s3://{SITE_BUCKET}/pgbackrest/dumps/app/")
    name = line["location"].rsplit("/", 1)[1]
    assert name in json.loads(site.tool("info", "--json").stdout)["dumps"]

    client = s3_server.client()
    stored = client.get_object(Bucket=SITE_BUCKET, Key=line["location"].split("/", 3)[3])
    assert stored["Body"].read(8) == b"Salted__", "openssl's ciphertext, not a pg_dump archive"
    # pgBackRest's own files are ciphertext too.
    info = client.get_object(Bucket=SITE_BUCKET, Key="pgbackrest/backup/app/backup.info")
    assert info["Body"].read(8) == b"Salted__"

    fetched = subprocess.run(
        [*site.tool_argv("dump-get", name)], capture_output=True, check=False, env=site.tool_env()
    )
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.startswith(b"PGDMP")
    listing = subprocess.run(
        ["pg_restore", "--list"], input=fetched.stdout, capture_output=True, check=True
    )
    assert b"TABLE public dumped" in listing.stdout
