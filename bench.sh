#!/usr/bin/env bash
# Runs the end-to-end benchmark: starts DynamoDB Local (default JVM) and PostgreSQL, seeds, starts the web app as its
# own process and measures patterns A–E beside raw DynamoDB, with wrk as the reference HTTP client for both and the
# C# load generator for in-process cost, capacity and stream lag. Results: a markdown table on stdout, JSON in bench/out/.
# ./bench.sh --quick is a smoke run of every step; ./bench.sh --help lists the options.
set -euo pipefail
cd "$(dirname "$0")"

# wrk (Debian package) is the cheapest load client here; install it when missing, as root, like test.sh does chromium.
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bench.sh: installing wrk (Debian package)" >&2
    apt-get update -qq >&2 && apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk >&2
  else
    echo "bench.sh: wrk is not installed and this is not root: the run uses the C# load generator only" >&2
  fi
fi

# The app runs as it ships: published ReadyToRun for linux-x64 (as the container image is), unless --web-dll names one.
if [[ " $* " != *" --web-dll "* && " $* " != *" --help "* ]]; then
  echo "bench.sh: publishing the web app (Release, ReadyToRun) to bench/out/web" >&2
  dotnet publish src/Cruddur.Web -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o bench/out/web -v quiet -nologo >&2
  set -- --web-dll bench/out/web/Cruddur.Web.dll "$@"
fi

exec dotnet run -c Release --project bench/Cruddur.Bench -- "$@"
