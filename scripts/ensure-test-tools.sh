#!/usr/bin/env bash
# Four Debian packages the e2e suite drives as real programs:
# - chromium: the console and Swagger UI browser tests (test/e2e/*-browser.e2e-spec.ts);
# - docker-compose: `docker-compose config` parses docker-compose.yml as a deployment would
#   (test/e2e/deployment-files.e2e-spec.ts; no Docker engine is needed). A `docker compose`
#   plugin that is already installed does as well;
# - haproxy: the proxy of deploy/haproxy.cfg in front of three servers restarted one at a time
#   (test/e2e/rolling-restart.e2e-spec.ts; HAPROXY_PATH names another binary);
# - redis-server: without TEST_REDIS_URL, the tests of several instances start a private one
#   (test/utils/test-redis.ts).
# Installs what is missing when we may (root with apt-get); otherwise says how, and fails.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
[ -x "${HAPROXY_PATH:-/usr/sbin/haproxy}" ] || missing+=(haproxy)
[ -n "${TEST_REDIS_URL:-}" ] || command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if ! docker compose version >/dev/null 2>&1 && ! docker-compose version >/dev/null 2>&1; then
  missing+=(docker-compose)
fi
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "missing for the e2e tests: ${missing[*]}; installing Debian's packages (a few minutes, once)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "The e2e tests need ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}' (or set CHROMIUM_PATH to a chromium)" >&2
exit 1
