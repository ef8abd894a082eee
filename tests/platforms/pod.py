"""pod.py - what ECS tasks and Kubernetes pods have in common, on the local Docker engine.

A Sandbox is one task (or pod): a pause container that owns a network namespace with
nothing but loopback (awsvpc / the pod network, minus the outside world), an S3 API
server and a credentials endpoint inside that namespace (s3-server.js, started on the
host with nsenter), volumes, and the task's containers joined to the pause container's
namespace (--network container:PAUSE). Everything is named after a prefix and removed
at the end. No image is ever pulled: an image name the caller did not map is an error.
"""
import json
import os
import shlex
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
S3_PORT = 4568
CREDS_PORT = 4569
ENDPOINT = "http://127.0.0.1:%d" % S3_PORT
CREDS_URI = "http://127.0.0.1:%d/v2/credentials/task-role" % CREDS_PORT
PAUSE_IMAGE = "usher-test/busybox"


class SpecError(Exception):
    """The task definition or pod asks for something the runner cannot reproduce."""


def docker(*args, check=True, capture=True, timeout=120):
    p = subprocess.run(["docker", *args], capture_output=capture, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError("docker %s: %s" % (" ".join(args[:3]), (p.stderr or "").strip()))
    return p


def image_config(image):
    """ENTRYPOINT, CMD, VOLUME paths, USER and WORKDIR of a local image."""
    out = docker("image", "inspect", "-f", "{{json .Config}}", image).stdout
    c = json.loads(out)
    return {
        "entrypoint": c.get("Entrypoint") or [],
        "cmd": c.get("Cmd") or [],
        "volumes": sorted((c.get("Volumes") or {}).keys()),
        "user": c.get("User") or "",
        "workdir": c.get("WorkingDir") or "",
    }


def merge_argv(image_entry, image_cmd, entry, cmd):
    """The process argv Docker's create API makes of an image's ENTRYPOINT/CMD and the
    Entrypoint/Cmd a client passes (ECS entryPoint/command; Kubernetes command/args map
    the same way): an Entrypoint given replaces the image's and drops the image's CMD;
    a Cmd given replaces the image's CMD only; neither keeps both of the image."""
    if entry:
        return list(entry) + list(cmd or [])
    return list(image_entry) + list(cmd if cmd else image_cmd)


class Container:
    def __init__(self, name, image, argv, run_args, stop_timeout):
        self.name = name  # as in the spec
        self.image = image
        self.argv = argv
        self.run_args = run_args  # docker run flags, without the image and argv
        self.stop_timeout = stop_timeout
        self.docker_name = None
        self.state = "PENDING"  # PENDING RUNNING STOPPED
        self.exit_code = None
        self.reason = None
        self.started = self.finished = None
        self.restarts = 0
        self.stop_requested = None
        self._waiter = None

    def report(self, t0):
        rel = lambda t: None if t is None else round(t - t0, 3)
        return {
            "image": self.image, "argv": self.argv, "docker_run": self.run_args,
            "state": self.state, "exit_code": self.exit_code, "reason": self.reason,
            "started": rel(self.started), "finished": rel(self.finished),
            "stop_requested": rel(self.stop_requested), "restarts": self.restarts,
        }


class Sandbox:
    def __init__(self, prefix, out, buckets, node="node"):
        self.prefix = prefix
        self.out = out
        self.buckets = buckets
        self.node = node
        self.volumes = []
        self.containers = []
        self.s3 = None
        self.t0 = time.monotonic()
        os.makedirs(os.path.join(out, "logs"), exist_ok=True)

    # --- the network namespace and what lives in it -------------------------------
    def start(self):
        self.pause = self.prefix + "-pause"
        docker("run", "-d", "--name", self.pause, "--network", "none", PAUSE_IMAGE,
               "sleep", "86400")
        pid = docker("inspect", "-f", "{{.State.Pid}}", self.pause).stdout.strip()
        self.netns = "/proc/%s/ns/net" % pid
        s3dir = os.path.join(self.out, "s3rver")
        os.makedirs(s3dir, exist_ok=True)
        self.s3log = os.path.join(self.out, "s3-access.jsonl")
        open(self.s3log, "w").close()
        cmd = ["nsenter", "--net=" + self.netns, self.node, os.path.join(HERE, "s3-server.js"),
               "--dir", s3dir, "--port", str(S3_PORT), "--creds-port", str(CREDS_PORT),
               "--log", self.s3log, *self.buckets]
        self.s3 = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(
            os.path.join(self.out, "logs", "s3-server.log"), "w"), text=True)
        ready = []
        t = threading.Thread(target=lambda: ready.append(self.s3.stdout.readline()))
        t.daemon = True
        t.start()
        t.join(30)
        if not ready or ready[0].strip() != "ready":
            raise RuntimeError("s3-server did not start: see logs/s3-server.log")

    def aws(self, *args):
        """The host's AWS CLI inside the task's namespace, as the test's own client."""
        env = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
                   AWS_DEFAULT_REGION="us-east-1")
        p = subprocess.run(["nsenter", "--net=" + self.netns, "aws", "--endpoint-url", ENDPOINT,
                            *args], capture_output=True, text=True, env=env, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("aws %s: %s" % (" ".join(args), p.stderr.strip()))
        return p.stdout

    def put(self, bucket_key, path):
        self.aws("s3", "cp", "--only-show-errors", path, "s3://" + bucket_key)

    def collect_objects(self):
        objects = []
        for b in self.buckets:
            dst = os.path.join(self.out, "s3", b)
            self.aws("s3", "sync", "--only-show-errors", "s3://" + b, dst)
            for root, _, files in os.walk(dst):
                for f in files:
                    objects.append(os.path.relpath(os.path.join(root, f), os.path.join(self.out, "s3")))
        return sorted(objects)

    def s3_requests(self):
        with open(self.s3log) as f:
            return [json.loads(line) for line in f if line.strip()]

    # --- volumes ---------------------------------------------------------------------
    def docker_volume(self, name):
        v = "%s-%s" % (self.prefix, name)
        docker("volume", "create", v)
        self.volumes.append(v)
        return v

    # --- containers ------------------------------------------------------------------
    def base_args(self, c):
        return ["--name", c.docker_name, "--network", "container:" + self.pause]

    def run(self, c):
        c.docker_name = "%s-%s" % (self.prefix, c.name)
        args = ["run", "-d", *self.base_args(c), *c.run_args, c.image, *c.argv[1:]]
        # --entrypoint takes one word: argv[0]; the rest is Cmd. The process argv is
        # the same as with the full Entrypoint array.
        args[2:2] = ["--entrypoint", c.argv[0]] if c.argv else []
        p = docker(*args, check=False)
        if p.returncode != 0:
            c.state, c.reason = "STOPPED", "CannotStartContainerError: " + p.stderr.strip()
            c.finished = time.monotonic()
            return False
        c.state, c.started = "RUNNING", time.monotonic()
        self.containers.append(c)
        self._watch(c)
        return True

    def restart(self, c):
        docker("start", c.docker_name)
        c.state, c.exit_code, c.finished = "RUNNING", None, None
        c.restarts += 1
        self._watch(c)

    def _watch(self, c):
        def wait():
            p = subprocess.run(["docker", "wait", c.docker_name], capture_output=True, text=True)
            code = int(p.stdout.strip()) if p.stdout.strip().lstrip("-").isdigit() else None
            c.exit_code, c.finished, c.state = code, time.monotonic(), "STOPPED"
        c._waiter = threading.Thread(target=wait, daemon=True)
        c._waiter.start()

    def health(self, c):
        p = docker("inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{end}}",
                   c.docker_name, check=False)
        return p.stdout.strip()

    def stop(self, c, timeout, why):
        """docker stop: the image's STOPSIGNAL (SIGTERM), SIGKILL after `timeout` s."""
        if c.state != "RUNNING":
            return
        c.stop_requested = time.monotonic()
        c.reason = c.reason or why
        docker("stop", "-t", str(int(timeout)), c.docker_name, check=False, timeout=timeout + 60)
        if c._waiter:
            c._waiter.join(30)

    def stop_all(self, groups, why):
        """Stop containers group by group; the containers of a group concurrently."""
        for group in groups:
            threads = [threading.Thread(target=self.stop, args=(c, c.stop_timeout, why)) for c in group]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

    def save_logs(self):
        for c in self.containers:
            with open(os.path.join(self.out, "logs", c.name + ".log"), "w") as f:
                subprocess.run(["docker", "logs", c.docker_name], stdout=f, stderr=subprocess.STDOUT)

    def cleanup(self):
        for c in self.containers:
            docker("rm", "-f", "-v", c.docker_name, check=False)
        if self.s3:
            self.s3.terminate()
            try:
                self.s3.wait(10)
            except subprocess.TimeoutExpired:
                self.s3.kill()
        docker("rm", "-f", self.pause, check=False)
        for v in self.volumes:
            docker("volume", "rm", "-f", v, check=False)


def shell_words(argv):
    return " ".join(shlex.quote(a) for a in argv)
