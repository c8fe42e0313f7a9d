#!/bin/sh
# Usage: render-config.sh TEMPLATE OUTPUT [COMMAND [ARG...]]
# Writes alertmanager.yml with the webhook URLs taken from the environment, because
# Alertmanager reads no setting from the environment, then runs COMMAND if given (compose's
# entrypoint: render, then exec Alertmanager). The native stack renders with the same script.
set -eu
: "${ALERT_WEBHOOK_URL:?must be set: where Alertmanager sends critical and warning alerts}"
: "${WATCHDOG_WEBHOOK_URL:?must be set: the dead man switch that receives the Watchdog}"

# In a sed replacement, backslash, ampersand and the | delimiter have a meaning: escape them.
escape() { printf '%s\n' "$1" | sed 's/[\\&|]/\\&/g'; }

# shellcheck disable=SC2016  # the placeholders are literal text, not expansions
sed -e 's|${ALERT_WEBHOOK_URL}|'"$(escape "$ALERT_WEBHOOK_URL")"'|g' \
    -e 's|${WATCHDOG_WEBHOOK_URL}|'"$(escape "$WATCHDOG_WEBHOOK_URL")"'|g' \
    "$1" > "$2"

shift 2
if [ "$#" -gt 0 ]; then
    exec "$@"
fi
