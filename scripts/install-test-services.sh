#!/usr/bin/env bash
# The programs the tests start for real: from Debian's packages redis-server (the Redis
# tracker store), postgresql (the PostgreSQL store) and chromium + chromedriver (the web chat
# page in a headless browser); from PyPI, Rasa's action server (rasa-sdk) in its own virtual
# environment .venv-sdk, as a Rasa project runs it beside the assistant.
# Best effort: where one cannot be installed, the tests that need it are skipped and say why.
set -u
SDK_VERSION=3.21.1
if [ ! -x .venv-sdk/bin/python ] || ! .venv-sdk/bin/python -c "import rasa_sdk" >/dev/null 2>&1; then
  if ! { "${PYTHON:-python3}" -m venv .venv-sdk && .venv-sdk/bin/python -m pip install --quiet \
        "rasa-sdk==$SDK_VERSION"; } >/dev/null 2>&1; then
    echo "note: could not install rasa-sdk==$SDK_VERSION in .venv-sdk; the action server tests will be skipped" >&2
  fi
fi
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
