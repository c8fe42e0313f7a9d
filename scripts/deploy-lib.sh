# Shared by deploy.sh and rollback.sh (sourced, not run). Both run on the server, in the folder
# holding docker-compose.prod.yml and .env (docs/deployment.md, "Deploy and roll back").
#
# Settings, from the environment or .env:
#   COMPOSE_FILE           compose file(s); default docker-compose.prod.yml
#   DEPLOY_CHECK_URL       the site as clients reach it; default https://$DOMAIN
#   DEPLOY_READY_TIMEOUT   seconds a new replica, and then the site, get to be ready (120)
#   DEPLOY_HISTORY_FILE    the history, one line per deploy or rollback (deploy-history.tsv)
#   DEPLOY_ACTOR           who deploys, for the history; default the sudo user or login name
# shellcheck shell=bash

set -euo pipefail

SCRIPT_NAME=${SCRIPT_NAME:-deploy}

# Each line says how far into the run it is: the steps' durations, for the operator.
say() { printf '%s: [%3ds] %s\n' "$SCRIPT_NAME" "$SECONDS" "$*"; }
fail() { say "$*" >&2; exit 1; }

[[ -f .env ]] || fail "no .env here ($(pwd)): run me in the folder holding docker-compose.prod.yml and .env"

# The value of KEY in .env (the last assignment wins, as for compose), quotes removed.
env_get() {
  local line
  line=$(grep -E "^[[:space:]]*$1=" .env | tail -n 1) || return 0
  line=${line#*=}
  line=${line%\"}; line=${line#\"}; line=${line%\'}; line=${line#\'}
  printf '%s' "$line"
}

# Sets KEY=VALUE in .env, in place of every earlier assignment; atomic, permissions kept.
env_set() {
  local tmp
  tmp=$(mktemp .env.XXXXXX)
  chmod --reference=.env "$tmp"
  grep -vE "^[[:space:]]*$1=" .env >"$tmp" || true
  printf '%s=%s\n' "$1" "$2" >>"$tmp"
  mv "$tmp" .env
}

export COMPOSE_FILE=${COMPOSE_FILE:-$(env_get COMPOSE_FILE)}
COMPOSE_FILE=${COMPOSE_FILE:-docker-compose.prod.yml}
CHECK_URL=${DEPLOY_CHECK_URL:-$(env_get DEPLOY_CHECK_URL)}
CHECK_URL=${CHECK_URL:-https://$(env_get DOMAIN)}
READY_TIMEOUT=${DEPLOY_READY_TIMEOUT:-$(env_get DEPLOY_READY_TIMEOUT)}
READY_TIMEOUT=${READY_TIMEOUT:-120}
HISTORY_FILE=${DEPLOY_HISTORY_FILE:-$(env_get DEPLOY_HISTORY_FILE)}
HISTORY_FILE=${HISTORY_FILE:-deploy-history.tsv}
ACTOR=${DEPLOY_ACTOR:-${SUDO_USER:-$(id -un)}}
IMAGE_REPOSITORY=$(env_get IMAGE_REPOSITORY)
[[ -n $IMAGE_REPOSITORY ]] || fail "IMAGE_REPOSITORY is not set in .env"

compose() { docker compose "$@"; }

# One deploy or rollback at a time on this server, whoever starts it.
exec 9>>.deploy.lock
flock -n 9 || fail "another deploy or rollback is running here (.deploy.lock); try again when it ends"

is_sha() { [[ $1 =~ ^[0-9a-f]{40}$ ]]; }

# The tag the backend containers run now (else .env's IMAGE_TAG, when nothing runs).
running_tag() {
  local id image
  id=$(compose ps -q backend | head -n 1)
  if [[ -n $id ]]; then
    image=$(docker inspect -f '{{.Config.Image}}' "$id")
    printf '%s' "${image##*:}"
  else
    env_get IMAGE_TAG
  fi
}

# history ACTION SHA OUTCOME FROM NOTE: one tab-separated line,
# time, action, sha, who, outcome, from (the SHA that ran before), note.
history() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2" "$ACTOR" \
    "$3" "${4:-}" "${5:-}" >>"$HISTORY_FILE"
}

# The newest SHA that was deployed or rolled back to successfully, other than $1.
last_good_sha() {
  [[ -f $HISTORY_FILE ]] || return 0
  awk -F'\t' -v not="$1" '$5 == "ok" && $3 != not { sha = $3 } END { print sha }' "$HISTORY_FILE"
}

# The SHA that ran before $1 was deployed (the "from" of its newest successful deploy): the
# version that kept serving while $1's migrations ran. Rollbacks do not count: they go back.
previous_of() {
  [[ -f $HISTORY_FILE ]] || return 0
  awk -F'\t' -v sha="$1" '$2 == "deploy" && $5 == "ok" && $3 == sha { from = $6 } END { print from }' \
    "$HISTORY_FILE"
}

backend_ids() { compose ps -q backend; }

image_tag_of() { local image; image=$(docker inspect -f '{{.Config.Image}}' "$1"); printf '%s' "${image##*:}"; }

# Waits (bounded) until the backend container $1 answers /health/ready from inside.
wait_replica_ready() {
  local id=$1 deadline=$((SECONDS + READY_TIMEOUT)) state
  while ((SECONDS < deadline)); do
    state=$(docker inspect -f '{{.State.Status}}' "$id" 2>/dev/null || echo gone)
    if [[ $state != running && $state != created ]]; then
      say "replica ${id:0:12} is $state; its last log lines:"
      docker logs --tail 20 "$id" 2>&1 | sed 's/^/    /' || true
      return 1
    fi
    if docker exec "$id" python -c \
      "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=3)" \
      >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  say "replica ${id:0:12} not ready after ${READY_TIMEOUT}s; its last log lines:"
  docker logs --tail 20 "$id" 2>&1 | sed 's/^/    /' || true
  return 1
}

# nginx resolves `backend` when it (re)loads its config: a reload makes it send requests to
# exactly the replicas running now, while its old workers finish the requests in flight.
# SIGHUP to the container's PID 1, the nginx master, is the reload (no pid file needed).
reload_nginx() {
  compose kill -s SIGHUP nginx >/dev/null 2>&1 || { say "could not reload nginx"; return 1; }
  # The new workers take over within a few hundred milliseconds.
  sleep 2
}

# Waits (bounded) until nginx sends requests to a replica of tag $1: proof that the reload
# took the new replica in.
wait_nginx_serves() {
  local tag=$1 deadline=$((SECONDS + 15)) body
  while ((SECONDS < deadline)); do
    body=$(curl -ksS --max-time 5 "$CHECK_URL/health" 2>/dev/null || true)
    [[ $body == *"\"commit\":\"$tag\""* ]] && return 0
    sleep 0.2
  done
  say "nginx sends no request to a replica of $tag after reloading"
  return 1
}

# Replaces, one at a time, every backend replica that does not run tag $1: start one of the
# new version beside the old ones, wait until it is ready, let nginx send it requests, then
# stop one old replica (it finishes its requests in flight) and take it out of nginx.
# Returns non-zero, with the new replica removed, when a new replica never becomes ready.
roll_backend() {
  local tag=$1 id new old before count
  mapfile -t old < <(backend_ids)
  if ((${#old[@]} == 0)); then
    compose up -d --no-deps backend
    mapfile -t old < <(backend_ids)
    for id in "${old[@]}"; do wait_replica_ready "$id" || return 1; done
    return 0
  fi
  for id in "${old[@]}"; do
    [[ $(image_tag_of "$id") == "$tag" ]] && continue
    before=$(backend_ids | sort)
    count=$(($(wc -l <<<"$before") + 1))
    compose up -d --no-deps --no-recreate --scale "backend=$count" backend 2>&1 | sed 's/^/    /'
    new=$(comm -13 <(printf '%s\n' "$before") <(backend_ids | sort) | head -n 1)
    [[ -n $new ]] || { say "compose started no new backend replica"; return 1; }
    say "replica ${new:0:12} ($tag) started beside ${id:0:12}; waiting until it is ready"
    if ! wait_replica_ready "$new"; then
      docker rm -f "$new" >/dev/null
      return 1
    fi
    reload_nginx || return 1
    wait_nginx_serves "$tag" || return 1
    say "replica ${new:0:12} ready and in nginx; stopping ${id:0:12} ($(image_tag_of "$id"))"
    docker stop -t 30 "$id" >/dev/null || return 1
    docker rm "$id" >/dev/null || return 1
    reload_nginx || return 1
  done
}

# Recreates nginx when tag $1's front-end image differs from the one it runs. nginx is the only
# published container: while it is recreated (about a second) connections are refused.
swap_nginx() {
  local tag=$1 id running wanted
  id=$(compose ps -q nginx | head -n 1)
  wanted=$(docker image inspect -f '{{.Id}}' "$IMAGE_REPOSITORY/frontend:$tag")
  running=
  [[ -z $id ]] || running=$(docker inspect -f '{{.Image}}' "$id")
  if [[ $running == "$wanted" ]]; then
    say "nginx already runs the front end of $tag (same image)"
    return 0
  fi
  say "recreating nginx with the front end of $tag"
  compose up -d --no-deps nginx 2>&1 | sed 's/^/    /'
}

# Waits (bounded) until, through nginx, /health/ready answers 200, every answer of /health
# names commit $1, and a request of the API gets the API's answer (401 for a wrong log-in).
verify_site() {
  local tag=$1 deadline=$((SECONDS + READY_TIMEOUT)) ready body code i wrong
  while ((SECONDS < deadline)); do
    ready=$(curl -ksS -o /dev/null -w '%{http_code}' --max-time 5 "$CHECK_URL/health/ready" 2>/dev/null || true)
    if [[ $ready == 200 ]]; then
      wrong=0
      for i in 1 2 3 4 5 6; do
        body=$(curl -ksS --max-time 5 "$CHECK_URL/health" 2>/dev/null || true)
        [[ $body == *"\"commit\":\"$tag\""* ]] || wrong=$i
      done
      code=$(curl -ksS -o /dev/null -w '%{http_code}' --max-time 10 -X POST \
        --data 'username=deploy-smoke-test%40example.invalid&password=not-a-password' \
        "$CHECK_URL/api/v1/auth/login" 2>/dev/null || true)
      if ((wrong == 0)) && [[ $code == 401 ]]; then
        say "$CHECK_URL answers: /health/ready 200, /health commit $tag, log-in smoke test 401 as expected"
        return 0
      fi
      say "not yet: /health named another commit (${body:-no answer}) or the log-in smoke test got $code"
    fi
    sleep 2
  done
  say "$CHECK_URL did not pass its checks within ${READY_TIMEOUT}s (last /health/ready: ${ready:-none})"
  return 1
}

# The migrations (alembic revisions) image $1 ships, one per line.
image_revisions() {
  docker run --rm --no-healthcheck --entrypoint python "$1" -c \
    "from alembic.config import Config; from alembic.script import ScriptDirectory
for r in ScriptDirectory.from_config(Config('alembic.ini')).walk_revisions(): print(r.revision)"
}

# The database's current alembic revision.
database_revision() {
  # shellcheck disable=SC2016  # expanded by the db container's shell, from its environment
  compose exec -T db sh -c \
    'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "SELECT version_num FROM alembic_version"' |
    tr -d '[:space:]'
}

# Switches the app to tag $1: .env, pull, migrations unless $2 is "no-migrations", backend
# replicas one at a time, nginx, then the checks through nginx. Non-zero when any step fails.
switch_to() {
  local tag=$1 migrations=${2:-migrate}
  env_set IMAGE_TAG "$tag"
  say "pulling the images of $tag"
  compose pull --quiet backend nginx || { say "pulling $tag failed"; return 1; }
  # The backend's own services first, on a first deploy (a no-op when they run).
  local infrastructure
  infrastructure=$(compose config --services | grep -xE 'db|redis' | tr '\n' ' ')
  # shellcheck disable=SC2086  # one word per service
  compose up -d --wait --no-recreate $infrastructure 2>&1 | sed 's/^/    /'
  if [[ $migrations == migrate ]]; then
    say "running the migrations of $tag (prestart)"
    compose run --rm --no-deps -T prestart 2>&1 | tail -n 5 | sed 's/^/    /'
    ((PIPESTATUS[0] == 0)) || { say "the migrations of $tag failed"; return 1; }
  fi
  roll_backend "$tag" || return 1
  swap_nginx "$tag" || return 1
  verify_site "$tag"
}
