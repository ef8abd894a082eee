"""ecs.py - an ECS task definition, run on Docker with the ECS semantics the examples use.

Reproduced (docs/deploy.md names the ECS documentation each follows):
  entryPoint/command -> Docker's Entrypoint/Cmd, merged with the image's as Docker's
    create API does; environment; user; workingDirectory; readonlyRootFilesystem;
    ulimits; linuxParameters.capabilities add/drop; linuxParameters.initProcessEnabled
    (docker --init); healthCheck (CMD-SHELL); dockerLabels
  dependsOn START / COMPLETE / SUCCESS / HEALTHY, startTimeout; a condition that can no
    longer be met leaves the container unstarted
  essential (default true): when an essential container stops, the task stops: every
    running container gets SIGTERM, then SIGKILL after its stopTimeout (default 30 s),
    dependents before the containers they depend on
  volumes without host/dockerVolumeConfiguration: empty per task, except where a
    mounting container's image declares VOLUME at the mount path (then ECS copies the
    image's files in); mountPoints readOnly
  networkMode awsvpc: one network namespace for the task, loopback only here
  taskRoleArn: AWS_CONTAINER_CREDENTIALS_FULL_URI to a credentials endpoint on loopback
    (ECS gives AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on 169.254.170.2)
Not reproduced: task-level cpu/memory, logConfiguration (logs stay in Docker), IAM
(the access log is checked against the policy instead), image pulls, Fargate's kernel.
Any other field is refused, so nothing in an example is silently ignored.
"""
import time

from pod import CREDS_URI, ENDPOINT, Container, Sandbox, SpecError, docker, image_config, merge_argv

TASK_KEYS = {"family", "networkMode", "requiresCompatibilities", "cpu", "memory",
             "executionRoleArn", "taskRoleArn", "volumes", "containerDefinitions",
             "runtimePlatform", "ephemeralStorage", "tags"}
# Fields of a container that the runner reproduces, or that have no effect it could show.
CONTAINER_KEYS = {"name", "image", "essential", "entryPoint", "command", "environment",
                  "user", "workingDirectory", "readonlyRootFilesystem", "ulimits",
                  "linuxParameters", "mountPoints", "dependsOn", "stopTimeout",
                  "startTimeout", "healthCheck", "logConfiguration", "dockerLabels",
                  "cpu", "memory", "memoryReservation"}
LINUX_KEYS = {"capabilities", "initProcessEnabled"}
CONDITIONS = {"START", "COMPLETE", "SUCCESS", "HEALTHY"}
DEFAULT_STOP_TIMEOUT = 30  # ECS: Fargate's default, and ECS_CONTAINER_STOP_TIMEOUT's


def _refuse_unknown(obj, known, where):
    extra = sorted(set(obj) - known)
    if extra:
        raise SpecError("%s: the runner does not reproduce %s" % (where, ", ".join(extra)))


def check(task):
    """The rules ECS itself enforces on the parts the runner uses."""
    _refuse_unknown(task, TASK_KEYS, "task definition")
    if task.get("networkMode", "bridge") != "awsvpc":
        raise SpecError("networkMode: only awsvpc is reproduced")
    defs = task["containerDefinitions"]
    names = [c["name"] for c in defs]
    if len(set(names)) != len(names):
        raise SpecError("container names are not unique")
    vols = {}
    for v in task.get("volumes", []):
        _refuse_unknown(v, {"name"}, "volume " + v.get("name", "?"))
        vols[v["name"]] = v
    byname = {c["name"]: c for c in defs}
    if not any(c.get("essential", True) for c in defs):
        raise SpecError("no essential container: ECS requires at least one")
    for c in defs:
        _refuse_unknown(c, CONTAINER_KEYS, "container " + c["name"])
        _refuse_unknown(c.get("linuxParameters", {}), LINUX_KEYS, "container %s linuxParameters" % c["name"])
        for m in c.get("mountPoints", []):
            if m["sourceVolume"] not in vols:
                raise SpecError("%s: mountPoint of unknown volume %s" % (c["name"], m["sourceVolume"]))
        for d in c.get("dependsOn", []):
            dep = byname.get(d["containerName"])
            if dep is None or d["condition"] not in CONDITIONS:
                raise SpecError("%s: bad dependsOn %s" % (c["name"], d))
            if d["condition"] in ("COMPLETE", "SUCCESS") and dep.get("essential", True):
                raise SpecError("%s: %s on the essential container %s: ECS refuses it"
                                % (c["name"], d["condition"], dep["name"]))
            if d["condition"] == "HEALTHY" and "healthCheck" not in dep:
                raise SpecError("%s: HEALTHY on %s, which has no healthCheck" % (c["name"], dep["name"]))
        hc = c.get("healthCheck")
        if hc and hc["command"][0] != "CMD-SHELL":
            raise SpecError("%s: healthCheck: only CMD-SHELL is reproduced" % c["name"])


