#!/usr/bin/env bash
# --network loopback, the default (issue 15.3), on the host, in a network namespace
# that has a second interface: a veth pair to another namespace where a server listens.
# Both halves: what graders do on loopback works (a wildcard bind on port 0, IPv4 and
# IPv6, UDP, a non-blocking connect), and nothing reaches the other namespace: a TCP
# connect fails and not one packet leaves through the veth. Controls: --network all
# reaches the server through the same interface; --network none refuses the sockets.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/result.sh"
tmp=$(tap_tmpdir)
chk=$top/tests/lib/netcheck.py

command -v ip >/dev/null || { echo "1..0 # SKIP iproute2 (ip) is not installed"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root for network namespaces"; exit 0; }
a=usher-net-a$$ b=usher-net-b$$
cleanup() { ip netns del "$a" 2>/dev/null; ip netns del "$b" 2>/dev/null; }
tap_cleanup cleanup
ip netns add "$a" && ip netns add "$b" && ip link add "va$$" type veth peer name "vb$$" &&
	ip link set "va$$" netns "$a" && ip link set "vb$$" netns "$b" || {
	tap_fail "network namespaces with a veth pair"; tap_done; exit 1; }
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
# IPv4 only on the veth: IPv6's own chatter (router solicitations, MLD) would count.
ip netns exec "$a" sysctl -qw "net.ipv6.conf.va$$.disable_ipv6=1"
ip -n "$a" addr add 10.99.0.1/24 dev "va$$" && ip -n "$a" link set "va$$" up
ip -n "$b" addr add 10.99.0.2/24 dev "vb$$" && ip -n "$b" link set "vb$$" up
ip netns exec "$b" /bin/busybox nc -ll -p 9 -e /bin/echo reached-outside >/dev/null 2>&1 &
tap_cleanup "kill $! 2>/dev/null"
# The link settles (and IPv6 duplicate address detection on lo ends) before counting.
for _ in $(seq 50); do ip netns exec "$a" /bin/busybox nc -w 1 10.99.0.2 9 </dev/null 2>/dev/null |
	grep -q reached && break; sleep 0.1; done
tx() { ip netns exec "$a" cat "/sys/class/net/va$$/statistics/tx_packets"; }
grader() { # USHER-ARGS...: netcheck.py as the grader, in namespace a
	ip netns exec "$a" "$usher" -q --no-wait --writable "$tmp" --result "$tmp/r.json" "$@" -- \
		/usr/bin/python3 "$chk" 10.99.0.2 2>"$tmp/err"
}

before=$(tx)
out=$(grader)
sent=$(( $(tx) - before ))
for t in tcp4-loopback tcp6-loopback udp4-loopback raw-refused outside; do
	tap_like "$(printf '%s\n' "$out" | grep "^$t:")" "^$t: OK" "loopback (default): $t"
done
tap_is "$sent" 0 "loopback (default): not one packet left through the other interface"
[ "$sent" = 0 ] || tap_diag "$out"
tap_is "$(result_field "$tmp/r.json" '.lockdown.network + " " + (.lockdown.notify | tostring)')" "loopback true" \
	"... the result says network loopback, through PID 1"
tap_like "$(result_field "$tmp/r.json" '.denied | map(.syscall + " " + .detail) | join(",")')" "socket AF_INET type 3" \
	"... and names the refused raw socket"
result_valid "$tmp/r.json" "... schema-valid"

before=$(tx)
out=$(grader --network all)
tap_like "$(printf '%s\n' "$out" | grep '^outside:')" "^outside: FAILED connected" \
	"control, --network all: the same connect reaches the other namespace"
tap_ok "... through the other interface" test $(( $(tx) - before )) -gt 0

out=$(grader --network none)
tap_like "$(printf '%s\n' "$out" | grep '^tcp4-loopback:')" "FAILED EPERM" "--network none: no socket at all (EPERM)"
tap_is "$(result_field "$tmp/r.json" '.lockdown.network')" none "... the result says none"
tap_like "$(result_field "$tmp/r.json" '[.denied[] | select(.syscall == "socket")] | length')" "^[1-9]" \
	"... and counts the refused sockets"

# Refused calls go through PID 1 too: a grader that makes them in a loop only slows
# itself; PID 1 answers in bounded batches, so the deadline and the result still hold.
start=$(date +%s%N)
"$usher" -q --no-wait --writable "$tmp" --timeout 1 --kill-after 0.5 --result "$tmp/loop.json" -- /usr/bin/python3 -c \
	'import ctypes; libc = ctypes.CDLL(None)
while True: libc.syscall(250, 0, -3, 0)  # keyctl: refused'
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
tap_is "$rc" 124 "a grader looping on a refused call still hits --timeout (124)"
tap_ok "... within 4 s (took $took ms)" test "$took" -lt 4000
tap_like "$(result_field "$tmp/loop.json" '.denied[] | select(.syscall == "keyctl") | .count')" "^[0-9]{3,}$" \
	"... and the result counts the refusals: keyctl x $(result_field "$tmp/loop.json" '.denied[] | select(.syscall == "keyctl") | .count')"

# --exec has no supervisor to make loopback sockets: no network, and the result says so.
ip netns exec "$a" "$usher" -q --exec --no-wait --writable "$tmp" --result "$tmp/x.json" -- \
	/usr/bin/python3 "$chk" 10.99.0.2 >"$tmp/xout" 2>/dev/null
tap_like "$(grep '^tcp4-loopback:' "$tmp/xout")" "FAILED EPERM" "--exec: no supervisor, no loopback sockets"
tap_is "$("$usher" -q --exec --no-wait --result "$tmp/x2.json" --require loopback -- /bin/true 2>&1; echo "rc=$?")" \
	"usher: --require loopback: --exec: no supervisor to make loopback sockets: the grader gets no network at all: Operation not permitted
rc=125" "--exec --require loopback: exit 125, saying why"

tap_done
