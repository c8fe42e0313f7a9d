#!/usr/bin/env bash
# scripts/backup-state.sh OUT_DIR AGE_RECIPIENT [PART...]
#
# On the production server, in the folder of docker-compose.prod.yml: the state that is not in
# PostgreSQL (pgBackRest keeps that) and not in git, each piece encrypted with `age` for the
# operators' public key (`age-keygen` made it on a laptop; the private key never comes here):
#   prometheus-STAMP.tar.gz.age   a consistent TSDB snapshot (Prometheus's admin snapshot API)
#   grafana-STAMP.tar.gz.age      Grafana's volume: users, preferences, annotations
#   secrets-STAMP.tar.gz.age      .env and the TLS certificates (TLS_CERTIFICATES_DIR)
# PART names some of them (prometheus, grafana, secrets); all three by default. COMPOSE is the
# compose command (default `docker compose -f docker-compose.prod.yml`), e.g. with a project
# name. Copy OUT_DIR off the server (e.g. `rclone copy`, `scp`); docs/backup-and-recovery.md
# restores. Exits non-zero, with what failed, when any piece is not written.
set -euo pipefail

out=${1:?usage: scripts/backup-state.sh OUT_DIR AGE_RECIPIENT [prometheus|grafana|secrets]...}
recipient=${2:?usage: scripts/backup-state.sh OUT_DIR AGE_RECIPIENT (age1...)}
shift 2
parts=("$@")
((${#parts[@]})) || parts=(prometheus grafana secrets)
read -r -a compose <<<"${COMPOSE:-docker compose -f docker-compose.prod.yml}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"

encrypt() { gzip -c | age -r "$recipient" -o "$1"; }

prometheus() {
    # Prometheus writes a snapshot of its TSDB under /prometheus/snapshots/NAME (hard links: no
    # extra space, no pause) and answers {"status":"success","data":{"name":"NAME"}}.
    local answer name
    answer=$("${compose[@]}" exec -T prometheus \
        wget -q -O - --post-data= http://127.0.0.1:9090/api/v1/admin/tsdb/snapshot)
    name=$(printf '%s' "$answer" | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')
    [ -n "$name" ] || { echo "snapshot failed: $answer" >&2; exit 1; }
    "${compose[@]}" exec -T prometheus tar -C /prometheus/snapshots -cf - "$name" \
        | encrypt "$out/prometheus-$stamp.tar.gz.age"
    "${compose[@]}" exec -T prometheus rm -rf "/prometheus/snapshots/$name"
}

grafana() {
    "${compose[@]}" exec -T grafana tar -C /var/lib/grafana -cf - . \
        | encrypt "$out/grafana-$stamp.tar.gz.age"
}

secrets() {
    local tls_dir
    tls_dir=$(sed -n 's/^TLS_CERTIFICATES_DIR=//p' .env)
    # Paths from / (srv/app/.env, srv/app/tls/...), so `tar -xzf - -C /` puts each back in its
    # place.
    tar -C / -cf - "$(realpath --relative-to=/ .env)" \
        ${tls_dir:+"$(realpath --relative-to=/ "$tls_dir")"} | encrypt "$out/secrets-$stamp.tar.gz.age"
}

for part in "${parts[@]}"; do
    case "$part" in
        prometheus | grafana | secrets) "$part" ;;
        *) echo "unknown part: $part (prometheus, grafana or secrets)" >&2; exit 2 ;;
    esac
done

printf '{"event":"state-backup","status":"success","out":"%s","stamp":"%s"}\n' "$out" "$stamp"
