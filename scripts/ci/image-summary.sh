#!/usr/bin/env bash
# Writes what images.yml pushed (tags, digest) to the job's summary, or to stdout by hand.
#   TAGS="ghcr.io/o/r/backend:<sha>" DIGEST=sha256:... scripts/ci/image-summary.sh
set -euo pipefail

out=${GITHUB_STEP_SUMMARY:-/dev/stdout}
{
  echo "### Pushed"
  echo
  echo "Digest: \`${DIGEST:-unknown}\`"
  echo
  while read -r tag; do
    [[ -n $tag ]] && echo "- \`$tag\`"
  done <<<"${TAGS:-}"
} >>"$out"
