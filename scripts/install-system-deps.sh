#!/usr/bin/env bash
# Installs the Debian packages and Python tooling the tests need, only when missing, so a fresh
# machine of this kind can run `make test` and a prepared one pays nothing.
set -euo pipefail

packages=(nginx pgbackrest chromium wrk shellcheck redis-server gettext-base openssl age
          docker-registry openssh-server)
# tests/containers: a private Docker engine (dockerd 20.10, Debian's BuildKit-capable client)
# and debootstrap for the stand-in base images.
packages+=(docker.io debootstrap)

# The monitoring binaries come from Debian unstable (sid): bookworm's (Prometheus 2.42 and the
# exporters of its time) are past upstream support. Each name is the lowest version the tests
# and the compose tags were written for (docs/monitoring.md, "What runs").
sid_packages=(prometheus=3.5.3 promtool=3.5.3 prometheus-alertmanager=0.33.1
              prometheus-node-exporter=1.11.1 prometheus-postgres-exporter=0.19.1
              prometheus-nginx-exporter=1.5.1 prometheus-redis-exporter=1.86.0
              prometheus-process-exporter=0.8.7)
SID_SOURCES=/etc/apt/sources.list.d/debian-sid-monitoring.sources
SID_PIN=/etc/apt/preferences.d/debian-sid-monitoring

sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
apt_install=("${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
             --no-install-recommends)

installed_version() {
  { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true; } |
    sed -n 's/^install ok installed //p'
}

missing=()
for pkg in "${packages[@]}"; do
  [[ -n $(installed_version "$pkg") ]] || missing+=("$pkg")
done

missing_sid=()
for entry in "${sid_packages[@]}"; do
  pkg=${entry%%=*} version=$(installed_version "${entry%%=*}")
  if [[ -z $version ]] || dpkg --compare-versions "$version" lt "${entry#*=}"; then
    missing_sid+=("$pkg/sid")
  fi
done

if ((${#missing_sid[@]})); then
  # sid at priority 100: below bookworm's 500, so apt takes nothing from it unless a package is
  # named with /sid, and every dependency still resolves from bookworm. The mirrors these
  # machines reach serve a dated snapshot, whose sid Release is past its Valid-Until.
  printf '%s\n' "Types: deb" "URIs: http://deb.debian.org/debian" "Suites: sid" \
    "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
    "Check-Valid-Until: no" |
    "${sudo_cmd[@]}" tee "$SID_SOURCES" >/dev/null
  printf '%s\n' "Package: *" "Pin: release n=sid" "Pin-Priority: 100" |
    "${sudo_cmd[@]}" tee "$SID_PIN" >/dev/null
fi

if ((${#missing[@]} + ${#missing_sid[@]})); then
  "${sudo_cmd[@]}" apt-get update -qq
fi
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  "${apt_install[@]}" "${missing[@]}"
fi
if ((${#missing_sid[@]})); then
  # Refuse rather than let sid replace a base package (libc6 and the like): only the named
  # packages may come from it.
  names=" ${sid_packages[*]%%=*} "
  others=$(apt-get -s install --no-install-recommends "${missing_sid[@]}" |
    awk '/^Inst / && /unstable/ {print $2}' | while read -r name; do
      [[ $names == *" $name "* ]] || echo "$name"
    done)
  if [[ -n $others ]]; then
    echo "installing ${missing_sid[*]} would also take from sid: $others; not installing" >&2
    exit 1
  fi
  echo "installing Debian packages from sid: ${missing_sid[*]}"
  "${apt_install[@]}" "${missing_sid[@]}"
fi

command -v uv >/dev/null || python3 -m pip install --quiet uv
