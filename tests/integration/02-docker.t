#!/usr/bin/env bash
# usher as the ENTRYPOINT of real containers: the grader's status comes back through
# usher in an image with busybox, and in one with nothing but a static program (no
# shell, no libc) to prove usher needs nothing from the image.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
docker_require

tap_ok "busybox test image builds offline" docker_image_busybox usher-test/busybox
tap_ok "scratch test image (only /probe) builds offline" docker_image_scratch usher-test/scratch "$top/build/probe"

docker_run_usher usher-test/busybox -- --no-wait -- /bin/sh -c 'exit 3' 2>/dev/null
tap_is "$?" 3 "busybox image: the grader's exit 3 comes back through usher"

docker_run_usher usher-test/scratch -- --no-wait -- /probe exit 3 2>/dev/null
tap_is "$?" 3 "scratch image (no shell, no libc): exit 3 comes back through usher"

docker_run_usher usher-test/scratch -- --no-wait -- probe exit 0 2>/dev/null
tap_is "$?" 127 "scratch image: a program not on PATH is 127"

out=$(docker_run_usher usher-test/scratch -- --bogus -- /probe exit 0 2>&1); rc=$?
tap_is "$rc" 125 "a usage error inside a container exits 125"
tap_like "$out" "^usher: unknown option --bogus" "... with one clear line"

out=$(docker_run_usher usher-test/busybox -w /home -- --no-wait -- /bin/sh -c 'pwd; echo "$0 $1"' a b 2>/dev/null)
tap_is "$out" "/home
a b" "the working directory and the grader's argv are kept"

# The distribution image: FROM scratch, only /usher/usher, built offline.
ctx=$(tap_tmpdir)
cp "$top/build/usher" "$ctx/usher"
DOCKER_BUILDKIT=0 docker build -q -t usher-test/dist -f "$top/Dockerfile" "$ctx" >/dev/null 2>&1
tap_is "$?" 0 "the distribution image (Dockerfile, FROM scratch) builds offline"
tap_like "$(docker run --rm --network none usher-test/dist --version 2>&1)" '^usher [0-9.]+$' "... and runs usher"
tap_is "$(docker image inspect -f '{{len .RootFS.Layers}}' usher-test/dist)" 1 "... one layer: the binary alone"

# make install honours PREFIX and DESTDIR.
dest=$(tap_tmpdir)
make -s -C "$top" install PREFIX=/opt/u DESTDIR="$dest" >/dev/null
tap_ok "make install PREFIX=/opt/u DESTDIR=...: binary and man page" \
	test -x "$dest/opt/u/bin/usher" -a -f "$dest/opt/u/share/man/man1/usher.1"

tap_done
