# tests/platforms/lib.sh - the common start of the platform tests (52-ecs-task.t,
# 53-kubernetes-job.t), sourced after tests/lib/{tap,docker}.sh.
#
#   platforms_setup          Docker, the npm packages, and the images the examples name:
#                            usher's distribution image (the Dockerfile, as is), the demo
#                            grader (examples/coursera-grader) and the fetcher (Debian
#                            with the packages of examples/fetcher/Dockerfile's RUN line)
#   zip_of DIR ZIP           a submission as the platform stores it
#   zip_with_symlink ZIP T   a submission whose solution.sh is a symlink to T
#   taskrun ARGS...          tests/platforms/taskrun with the image map and the buckets
platforms=$top/tests/platforms
pimg=usher-platforms

platforms_setup() {
	docker_setup
	if [ ! -d "$platforms/node_modules/s3rver" ]; then
		tap_fail "npm packages of tests/platforms are installed" "run: scripts/bootstrap test"
		tap_done
		exit 1
	fi
	local ctx pkgs
	ctx=$(tap_tmpdir)
	cp "$usher" "$ctx/usher"
	DOCKER_BUILDKIT=0 docker build -q -t $pimg/usher -f "$top/Dockerfile" "$ctx" >/dev/null 2>&1 ||
		{ tap_fail "build usher's distribution image"; tap_done; exit 1; }
	DOCKER_BUILDKIT=0 docker build -q --build-arg BASE=usher-test/busybox -t $pimg/grader \
		"$top/examples/coursera-grader" >/dev/null 2>&1 || { tap_fail "build the demo grader image"; tap_done; exit 1; }
	pkgs=$(sed -n 's/.*apt-get install -y --no-install-recommends \([a-z0-9. -]*\).*/\1/p' "$top/examples/fetcher/Dockerfile")
	# shellcheck disable=SC2086
	docker_image_debian $pimg/fetcher $pkgs || { tap_fail "build the fetcher image ($pkgs)"; tap_done; exit 1; }
}

zip_of() { (cd "$1" && /usr/bin/python3 -c 'import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for root, _, files in os.walk("."):
        for f in files:
            z.write(os.path.join(root, f))' "$2"); }

zip_with_symlink() { /usr/bin/python3 -c 'import sys, zipfile
i = zipfile.ZipInfo("solution.sh")
i.create_system = 3
i.external_attr = 0o120777 << 16
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr(i, sys.argv[2])' "$1" "$2"; }

taskrun() {
	local platform=$1 spec=$2 reg
	shift 2
	case $platform in
	ecs) reg=123456789012.dkr.ecr.us-east-1.amazonaws.com ;;
	k8s) reg=registry.example.com ;;
	esac
	"$platforms/taskrun" "$platform" "$spec" --prefix "usher-test-$$-$RANDOM" \
		--image $reg/usher:0.1.0=$pimg/usher --image $reg/grader-fetcher:1=$pimg/fetcher \
		--image $reg/course-42/grader:7=$pimg/grader --image busybox=usher-test/busybox \
		--bucket grader-submissions --bucket grader-results "$@"
}

# report FILE JQ: a field of a run's report.json
report() { jq -r "$2" "$1/report.json" 2>/dev/null; }
