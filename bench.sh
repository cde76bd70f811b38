#!/usr/bin/env bash
# Runs the end-to-end benchmark: starts DynamoDB Local (default JVM) and PostgreSQL, seeds, starts the web app as its
# own process and measures patterns A–E beside raw DynamoDB. Results: a markdown table on stdout, JSON in bench/out/.
# ./bench.sh --quick is a smoke run of every step; ./bench.sh --help lists the options.
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet run -c Release --project bench/Cruddur.Bench -- "$@"
