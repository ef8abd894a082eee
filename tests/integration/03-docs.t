#!/usr/bin/env bash
# The docs follow the code (tests/docs/check.py): every option of the table
# (src/config_opts.c) in --help with its USHER_ twin, in README.md and usher(1), with the
# default the binary really uses (--dry-run) and a twin the binary really reads; every
# exit status (include/usher.h), result status and result field (src/report_json.c) in
# README.md, usher(1) and docs/result.schema.json; nothing documented that is not there.
# (error.step names: tests/unit/test_report.c.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
# Debian's python3 has python3-jsonschema; a pyenv python3 on PATH may not.
exec /usr/bin/python3 "$top/tests/docs/check.py" "$top/build/usher"
