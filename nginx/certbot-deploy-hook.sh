#!/bin/sh
# certbot deploy hook: runs after every issued or renewed certificate (docs/deployment.md).
# Copies it where the nginx container reads it, readable by nginx's unprivileged uid 101
# (certbot's own files are root-only), then reloads nginx without dropping a connection.
#
# certbot sets RENEWED_LINEAGE (/etc/letsencrypt/live/DOMAIN). APP_DIR is the folder with
# docker-compose.prod.yml and .env; TLS_CERTIFICATES_DIR must match the one in that .env.
set -eu

app_dir="${APP_DIR:-/srv/app}"
tls_dir="${TLS_CERTIFICATES_DIR:-/srv/app/tls}"
nginx_uid=101

install -d -m 0750 -o "$nginx_uid" -g "$nginx_uid" "$tls_dir"
install -m 0644 -o "$nginx_uid" -g "$nginx_uid" "$RENEWED_LINEAGE/fullchain.pem" "$tls_dir/fullchain.pem"
install -m 0600 -o "$nginx_uid" -g "$nginx_uid" "$RENEWED_LINEAGE/privkey.pem" "$tls_dir/privkey.pem"

# On the very first certificate the stack is not running yet: nothing to reload.
compose() {
    docker compose --project-directory "$app_dir" -f "$app_dir/docker-compose.prod.yml" "$@"
}
if [ -n "$(compose ps --status running --quiet nginx)" ]; then
    compose exec -T nginx nginx -s reload
fi
