#!/usr/bin/env bash
# The Debian packages the tests start real programs from: redis-server (the Redis tracker
# store), postgresql (the PostgreSQL store) and chromium + chromedriver (the web chat page
# in a headless browser).
# Best effort: without root or apt-get, the tests that need them are skipped and say why.
set -u
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1; then
    exit 0
  fi
fi
echo "note: could not install ${need[*]}; the tests that need them will be skipped" >&2
exit 0
