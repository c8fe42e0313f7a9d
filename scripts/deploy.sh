#!/usr/bin/env bash
# Deploys the images of one commit, on the server, in the folder holding docker-compose.prod.yml
# and .env (docs/deployment.md):
#   scripts/deploy.sh <full commit SHA>
# Records the running tag, sets IMAGE_TAG in .env, pulls, runs the migrations (prestart),
# replaces the backend replicas one at a time, recreates nginx if its image changed, then
# checks the site through nginx (bounded). If the new version fails, it switches back to the
# recorded tag by itself, checks that, and exits 1. Exit 2: the way back failed too.
# Every run appends a line to the history file (deploy-history.tsv).
set -euo pipefail
SCRIPT_NAME=deploy
# shellcheck source=scripts/deploy-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/deploy-lib.sh"

sha=${1:-}
is_sha "$sha" || fail "usage: deploy.sh <full 40-character commit SHA>, got '${sha}'"

previous=$(running_tag)
is_sha "$previous" || previous=""
say "deploying $sha (running now: ${previous:-nothing}) as $ACTOR"
if [[ $previous == "$sha" ]]; then
  say "$sha already runs; checking it"
fi

started=$SECONDS
if switch_to "$sha"; then
  history deploy "$sha" ok "$previous" "$((SECONDS - started))s"
  say "deployed $sha in $((SECONDS - started))s"
  exit 0
fi

if [[ -z $previous || $previous == "$sha" ]]; then
  history deploy "$sha" failed "$previous" "no earlier version to go back to"
  fail "FAILED: $sha did not become healthy and no earlier version is recorded to go back to"
fi
say "$sha did not become healthy: going back to $previous"
# The previous backend ran during the migrations, so it works with the schema (expand/contract):
# nothing to migrate on the way back.
if switch_to "$previous" no-migrations; then
  history deploy "$sha" failed "$previous" "rolled back to $previous"
  history auto-rollback "$previous" ok "$sha" "after the failed deploy of $sha"
  fail "FAILED: $sha did not become healthy; rolled back to $previous, which answers again"
fi
history deploy "$sha" failed "$previous" "rollback to $previous failed too"
say "FAILED TWICE: $sha did not become healthy and going back to $previous failed too:" \
  "the site may be down. See docs/deployment.md, 'When a deploy fails'." >&2
exit 2
