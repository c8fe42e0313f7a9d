#!/usr/bin/env bash
# Prints the registry name of one of the app's images: <IMAGE_REPOSITORY>/<component>, in
# lowercase as registries require. IMAGE_REPOSITORY is what the server's .env holds
# (ghcr.io/<owner>/<repo>); in GitHub Actions it defaults to ghcr.io/$GITHUB_REPOSITORY.
#   scripts/image-name.sh backend    ->  ghcr.io/acme/webapp/backend
set -euo pipefail

component=${1:?usage: image-name.sh backend|frontend}
case $component in
  backend | frontend) ;;
  *) echo "image-name.sh: unknown component '$component' (backend or frontend)" >&2; exit 2 ;;
esac
repository=${IMAGE_REPOSITORY:-}
if [[ -z $repository ]]; then
  [[ -n ${GITHUB_REPOSITORY:-} ]] || { echo "image-name.sh: set IMAGE_REPOSITORY (ghcr.io/<owner>/<repo>)" >&2; exit 2; }
  repository="ghcr.io/$GITHUB_REPOSITORY"
fi
echo "${repository,,}/$component"
