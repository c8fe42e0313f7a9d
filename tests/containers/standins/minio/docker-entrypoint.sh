#!/bin/sh
# As MinIO's: `server ...` means `minio server ...`.
if [ "$1" != "minio" ] && [ -n "$1" ]; then
    set -- minio "$@"
fi
exec "$@"
