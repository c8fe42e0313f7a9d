#!/bin/sh
# As the official image's: `redis-server ...` (or only its options) runs as the redis user, with
# protected mode off unless the command line sets it; any other command runs as given.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi
if [ "$1" = "redis-server" ]; then
    if [ "$(id -u)" = 0 ]; then
        find . \! -user redis -exec chown redis '{}' +
        exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
    fi
    shift
    config=""
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
        config="$1"
        shift
    fi
    # Options given later win: the command line's --protected-mode overrides this one.
    set -- redis-server ${config:+"$config"} --protected-mode no "$@"
fi
exec "$@"
