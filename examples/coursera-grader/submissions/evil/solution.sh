# A submission that misbehaves. Every attempt below must fail under usher.
echo "-- the credentials of PID 1:"
tr '\0' '\n' </proc/1/environ 2>&1 | grep AWS || echo "   none readable"
echo "-- the credentials in my environment:"
env | grep -E '^(AWS|USHER|ECS)_' || echo "   none"
echo "-- a network socket:"
/usher/probe socket-inet
echo "-- a fork bomb of 5000 processes:"
/usher/probe forkbomb 5000
echo "-- overwrite my own submission:"
echo 'echo "hello, world"' 2>&1 >>/shared/submission/solution.sh || true
echo "-- ptrace PID 1 / unshare a user namespace:"
/usher/probe ptrace-attach; /usher/probe unshare-user
echo "hello, world? no: I only cheat"
