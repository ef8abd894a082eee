#!/usr/bin/env bash
# Git: the submission is a repository (.git included), made here with the host's git
# and delivered by the sidecar; the grader reads its history with git. The repository
# arrives owned by whoever usher makes its owner, not by the grader's uid: git must
# still agree to read it. The wrong one is delivered before usher starts (--no-wait,
# as a Kubernetes init container would).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/docker.sh"
. "$here/../lib/result.sh"
. "$here/lib.sh"

# A learner's repository, deterministic: fixed names and dates, no host configuration.
commit() { # DIR MESSAGE
	git -C "$1" add -A &&
		git -C "$1" -c user.name=Learner -c user.email=learner@example.com commit -qm "$2"
}
make_repos() {
	local d=$1
	export GIT_CONFIG_NOSYSTEM=1 HOME=$d GIT_AUTHOR_DATE=2024-03-01T10:00:00Z GIT_COMMITTER_DATE=2024-03-01T10:00:00Z
	mkdir -p "$d/good" "$d/wrong"
	git init -q -b main "$d/good"
	echo '# Greeter' >"$d/good/README.md"
	commit "$d/good" "Add a README"
	echo 'print("Hello")' >"$d/good/hello.py"
	commit "$d/good" "Add hello.py"
	git -C "$d/good" checkout -q -b feature/greeting
	echo 'print("Hello, world!")' >"$d/good/hello.py"
	commit "$d/good" "Greet the whole world"
	git -C "$d/good" checkout -q main
	git -C "$d/good" -c user.name=Learner -c user.email=learner@example.com \
		merge -q --no-ff -m "Merge feature/greeting" feature/greeting
	git init -q -b main "$d/wrong"
	echo 'print("Hello, world!")' >"$d/wrong/hello.py"
	commit "$d/wrong" "first"
	echo '# Greeter' >"$d/wrong/README.md"
	commit "$d/wrong" "fixed stuff, added the readme and also changed a few other things"
}

graders_setup
grader_image git || { tap_done; exit 1; }
repos=$(tap_tmpdir)
out=$( (make_repos "$repos") 2>&1) || { tap_fail "the learners' repositories are made" "$out"; tap_done; exit 1; }
grader_expect git "$repos/good" 1.0
grader_expect git "$repos/wrong" 0.25 --no-wait
tap_done
