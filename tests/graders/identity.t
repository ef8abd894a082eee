#!/usr/bin/env bash
# The grader's identity of its own (--user auto, issue 12.6): everything that depends on
# the uid follows it, as tools really look it up. Python's getpass and pwd, Java's
# user.name and user.home, git (which asks for a passwd entry and a writable HOME),
# `id -un`, a private HOME with its XDG directories, the feedback file's owner. With a
# read-only root filesystem (no passwd entry can be added) the environment still says
# who the grader is.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
docker_setup
tmp=$(tap_tmpdir)

run() { # IMAGE DOCKER-ARGS... -- COMMAND (sh -c)
	local image=$1 args=()
	shift
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	rm -rf "$tmp/shared" && mkdir -p "$tmp/shared"
	docker run --rm --network none --entrypoint /usher/usher -v "$bin:/usher:ro" -v "$tmp/shared:/shared" \
		"${args[@]}" "$image" -q --no-wait --result /shared/result.json -- /bin/sh -c "$1" 2>&1
}

out=$(run usher-graders/script -- '
python3 -c "import getpass, os, pwd; e = pwd.getpwuid(os.getuid())
print(\"getpass\", getpass.getuser()); print(\"pwd\", e.pw_name, e.pw_dir); print(\"home\", os.environ[\"HOME\"])"
echo "id $(id -un) $(id -u)"
echo "mode $(stat -c %a "$HOME") $(stat -c %U "$HOME")"
mkdir -p "$XDG_CACHE_HOME/x" && echo "xdg-cache ok"
cd "$HOME" && git init -q r && cd r && git -c user.email=g@example.com commit -q --allow-empty -m x && echo "git $(git log --format=%an)"
echo hi > /shared/feedback.json && echo "feedback $(stat -c %U /shared/feedback.json)"')
uid=$(result_field "$tmp/shared/result.json" '.lockdown.uid')
tap_like "$uid" '^(1[89][0-9]{8}|2[01][0-9]{8})$' "the grader ran as a uid of its own ($uid)"
name=usher-$uid
tap_like "$out" "getpass $name" "Python getpass.getuser(): $name"
tap_like "$out" "pwd $name /tmp/usher-home-$uid" "Python pwd.getpwuid: the entry usher added, with the grader's HOME"
tap_like "$out" "home /tmp/usher-home-$uid" "HOME is a directory of the grader's own"
tap_like "$out" "id $name $uid" "id -un agrees"
tap_like "$out" "mode 700 $name" "HOME is private: mode 700, the grader's"
tap_like "$out" "xdg-cache ok" "XDG_CACHE_HOME is writable"
tap_like "$out" "git usher grader" "git commits as the grader (its name from the passwd entry usher added)"
tap_like "$out" "feedback $name" "the feedback file is the grader's"

out=$(run usher-graders/native -- 'java -XshowSettings:properties -version 2>&1 | grep -E "user\.(name|home) ="')
uid=$(result_field "$tmp/shared/result.json" '.lockdown.uid')
tap_like "$out" "user.name = usher-$uid" "Java user.name: usher-$uid"
tap_like "$out" "user.home = /tmp/usher-home-$uid" "Java user.home: the grader's HOME"

# Read-only root filesystem (ECS readonlyRootFilesystem): no entry can be added, the
# environment still names the grader, and tools that read it work.
out=$(run usher-graders/script --read-only --tmpfs /tmp -- '
python3 -c "import getpass; print(\"getpass\", getpass.getuser())"
echo "home $HOME user $USER"; touch "$HOME/x" && echo "home-writable"')
uid=$(result_field "$tmp/shared/result.json" '.lockdown.uid')
tap_like "$out" "getpass usher-$uid" "read-only root: getpass still names the grader (USER, LOGNAME)"
tap_like "$out" "home /tmp/usher-home-$uid user usher-$uid" "... HOME and USER set"
tap_like "$out" "home-writable" "... and HOME writable"

tap_done
