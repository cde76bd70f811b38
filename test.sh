#!/usr/bin/env bash
# Runs every test against real services: DynamoDB Local and a throwaway PostgreSQL cluster that the
# test fixtures start themselves. Installs what the tests need from the machine's registries first.
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet test --solution Cruddur.slnx "$@"
