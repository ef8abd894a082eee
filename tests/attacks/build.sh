#!/bin/sh
# tests/attacks/build.sh OUTDIR - build the static probe placed in test containers.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
musl-gcc -static -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -pthread \
	-isystem "$out/deps/kinclude" -o "$out/probe" "$here"/probe*.c
