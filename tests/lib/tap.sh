# tests/lib/tap.sh - a small TAP producer for bash tests, sourced by tests/integration/*.t.
#
#   tap_ok DESC CMD...        ok when CMD exits 0
#   tap_is GOT WANT DESC      ok when the strings are equal
#   tap_like GOT REGEX DESC   ok when GOT matches the extended regex
#   tap_fail DESC [DIAG]      a failure (for checks done by hand)
#   tap_pass DESC             a success (the pair of tap_fail)
#   tap_skip REASON DESC      a skipped test
#   tap_todo REASON           the checks that follow are a known bug (TAP "# TODO"): a
#                             failure is reported but does not fail the script, a pass
#                             shows up in prove's summary ("TODO passed"); tap_todo ""
#                             ends the block
#   tap_diag MSG              a # comment
#   tap_tmpdir                prints a new temporary directory, removed at exit
#   tap_cleanup CMD           run CMD at exit (in reverse order of registration)
#   tap_done                  prints the plan; the script's exit status says if all passed
# Output is plain TAP: `prove` reads it.

# A signal ignored by whatever started the test (nohup ignores SIGHUP; some CI runners
# others) stays ignored across exec, in usher and in its grader, which then survives a
# signal the test expects to kill it; bash cannot undo it (a non-interactive shell keeps
# what it was started with). So each test starts again once with every action default.
if [ -z "${_TAP_SIGDFL:-}" ] && grep -q '^SigIgn:.*[1-9a-f]' /proc/self/status 2>/dev/null; then
	exec env --default-signal _TAP_SIGDFL=1 bash "${BASH_SOURCE[1]}" "$@"
fi

_tap_n=0
_tap_failed=0
_tap_todo=""
_tap_cleanups=()

_tap_exit() {
	local rc=$? i
	for ((i = ${#_tap_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_tap_cleanups[i]}" >/dev/null 2>&1 || true
	done
	[ "$_tap_failed" = 0 ] || rc=1
	exit "$rc"
}
trap _tap_exit EXIT

tap_cleanup() { _tap_cleanups+=("$*"); }

tap_diag() { printf '# %s\n' "$@" | sed '2,$s/^/# /'; }

tap_todo() { _tap_todo=$1; }

tap_pass() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s%s\n' "$_tap_n" "$1" "${_tap_todo:+ # TODO $_tap_todo}"
}

tap_fail() {
	_tap_n=$((_tap_n + 1))
	[ -n "$_tap_todo" ] || _tap_failed=$((_tap_failed + 1))
	printf 'not ok %d - %s%s\n' "$_tap_n" "$1" "${_tap_todo:+ # TODO $_tap_todo}"
	[ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/#   /'
	# Also on stderr, which a non-verbose prove (make check, CI) shows and comments are
	# not: a failure seen once on a loaded CI machine must say what it got.
	[ $# -lt 2 ] || [ -n "$_tap_todo" ] || printf '%s\n' "not ok $_tap_n: $1" "$2" | sed 's/^/#   /' >&2
}

tap_ok() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_pass "$desc"
	else
		tap_fail "$desc" "command failed ($?): $* ${out:+
$out}"
	fi
}

tap_is() {
	if [ "$1" = "$2" ]; then
		tap_pass "$3"
	else
		tap_fail "$3" "got:  '$1'
want: '$2'"
	fi
}

tap_like() {
	if [[ $1 =~ $2 ]]; then
		tap_pass "$3"
	else
		tap_fail "$3" "got:  '$1'
want match of: $2"
	fi
}

tap_skip() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$2" "$1"
}

# valgrind_limit REASON DESC...: under `make valgrind` ($VALGRIND set by
# tests/run-valgrind), skips one check per DESC that meets a limit of valgrind itself,
# not of usher, and returns 0; otherwise returns 1, so: valgrind_limit ... || check.
valgrind_limit() {
	[ -n "${VALGRIND:-}" ] || return 1
	local why=$1 d
	shift
	for d in "$@"; do tap_skip "valgrind: $why" "$d"; done
}

# What the tests run: this checkout's build, or $USHER (make valgrind's wrapper).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
usher=${USHER:-$top/build/usher}
probe=$top/build/probe

# One root per test script, made at source time so that tap_tmpdir works inside $(...)
# (a cleanup registered in a subshell would be lost). 0755: graders running as nobody
# must be able to reach what tests put there.
_tap_root=$(mktemp -d "${TMPDIR:-/tmp}/usher-test.XXXXXX")
chmod 755 "$_tap_root"
tap_cleanup "rm -rf '$_tap_root'"

tap_tmpdir() {
	local d
	d=$(mktemp -d "$_tap_root/t.XXXXXX") || return 1
	chmod 755 "$d"
	printf '%s\n' "$d"
}

tap_done() { printf '1..%d\n' "$_tap_n"; }
