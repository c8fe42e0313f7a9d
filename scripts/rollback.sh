#!/usr/bin/env bash
# Rolls back, on the server, in the folder holding docker-compose.prod.yml and .env:
#   scripts/rollback.sh            # to the previous SHA that deployed successfully (history)
#   scripts/rollback.sh <sha>      # to that commit's images
#   scripts/rollback.sh --force <sha>   # even when the schema check refuses (read the docs first)
# Refuses when the database's schema is newer than the target knows, unless the target is the
# version that ran right before the current one: under expand/contract migrations (docs/
# deployment.md) that one works with the schema, and nothing is migrated back.
set -euo pipefail
SCRIPT_NAME=rollback
# shellcheck source=scripts/deploy-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/deploy-lib.sh"

force=false
if [[ ${1:-} == --force ]]; then force=true; shift; fi
current=$(running_tag)
target=${1:-$(last_good_sha "$current")}
[[ -n $target ]] || fail "no earlier successful deploy in $HISTORY_FILE: name the SHA to roll back to"
is_sha "$target" || fail "usage: rollback.sh [--force] [<full 40-character commit SHA>], got '$target'"
[[ $target != "$current" ]] || fail "$target already runs"

say "rolling back from ${current:-nothing} to $target as $ACTOR"
image="$IMAGE_REPOSITORY/backend:$target"
docker pull --quiet "$image" >/dev/null || fail "cannot pull $image: were images pushed for $target?"

revision=$(database_revision) || fail "cannot read the database's alembic revision"
migrations=no-migrations
if image_revisions "$image" | grep -qxF "$revision"; then
  # The target knows the schema: its prestart has nothing to undo (at most to apply).
  migrations=migrate
elif [[ $target == "$(previous_of "$current")" ]]; then
  say "the database is at $revision, newer than $target knows; $target ran right before" \
    "$current, so under expand/contract it works with this schema (no migration is undone)"
elif $force; then
  say "--force: the database is at $revision, which $target does not know; going on"
else
  history rollback "$target" refused "$current" "database at $revision, unknown to $target"
  fail "REFUSED: the database is at migration $revision, which $target does not know: it was" \
    "built before that migration, and it did not run right before $current, so nothing" \
    "promises it works with this schema. Deploy a fix forward instead, or see" \
    "docs/deployment.md ('Migrations and rollbacks') before using --force or alembic downgrade."
fi

started=$SECONDS
if switch_to "$target" "$migrations"; then
  history rollback "$target" ok "$current" "$((SECONDS - started))s"
  say "rolled back to $target in $((SECONDS - started))s"
  exit 0
fi
history rollback "$target" failed "$current" "see the output of this run"
say "FAILED: $target did not become healthy; the site may be half switched. Roll back to" \
  "$current with: scripts/rollback.sh $current" >&2
exit 1
