#!/usr/bin/env bash
# The test command: ./test.sh [extra dotnet test arguments]
# Installs what the tests need when it can (as root on Debian/Ubuntu: Chromium, PostgreSQL server binaries, CJK fonts),
# otherwise says exactly what to install and exits 2; starts a throwaway PostgreSQL cluster unless PORTAL_TEST_POSTGRES
# names a server; then runs `dotnet test Portal.sln`. Exits with dotnet test's status.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is missing: https://dotnet.microsoft.com/download (or apt-get install dotnet-sdk-10.0)" >&2
  exit 2
fi

# 1. System packages: Chromium for the browser tests, CJK fonts for their pages, PostgreSQL server binaries.
need=()
chromium=${PORTAL_E2E_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ -z "${PORTAL_TEST_POSTGRES:-}" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fi
fc-list 2>/dev/null | grep -i -E "wqy|noto sans cjk" >/dev/null || need+=(fontconfig fonts-wqy-microhei fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    aptlog=$(mktemp /tmp/portal-test-apt.XXXXXX.log)
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$aptlog" 2>&1; then
      echo "test.sh: apt-get install ${need[*]} failed:" >&2
      tail -20 "$aptlog" >&2
      exit 2
    fi
  else
    echo "test.sh: missing ${need[*]}. Install them first, e.g. on Debian/Ubuntu:" >&2
    echo "  sudo apt-get install --no-install-recommends ${need[*]}" >&2
    echo "(or set PORTAL_E2E_CHROMIUM to a Chromium binary and PORTAL_TEST_POSTGRES to a server where the tests may create databases)" >&2
    exit 2
  fi
fi

# 2. A throwaway PostgreSQL cluster shared by every test class (initdb refuses root: it runs as postgres then).
if [ -z "${PORTAL_TEST_POSTGRES:-}" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pgdir=$(mktemp -d /tmp/portal-test-pg.XXXXXX)
  as_pg=()
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$pgdir"; as_pg=(runuser -u postgres --); fi
  pgport=54329
  while (echo >/dev/tcp/127.0.0.1/$pgport) >/dev/null 2>&1; do pgport=$((pgport + 1)); done
  "${as_pg[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$pgdir/initdb.log" 2>&1 \
    || { echo "test.sh: initdb failed:" >&2; cat "$pgdir/initdb.log" >&2; exit 2; }
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
    -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000" start >/dev/null \
    || { echo "test.sh: PostgreSQL did not start:" >&2; cat "$pgdir/server.log" >&2; exit 2; }
  trap '"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
  export PORTAL_TEST_POSTGRES="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres"
fi

# 3. The tests.
dotnet test Portal.sln "$@"