def _run_args(sb, c, vol_of, has_role):
    a = []
    for e in c.get("environment", []):
        a += ["-e", "%s=%s" % (e["name"], e["value"])]
    # What ECS adds to every container of a task with a task role, pointed at loopback,
    # and the S3 endpoint of this run (aws CLI >= 2.13 reads AWS_ENDPOINT_URL itself).
    a += ["-e", "AWS_REGION=us-east-1", "-e", "AWS_DEFAULT_REGION=us-east-1",
          "-e", "AWS_EXECUTION_ENV=AWS_ECS_FARGATE", "-e", "AWS_ENDPOINT_URL=" + ENDPOINT,
          "-e", "ECS_CONTAINER_METADATA_URI_V4=http://127.0.0.1:1/v4/" + c["name"]]
    if has_role:
        a += ["-e", "AWS_CONTAINER_CREDENTIALS_FULL_URI=" + CREDS_URI]
    if "user" in c:
        a += ["--user", c["user"]]
    if "workingDirectory" in c:
        a += ["--workdir", c["workingDirectory"]]
    if c.get("readonlyRootFilesystem"):
        a += ["--read-only"]
    for u in c.get("ulimits", []):
        a += ["--ulimit", "%s=%d:%d" % (u["name"], u["softLimit"], u["hardLimit"])]
    lp = c.get("linuxParameters", {})
    caps = lp.get("capabilities", {})
    a += ["--cap-drop=" + x for x in caps.get("drop", [])]
    a += ["--cap-add=" + x for x in caps.get("add", [])]
    if lp.get("initProcessEnabled"):
        a += ["--init"]
    if "memory" in c:
        a += ["--memory", "%dm" % c["memory"]]
    if "cpu" in c:
        a += ["--cpu-shares", str(max(2, c["cpu"]))]
    hc = c.get("healthCheck")
    if hc:
        a += ["--health-cmd", hc["command"][1], "--health-interval", "%ds" % hc.get("interval", 30),
              "--health-timeout", "%ds" % hc.get("timeout", 5), "--health-retries", str(hc.get("retries", 3)),
              "--health-start-period", "%ds" % hc.get("startPeriod", 0)]
    for k, v in c.get("dockerLabels", {}).items():
        a += ["--label", "%s=%s" % (k, v)]
    img = image_config(c["image"])
    for m in c.get("mountPoints", []):
        # ECS fills a task volume from the image only where the image declares VOLUME
        # at the mount path; Docker would copy whatever the image has there.
        copy = m["containerPath"].rstrip("/") in [p.rstrip("/") for p in img["volumes"]]
        spec = "type=volume,src=%s,dst=%s" % (vol_of[m["sourceVolume"]], m["containerPath"])
        if m.get("readOnly"):
            spec += ",readonly"
        if not copy:
            spec += ",volume-nocopy"
        a += ["--mount", spec]
    return a, img


