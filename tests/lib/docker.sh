# tests/lib/docker.sh - a Docker engine and offline test images for container tests.
# Sourced after tests/lib/tap.sh.
#
#   docker_up                     reuse a reachable engine or start a private one;
#                                 non-zero (with a reason on stderr) when impossible
#   docker_image_busybox NAME     busybox-static rootfs (sh, users root/nobody/grader)
#   docker_image_scratch NAME FILE...   FROM scratch with the given static files in /
#   docker_run_usher IMAGE [RUN-ARGS...] -- [USHER-ARGS...]
#                                 docker run --rm --network none with usher as entrypoint
#
# The private engine: `dockerd --bridge=none --iptables=false`, data, exec root and
# socket under /tmp/usher-docker. It is shared by concurrent test scripts (a lock
# serialises the start) and stopped at exit only by the script that started it, unless
# USHER_KEEP_DOCKER=1. No image is ever pulled: everything is built offline.

USHER_DOCKER_DIR=${USHER_DOCKER_DIR:-/tmp/usher-docker}
_docker_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
_docker_prefix="usher-test-$$"

_docker_reachable() { timeout 10 docker info >/dev/null 2>&1; }

_docker_stop_private() {
	local pid
	pid=$(cat "$USHER_DOCKER_DIR/dockerd.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
}

_docker_cleanup_containers() {
	local ids
	ids=$(docker ps -aq --filter "name=^$_docker_prefix" 2>/dev/null) || return 0
	[ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
}

docker_up() {
	if ! command -v docker >/dev/null || ! command -v dockerd >/dev/null; then
		echo "docker.io is not installed (scripts/bootstrap test installs it)" >&2
		return 1
	fi
	if [ -z "${DOCKER_HOST:-}" ] && _docker_reachable; then
		tap_cleanup _docker_cleanup_containers
		return 0
	fi
	export DOCKER_HOST="unix://$USHER_DOCKER_DIR/docker.sock"
	mkdir -p "$USHER_DOCKER_DIR"
	exec 9>"$USHER_DOCKER_DIR/lock"
	flock 9
	if ! _docker_reachable; then
		echo "# starting a private Docker engine ($DOCKER_HOST)" >&2
		dockerd --bridge=none --iptables=false --ip6tables=false \
			--data-root "$USHER_DOCKER_DIR/data" --exec-root "$USHER_DOCKER_DIR/exec" \
			--pidfile "$USHER_DOCKER_DIR/dockerd.pid" -H "$DOCKER_HOST" \
			>"$USHER_DOCKER_DIR/dockerd.log" 2>&1 &
		local i
		for i in $(seq 300); do _docker_reachable && break; sleep 0.1; done
		if ! _docker_reachable; then
			flock -u 9
			echo "dockerd did not start within 30 s; last lines of $USHER_DOCKER_DIR/dockerd.log:" >&2
			tail -n 20 "$USHER_DOCKER_DIR/dockerd.log" >&2
			return 1
		fi
		[ "${USHER_KEEP_DOCKER:-0}" = 1 ] || tap_cleanup _docker_stop_private
	fi
	flock -u 9
	tap_cleanup _docker_cleanup_containers
	return 0
}

# docker_up, or skip the whole script; under CI a missing engine is a failure.
# The start of every container test: an engine (or skip, or fail under CI=true), the
# busybox image, and $bin: usher and the probe, to mount at /usher.
docker_setup() {
	docker_require
	docker_image_busybox usher-test/busybox || { tap_fail "busybox image"; tap_done; exit 1; }
	bin=$(docker_usher_dir)
}

docker_require() {
	local why errf
	errf=$(mktemp)
	# Not in $(...): docker_up exports DOCKER_HOST and registers cleanups in this shell.
	docker_up 2>"$errf"
	local rc=$?
	why=$(cat "$errf")
	rm -f "$errf"
	if [ "$rc" != 0 ]; then
		if [ "${CI:-}" = true ]; then
			tap_fail "a Docker engine is available" "$why"
			tap_done
			exit 1
		fi
		echo "1..0 # SKIP no Docker engine: $why"
		exit 0
	fi
}

# Build NAME only when its inputs changed: the hash of the inputs is a label.
_docker_have() { # NAME HASH
	[ "$(docker image inspect -f '{{ index .Config.Labels "usher.hash" }}' "$1" 2>/dev/null)" = "$2" ]
}

docker_image_busybox() {
	local name=$1 bb hash root
	bb=$(command -v busybox) || { echo "busybox-static is not installed" >&2; return 1; }
	hash=$( (sha256sum "$bb"; echo v2) | sha256sum | cut -c1-16)
	_docker_have "$name" "$hash" && return 0
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,etc,tmp,var/tmp,shared,usher,home/grader,root,proc,dev,sys}
	chmod 1777 "$root/tmp" "$root/var/tmp"
	cp "$bb" "$root/bin/busybox"
	local a
	for a in $("$bb" --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
	cat >"$root/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		grader:x:1000:1000:grader:/home/grader:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$root/etc/group" <<-'EOF'
		root:x:0:
		grader:x:1000:
		nogroup:x:65534:
	EOF
	chown 1000:1000 "$root/home/grader"
	tar -C "$root" -c . | docker import -c "LABEL usher.hash=$hash" -c 'ENV PATH=/bin' - "$name" >/dev/null
	local rc=$?
	rm -rf "$root"
	return $rc
}

docker_image_scratch() {
	local name=$1 ctx hash f
	shift
	hash=$(sha256sum "$@" | sha256sum | cut -c1-16)
	_docker_have "$name" "$hash" && return 0
	ctx=$(mktemp -d)
	{
		echo "FROM scratch"
		echo "LABEL usher.hash=$hash"
		for f in "$@"; do
			cp "$f" "$ctx/"
			echo "COPY $(basename "$f") /$(basename "$f")"
		done
	} >"$ctx/Dockerfile"
	DOCKER_BUILDKIT=0 docker build -q -t "$name" "$ctx" >/dev/null
	local rc=$?
	rm -rf "$ctx"
	return $rc
}

# A directory holding only the static binary, mounted read-only at /usher.
docker_usher_dir() {
	if [ -z "${_docker_usher_dir:-}" ]; then
		_docker_usher_dir=$(tap_tmpdir)
		cp "${USHER:-$_docker_top/build/usher}" "$_docker_usher_dir/usher"
		[ ! -x "$_docker_top/build/probe" ] || cp "$_docker_top/build/probe" "$_docker_usher_dir/probe"
	fi
	printf '%s\n' "$_docker_usher_dir"
}

# A unique container name, removed at exit if still there.
docker_name() { printf '%s-%s\n' "$_docker_prefix" "${1:-c}$RANDOM"; }

docker_run_usher() {
	local image=$1 run=() dir
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do run+=("$1"); shift; done
	[ $# -eq 0 ] || shift
	[ -n "${_docker_usher_dir:-}" ] || docker_usher_dir >/dev/null
	docker run --rm --network none --name "$(docker_name run)" --entrypoint /usher/usher \
		-v "$_docker_usher_dir:/usher:ro" "${run[@]}" "$image" "$@"
}

# docker_image_debian NAME PACKAGE...: a Debian 12 image with PACKAGE... installed, made
# offline from the Docker engine's point of view: debootstrap (minbase) from the
# machine's own Debian mirror into a folder, apt-get install in a chroot there, then
# `docker import`. No registry is ever contacted. The minbase tarball is cached in
# $USHER_IMAGE_CACHE (default /var/cache/usher-images) and each image is rebuilt only
# when its package list or this function changes (a label holds the hash).
USHER_IMAGE_CACHE=${USHER_IMAGE_CACHE:-/var/cache/usher-images}
docker_image_debian() {
	local name=$1 hash root base rc mirror
	shift
	hash=$( (echo "debian-v1 $*"; declare -f docker_image_debian) | sha256sum | cut -c1-16)
	_docker_have "$name" "$hash" && return 0
	command -v debootstrap >/dev/null || { echo "debootstrap is not installed (scripts/bootstrap test)" >&2; return 1; }
	mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) .*/\1/p' \
		/etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -n 1)
	mirror=${mirror:-http://deb.debian.org/debian}
	mkdir -p "$USHER_IMAGE_CACHE"
	base=$USHER_IMAGE_CACHE/bookworm-minbase.tar
	(
		exec 8>"$USHER_IMAGE_CACHE/lock"
		flock 8
		if [ ! -s "$base" ]; then
			echo "# debootstrap bookworm (minbase) from $mirror into the image cache" >&2
			local tmp
			tmp=$(mktemp -d)
			debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$USHER_IMAGE_CACHE/debootstrap.log" 2>&1 ||
				{ tail -n 20 "$USHER_IMAGE_CACHE/debootstrap.log" >&2; rm -rf "$tmp"; exit 1; }
			tar -C "$tmp" -cf "$base.tmp" . && mv "$base.tmp" "$base"
			rm -rf "$tmp"
		fi
	) || return 1
	root=$(mktemp -d)
	tar -C "$root" -xf "$base" || { rm -rf "$root"; return 1; }
	if [ $# -gt 0 ]; then
		echo "# building $name: apt-get install $*" >&2
		cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		mount --bind /proc "$root/proc" 2>/dev/null || true
		chroot "$root" env DEBIAN_FRONTEND=noninteractive sh -c \
			"apt-get update -qq && apt-get install -y -qq --no-install-recommends $* && apt-get clean" \
			>"$root.log" 2>&1
		rc=$?
		umount "$root/proc" 2>/dev/null || true
		if [ $rc != 0 ]; then
			tail -n 20 "$root.log" >&2
			rm -rf "$root" "$root.log"
			return 1
		fi
		rm -f "$root.log"
	fi
	mkdir -p "$root/shared" "$root/usher"
	tar -C "$root" -c . | docker import -c "LABEL usher.hash=$hash" \
		-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$name" >/dev/null
	rc=$?
	rm -rf "$root"
	return $rc
}
