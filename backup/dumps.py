"""Logical dumps (`pg_dump -Fc`), encrypted with repo1's passphrase, stored beside repo1.

For moving data between PostgreSQL major versions; physical backups serve every restore of the
same version. The ciphertext is `openssl enc -aes-256-cbc -pbkdf2`, so any machine with OpenSSL
and the passphrase can read a dump without this tool:

    openssl enc -d -aes-256-cbc -pbkdf2 -iter 200000 -pass env:PGBACKREST_REPO1_CIPHER_PASS
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from backup.pgbackrest import CommandFailed
from backup.settings import Settings

OPENSSL = ["openssl", "enc", "-aes-256-cbc", "-pbkdf2", "-iter", "200000"]
SUFFIX = ".dump.aes256"


def _s3(settings: Settings) -> Any:
    import boto3  # only dumps to S3 need it

    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name=settings.s3_region,
        aws_access_key_id=settings.s3_key,
        aws_secret_access_key=settings.s3_key_secret,
        # The system's CAs, or the one pgBackRest is given: verified either way.
        verify=settings.s3_ca_file or True,
    )


def create_bucket(settings: Settings) -> dict[str, str]:
    """repo1's bucket, created when missing, with versioning on: an overwritten or deleted
    object (by mistake, or by an attacker holding the keys) keeps its earlier versions."""
    client = _s3(settings)
    try:
        client.head_bucket(Bucket=settings.s3_bucket)
    except Exception:  # botocore's ClientError (404) or a connection error: try to create it
        try:
            client.create_bucket(Bucket=settings.s3_bucket)
        except Exception as error:
            raise CommandFailed(f"cannot create bucket {settings.s3_bucket}: {error}") from error
    client.put_bucket_versioning(
        Bucket=settings.s3_bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    status = client.get_bucket_versioning(Bucket=settings.s3_bucket).get("Status", "")
    if status != "Enabled":
        raise CommandFailed(f"bucket {settings.s3_bucket}: versioning is {status or 'off'}")
    return {"bucket": settings.s3_bucket, "versioning": status}


def _check(proc: subprocess.Popen[bytes], what: str) -> None:
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.wait() != 0:
        raise CommandFailed(f"{what} exited {proc.returncode}: {stderr.strip()[-500:]}")


def create(settings: Settings) -> tuple[str, int]:
    """Dump, encrypt and upload; returns where the dump went and its size in bytes."""
    if not settings.cipher_pass:
        raise CommandFailed(f"{settings.cipher_pass_variable} is not set: refusing to dump")
    name = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + SUFFIX
    dump = subprocess.Popen(
        ["pg_dump", "-Fc", "--no-password"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=settings.pg_dump_env(),
    )
    encrypt = subprocess.Popen(
        [*OPENSSL, "-salt", "-pass", f"env:{settings.cipher_pass_variable}"],
        stdin=dump.stdout,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert dump.stdout is not None
    assert encrypt.stdout is not None
    dump.stdout.close()  # openssl holds the pipe now
    counted = _Counting(encrypt.stdout)
    try:
        where = _store(settings, name, counted)
        _check(dump, "pg_dump")
        _check(encrypt, "openssl enc")
    except BaseException:
        dump.kill()
        encrypt.kill()
        with contextlib.suppress(Exception):
            _delete(settings, name)
        raise
    _expire(settings)
    return where, counted.size


def _store(settings: Settings, name: str, stream: _Counting) -> str:
    if settings.repo_type == "posix":
        target = settings.local_dump_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            shutil.copyfileobj(stream, out)
        return str(target)
    key = settings.dump_prefix + name
    try:
        _s3(settings).upload_fileobj(stream, settings.s3_bucket, key)
    except Exception as error:  # botocore raises many kinds; all mean the dump is not stored
        raise CommandFailed(f"upload to s3://{settings.s3_bucket}/{key} failed: {error}") from error
    return f"s3://{settings.s3_bucket}/{key}"


def _delete(settings: Settings, name: str) -> None:
    if settings.repo_type == "posix":
        (settings.local_dump_dir / name).unlink(missing_ok=True)
    else:
        _s3(settings).delete_object(Bucket=settings.s3_bucket, Key=settings.dump_prefix + name)


def names(settings: Settings) -> list[str]:
    """Stored dumps, oldest first (their names sort by time)."""
    if settings.repo_type == "posix":
        found = [p.name for p in settings.local_dump_dir.glob(f"*{SUFFIX}")]
    else:
        pages = (
            _s3(settings)
            .get_paginator("list_objects_v2")
            .paginate(Bucket=settings.s3_bucket, Prefix=settings.dump_prefix)
        )
        found = [o["Key"].rsplit("/", 1)[1] for page in pages for o in page.get("Contents", [])]
    return sorted(n for n in found if n.endswith(SUFFIX))


def _expire(settings: Settings) -> None:
    """Delete dumps older than the retention, never the newest one."""
    cutoff = time.time() - settings.dump_retention_days * 86400
    for name in names(settings)[:-1]:
        taken = datetime.strptime(name.removesuffix(SUFFIX), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if taken.timestamp() < cutoff:
            _delete(settings, name)


@contextlib.contextmanager
def _opened(settings: Settings, name: str) -> Iterator[IO[bytes]]:
    if settings.repo_type == "posix":
        with (settings.local_dump_dir / name).open("rb") as stored:
            yield stored
    else:
        body = _s3(settings).get_object(Bucket=settings.s3_bucket, Key=settings.dump_prefix + name)
        yield body["Body"]


def fetch(settings: Settings, name: str, out: IO[bytes] = sys.stdout.buffer) -> None:
    """Decrypt a stored dump to `out`: the `pg_dump -Fc` archive pg_restore reads."""
    decrypt = subprocess.Popen(
        [*OPENSSL, "-d", "-pass", f"env:{settings.cipher_pass_variable}"],
        stdin=subprocess.PIPE,
        stdout=out,
        stderr=subprocess.PIPE,
    )
    assert decrypt.stdin is not None
    with _opened(settings, name) as stored:
        shutil.copyfileobj(stored, decrypt.stdin)
    decrypt.stdin.close()
    _check(decrypt, "openssl enc -d")


class _Counting:
    """A read-only stream that counts what passed through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.stream.read(n)
        self.size += len(chunk)
        return chunk

    def readable(self) -> bool:
        return True
