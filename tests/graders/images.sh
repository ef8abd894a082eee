# tests/graders/images.sh - the suite's two base images, made offline from Debian
# packages (tests/lib/docker.sh: docker_image_debian). Sourced after docker.sh.
#
# Two images hold every toolchain, so a run builds at most two (each rebuilt only when
# its package list changes): the interpreted graders in one, the compiled ones in the
# other. Each grader's own image is a small layer on top (its directory's Dockerfile),
# the way course staff build theirs.
#
#   graders_base_images    build (or reuse) both; prints the seconds each took

declare -A graders_base_pkgs=(
	# pytest, numpy, a notebook run by nbclient (ipykernel over ZMQ), sqlite,
	# a learner's Node server and Node's test runner, git, shell with diff/timeout.
	[usher-graders/script]="python3 python3-pytest python3-numpy python3-nbclient python3-nbformat
		python3-ipykernel python3-jupyter-client nodejs git sqlite3"
	# C with AddressSanitizer and the Check framework, C with make and valgrind,
	# Java with JUnit 4, Go's test runner; jq for the shell graders of examples/run.
	[usher-graders/native]="gcc libc6-dev make pkg-config check valgrind
		default-jdk-headless junit4 golang-go jq"
)

graders_base_images() {
	local img t0 pkgs
	for img in usher-graders/script usher-graders/native; do
		t0=$(date +%s)
		# shellcheck disable=SC2206 # a word list on purpose (one image hash per list)
		pkgs=(${graders_base_pkgs[$img]})
		docker_image_debian "$img" "${pkgs[@]}" || { echo "cannot build $img" >&2; return 1; }
		echo "# image $img: $(($(date +%s) - t0)) s"
	done
}
