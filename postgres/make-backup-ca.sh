#!/bin/sh
# make-backup-ca DIR: a private CA and a certificate for the MinIO service (names `minio` and
# `localhost`), once. MinIO reads DIR/public.crt and DIR/private.key; pgBackRest and the backup
# tool trust DIR/ca.pem (PGBACKREST_REPO1_STORAGE_CA_FILE): TLS verified, never skipped.
set -eu
dir=${1:?usage: make-backup-ca DIR}
if [ -s "$dir/ca.pem" ] && [ -s "$dir/public.crt" ]; then
    echo "make-backup-ca: $dir already holds a CA and a certificate"
    exit 0
fi
umask 077
# CAs/: MinIO creates it when missing, and cannot on a read-only mount.
mkdir -p "$dir/private" "$dir/CAs"
openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=backup storage CA" \
    -keyout "$dir/private/ca.key" -out "$dir/ca.pem"
openssl req -newkey rsa:3072 -nodes -subj "/CN=minio" \
    -keyout "$dir/private.key" -out "$dir/private/minio.csr"
printf 'subjectAltName=DNS:minio,DNS:localhost\n' > "$dir/private/san.cnf"
openssl x509 -req -in "$dir/private/minio.csr" -CA "$dir/ca.pem" -CAkey "$dir/private/ca.key" \
    -CAcreateserial -days 825 -extfile "$dir/private/san.cnf" -out "$dir/public.crt"
chmod 0644 "$dir/ca.pem" "$dir/public.crt"
chmod 0640 "$dir/private.key"
echo "make-backup-ca: wrote $dir/ca.pem and the MinIO certificate"
