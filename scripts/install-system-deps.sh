#!/usr/bin/env bash
# Installs the Debian packages and Python tooling the tests need, only when missing, so a fresh
# machine of this kind can run `make test` and a prepared one pays nothing.
set -euo pipefail

packages=(nginx prometheus prometheus-node-exporter prometheus-postgres-exporter
          prometheus-nginx-exporter prometheus-alertmanager pgbackrest chromium wrk shellcheck
          redis-server prometheus-redis-exporter prometheus-process-exporter
          gettext-base openssl age
          docker-registry openssh-server)
# tests/containers: a private Docker engine (dockerd 20.10, Debian's BuildKit-capable client)
# and debootstrap for the stand-in base images.
packages+=(docker.io debootstrap)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v uv >/dev/null || python3 -m pip install --quiet uv
