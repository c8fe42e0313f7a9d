#!/usr/bin/env bash
# Runs scripts/deploy.sh or scripts/rollback.sh on the server over SSH, as deploy.yml does. The
# scripts of this checkout are copied to $DEPLOY_PATH/.deploy/ first, so the server runs the
# procedure of the commit that drives it. By hand, from a clone, with your own SSH set-up:
#   DEPLOY_HOST=app.example.com DEPLOY_USER=deploy scripts/remote-deploy.sh deploy <full sha>
#   DEPLOY_HOST=app.example.com DEPLOY_USER=deploy scripts/remote-deploy.sh rollback [<sha>]
# DEPLOY_PATH is the app's folder on the server (/srv/app), DEPLOY_PORT the SSH port (22).
# CI passes DEPLOY_SSH_KEY (private key) and DEPLOY_KNOWN_HOSTS (the host key lines of the server);
# in GitHub Actions the outcome is also written to the job's summary.
set -euo pipefail

command=${1:?usage: remote-deploy.sh deploy|rollback [sha]}
sha=${2:-}
case $command in
  deploy) [[ $sha =~ ^[0-9a-f]{40}$ ]] || { echo "deploy needs a full 40-character commit SHA, got '$sha'" >&2; exit 2; } ;;
  rollback) [[ -z $sha || $sha =~ ^[0-9a-f]{40}$ ]] || { echo "rollback takes a full commit SHA or nothing, got '$sha'" >&2; exit 2; } ;;
  *) echo "unknown command '$command' (deploy or rollback)" >&2; exit 2 ;;
esac
: "${DEPLOY_HOST:?set DEPLOY_HOST to the server host name}"
: "${DEPLOY_USER:?set DEPLOY_USER to the SSH user on the server}"
path=${DEPLOY_PATH:-/srv/app}
actor=${DEPLOY_ACTOR:-$(id -un)}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ssh_options=(-o BatchMode=yes -o ConnectTimeout=15 -o ServerAliveInterval=30
             -o Port="${DEPLOY_PORT:-22}")
if [[ -n ${DEPLOY_SSH_KEY:-} ]]; then
  keys=$(mktemp -d)
  trap 'rm -rf "$keys"' EXIT
  printf '%s\n' "$DEPLOY_SSH_KEY" >"$keys/id"
  printf '%s\n' "${DEPLOY_KNOWN_HOSTS:?set DEPLOY_KNOWN_HOSTS to the host key lines of the server}" >"$keys/known_hosts"
  chmod 600 "$keys/id"
  ssh_options+=(-i "$keys/id" -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes
                -o UserKnownHostsFile="$keys/known_hosts")
fi
target="$DEPLOY_USER@$DEPLOY_HOST"

# The scripts travel through ssh itself, not scp: no SFTP subsystem needed on the server.
# Expanded here on purpose: the paths and the actor are quoted for the remote shell.
# shellcheck disable=SC2029
tar -C "$here" -c deploy-lib.sh deploy.sh rollback.sh |
  ssh "${ssh_options[@]}" "$target" \
    "mkdir -p $(printf %q "$path/.deploy") && tar -x -m --no-same-owner -C $(printf %q "$path/.deploy")"

log=$(mktemp)
set +e
# shellcheck disable=SC2029
ssh "${ssh_options[@]}" "$target" \
  "cd $(printf %q "$path") && DEPLOY_ACTOR=$(printf %q "$actor") bash .deploy/$command.sh $sha" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  {
    echo "### $command ${sha:-(previous good SHA)} on $DEPLOY_HOST: $([[ $status -eq 0 ]] && echo succeeded || echo "FAILED (exit $status)")"
    echo
    echo '```'
    grep -E '^(deploy|rollback): ' "$log" | tail -n 20
    echo '```'
  } >>"$GITHUB_STEP_SUMMARY"
fi
rm -f "$log"
exit "$status"