class Task:
    def __init__(self, task, images, out, prefix, buckets, deadline):
        check(task)
        self.task, self.deadline = task, deadline
        self.defs = {c["name"]: c for c in task["containerDefinitions"]}
        self.sb = Sandbox(prefix, out, buckets)
        self.images = images
        self.stopped_reason = None

    def _image(self, name):
        if name not in self.images:
            raise SpecError("image %s is not mapped to a local image (--image)" % name)
        return self.images[name]

    def setup(self):
        self.sb.start()
        self.vol_of = {v["name"]: self.sb.docker_volume(v["name"]) for v in self.task.get("volumes", [])}
        self.cs = {}
        for name, c in self.defs.items():
            c = dict(c, image=self._image(c["image"]))
            args, img = _run_args(self.sb, c, self.vol_of, "taskRoleArn" in self.task)
            argv = merge_argv(img["entrypoint"], img["cmd"], c.get("entryPoint"), c.get("command"))
            self.cs[name] = Container(name, c["image"], argv, args, c.get("stopTimeout", DEFAULT_STOP_TIMEOUT))
            self.cs[name].essential = self.defs[name].get("essential", True)

    def _dep_state(self, dep):
        """'met', 'wait' or 'never' for one dependsOn entry."""
        d = self.cs[dep["containerName"]]
        cond = dep["condition"]
        if d.state == "PENDING":
            return "wait"
        if cond == "START":
            return "met" if d.started is not None else "never"
        if cond == "COMPLETE":
            return "met" if d.state == "STOPPED" and d.started is not None else \
                "never" if d.state == "STOPPED" else "wait"
        if cond == "SUCCESS":
            if d.state != "STOPPED":
                return "wait"
            return "met" if d.exit_code == 0 and d.started is not None else "never"
        # HEALTHY: confirmed at startup only, as ECS does.
        if d.state == "STOPPED":
            return "never"
        h = self.sb.health(d)
        return "met" if h == "healthy" else "never" if h == "unhealthy" else "wait"

    def _schedule(self, now):
        for name, c in self.cs.items():
            if c.state != "PENDING":
                continue
            deps = self.defs[name].get("dependsOn", [])
            states = [self._dep_state(d) for d in deps]
            start_timeout = self.defs[name].get("startTimeout")
            if "never" in states or (start_timeout and now - self.sb.t0 > start_timeout and "wait" in states):
                bad = [d for d, s in zip(deps, states) if s != "met"]
                c.state, c.finished = "STOPPED", now
                c.reason = "DependencyConditionNotMet: %s" % ", ".join(
                    "%s %s" % (d["containerName"], d["condition"]) for d in bad)
            elif all(s == "met" for s in states):
                self.sb.run(c)

    def _stop_groups(self):
        """Running containers in stop order: those no running container depends on first."""
        left = [c for c in self.cs.values() if c.state == "RUNNING"]
        groups = []
        while left:
            needed = {d["containerName"] for c in left for d in self.defs[c.name].get("dependsOn", [])}
            group = [c for c in left if c.name not in needed] or left
            groups.append(group)
            left = [c for c in left if c not in group]
        return groups

    def run(self):
        while True:
            now = time.monotonic()
            self._schedule(now)
            ess = [c for c in self.cs.values() if c.essential and c.state == "STOPPED"]
            if ess:
                self.stopped_reason = "Essential container in task exited (%s)" % ess[0].name
                break
            if all(c.state == "STOPPED" for c in self.cs.values()):
                self.stopped_reason = "All containers stopped"
                break
            if now - self.sb.t0 > self.deadline:
                self.stopped_reason = "runner deadline of %d s" % self.deadline
                break
            time.sleep(0.1)
        self.sb.stop_all(self._stop_groups(), "task stopping: " + self.stopped_reason)
        for c in self.cs.values():
            if c.state == "PENDING":
                c.state, c.reason = "STOPPED", "task stopped before its dependencies were met"

    def report(self):
        t0 = self.sb.t0
        return {
            "platform": "ecs",
            "stopped_reason": self.stopped_reason,
            "containers": {n: dict(c.report(t0), essential=c.essential) for n, c in self.cs.items()},
        }


def docker_available():
    return docker("info", check=False).returncode == 0
