"""k8s.py - a Kubernetes Job's pod, run on Docker with the kubelet's semantics.

Reproduced (docs/deploy.md names the Kubernetes documentation each follows):
  command/args -> Docker's Entrypoint/Cmd (command replaces ENTRYPOINT and drops the
    image's CMD; args replace CMD), env, resources.limits cpu and memory
  initContainers in order, each to exit 0 before the next; native sidecars (an init
    container with restartPolicy: Always) started in order and not waited for,
    restarted when they exit, and stopped after the main containers, in reverse order,
    with SIGTERM then SIGKILL after terminationGracePeriodSeconds (default 30)
  emptyDir: a new directory, mode 0777, as the kubelet creates it; volumeMounts readOnly
  securityContext (pod, then container): runAsUser/runAsGroup -> --user,
    runAsNonRoot (refused for uid 0), capabilities drop/add (ALL included),
    allowPrivilegeEscalation: false -> no-new-privileges, readOnlyRootFilesystem ->
    --read-only, seccompProfile RuntimeDefault -> Docker's default profile, Unconfined
    or unset -> seccomp=unconfined (the kubelet's own default)
  automountServiceAccountToken: false -> no token; otherwise a stand-in token is mounted
  Job: backoffLimit 0 (one pod), activeDeadlineSeconds (the pod is stopped, the Job
    fails DeadlineExceeded), podFailurePolicy onExitCodes rules (FailJob, Ignore, Count)
Not reproduced: ephemeral-storage limits and emptyDir sizeLimit (the kubelet evicts;
Docker cannot), probes, the cluster network and service links, retries (backoffLimit
above 0), image pulls. Any other field is refused.
"""
import os
import time

import yaml

from pod import CREDS_URI, ENDPOINT, Container, Sandbox, SpecError, image_config, merge_argv

JOB_KEYS = {"backoffLimit", "activeDeadlineSeconds", "podFailurePolicy", "template",
            "ttlSecondsAfterFinished", "completions", "parallelism"}
POD_KEYS = {"restartPolicy", "automountServiceAccountToken", "enableServiceLinks",
            "terminationGracePeriodSeconds", "securityContext", "volumes",
            "initContainers", "containers"}
CONTAINER_KEYS = {"name", "image", "command", "args", "env", "volumeMounts", "resources",
                  "securityContext", "restartPolicy", "imagePullPolicy", "workingDir"}
SC_KEYS = {"runAsUser", "runAsGroup", "runAsNonRoot", "capabilities",
           "allowPrivilegeEscalation", "readOnlyRootFilesystem", "seccompProfile"}


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def _refuse(obj, known, where):
    extra = sorted(set(obj or {}) - known)
    if extra:
        raise SpecError("%s: the runner does not reproduce %s" % (where, ", ".join(extra)))


def _quantity(q):
    """Kubernetes quantities Docker understands: memory in bytes, cpu in cores."""
    q = str(q)
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "k": 1000, "M": 10 ** 6, "G": 10 ** 9}
    for u, m in units.items():
        if q.endswith(u):
            return float(q[:-len(u)]) * m
    if q.endswith("m"):
        return float(q[:-1]) / 1000
    return float(q)


def check(job):
    if job.get("apiVersion") != "batch/v1" or job.get("kind") != "Job":
        raise SpecError("not a batch/v1 Job")
    spec = job["spec"]
    _refuse(spec, JOB_KEYS, "Job spec")
    if spec.get("backoffLimit", 6) != 0 or spec.get("completions", 1) != 1 or spec.get("parallelism", 1) != 1:
        raise SpecError("only one pod, never retried (backoffLimit 0, completions 1) is reproduced")
    pod = spec["template"]["spec"]
    _refuse(spec["template"], {"spec", "metadata"}, "pod template")
    _refuse(pod, POD_KEYS, "pod spec")
    if pod.get("restartPolicy") != "Never":
        raise SpecError("restartPolicy: a Job with podFailurePolicy needs Never")
    _refuse(pod.get("securityContext"), SC_KEYS - {"capabilities", "allowPrivilegeEscalation", "readOnlyRootFilesystem"}, "pod securityContext")
    for v in pod.get("volumes", []):
        _refuse(v, {"name", "emptyDir"}, "volume " + v["name"])
        _refuse(v["emptyDir"], {"sizeLimit"}, "emptyDir " + v["name"])
    for c in pod.get("initContainers", []) + pod["containers"]:
        _refuse(c, CONTAINER_KEYS, "container " + c["name"])
        _refuse(c.get("securityContext"), SC_KEYS, "container %s securityContext" % c["name"])
        _refuse(c.get("resources"), {"limits", "requests"}, "container %s resources" % c["name"])
        for m in c.get("volumeMounts", []):
            _refuse(m, {"name", "mountPath", "readOnly"}, "container %s volumeMount" % c["name"])
        if c.get("restartPolicy") not in (None, "Always") or (c.get("restartPolicy") and c in pod["containers"]):
            raise SpecError("%s: restartPolicy Always is for init containers (sidecars) only" % c["name"])
        seccomp = ((c.get("securityContext") or {}).get("seccompProfile") or
                   (pod.get("securityContext") or {}).get("seccompProfile") or {"type": "Unconfined"})
        if seccomp["type"] not in ("RuntimeDefault", "Unconfined"):
            raise SpecError("%s: seccompProfile %s is not reproduced" % (c["name"], seccomp["type"]))


class Job:
    def __init__(self, job, images, out, prefix, buckets, deadline):
        check(job)
        self.job, self.spec = job, job["spec"]
        self.pod = self.spec["template"]["spec"]
        self.images, self.deadline = images, deadline
        self.sb = Sandbox(prefix, out, buckets)
        self.grace = self.pod.get("terminationGracePeriodSeconds", 30)
        self.status = None

    def _security(self, c, img):
        psc, csc = self.pod.get("securityContext") or {}, c.get("securityContext") or {}
        get = lambda k: csc.get(k, psc.get(k))
        a = []
        uid, gid = get("runAsUser"), get("runAsGroup")
        image_user = img["user"].split(":")[0] or "0"
        eff_uid = uid if uid is not None else (int(image_user) if image_user.isdigit() else None)
        if get("runAsNonRoot") and (eff_uid is None or eff_uid == 0):
            raise SpecError("%s: runAsNonRoot and the container would run as %s: the kubelet "
                            "refuses to start it (CreateContainerConfigError)" % (c["name"], eff_uid))
        if uid is not None or gid is not None:
            a += ["--user", "%s%s" % (uid if uid is not None else image_user, "" if gid is None else ":%d" % gid)]
        caps = csc.get("capabilities") or {}
        a += ["--cap-drop=" + x for x in caps.get("drop", [])]
        a += ["--cap-add=" + x for x in caps.get("add", [])]
        if csc.get("allowPrivilegeEscalation") is False:
            a += ["--security-opt", "no-new-privileges"]
        if csc.get("readOnlyRootFilesystem"):
            a += ["--read-only"]
        seccomp = (get("seccompProfile") or {"type": "Unconfined"})["type"]
        if seccomp == "Unconfined":
            a += ["--security-opt", "seccomp=unconfined"]
        return a

    def _container(self, c):
        if c["image"] not in self.images:
            raise SpecError("image %s is not mapped to a local image (--image)" % c["image"])
        image = self.images[c["image"]]
        img = image_config(image)
        a = []
        for e in c.get("env", []):
            a += ["-e", "%s=%s" % (e["name"], e["value"])]
        # The S3 endpoint of this run, and the pod's AWS credentials the way EKS Pod
        # Identity provides them (AWS_CONTAINER_CREDENTIALS_FULL_URI), on loopback.
        a += ["-e", "AWS_ENDPOINT_URL=" + ENDPOINT, "-e", "AWS_CONTAINER_CREDENTIALS_FULL_URI=" + CREDS_URI,
              "-e", "AWS_DEFAULT_REGION=us-east-1", "-e", "AWS_REGION=us-east-1"]
        if "workingDir" in c:
            a += ["--workdir", c["workingDir"]]
        a += self._security(c, img)
        limits = (c.get("resources") or {}).get("limits") or {}
        if "memory" in limits:
            a += ["--memory", str(int(_quantity(limits["memory"])))]
        if "cpu" in limits:
            a += ["--cpus", "%g" % _quantity(limits["cpu"])]
        for m in c.get("volumeMounts", []):
            spec = "type=bind,src=%s,dst=%s" % (self.dirs[m["name"]], m["mountPath"])
            a += ["--mount", spec + (",readonly" if m.get("readOnly") else "")]
        if self.pod.get("automountServiceAccountToken", True):
            a += ["--mount", "type=bind,src=%s,dst=/var/run/secrets/kubernetes.io/serviceaccount,readonly" % self.sa]
        argv = merge_argv(img["entrypoint"], img["cmd"], c.get("command"), c.get("args"))
        k = Container(c["name"], image, argv, a, self.grace)
        k.sidecar = c.get("restartPolicy") == "Always"
        return k

    def setup(self):
        self.sb.start()
        self.dirs = {}
        for v in self.pod.get("volumes", []):
            d = os.path.join(self.sb.out, "volumes", v["name"])
            os.makedirs(d)
            os.chmod(d, 0o777)  # the kubelet's emptyDir mode, whatever the umask
            self.dirs[v["name"]] = d
        self.sa = os.path.join(self.sb.out, "volumes", ".serviceaccount")
        os.makedirs(self.sa)
        with open(os.path.join(self.sa, "token"), "w") as f:
            f.write("stand-in-service-account-token\n")
        self.init = [self._container(c) for c in self.pod.get("initContainers", [])]
        self.main = [self._container(c) for c in self.pod["containers"]]

    def _expired(self):
        limit = self.spec.get("activeDeadlineSeconds")
        return (limit is not None and time.monotonic() - self.sb.t0 > limit) or \
            time.monotonic() - self.sb.t0 > self.deadline

    def _wait(self, cs, sidecars):
        """Until every container of cs stopped; restarts sidecars that exit meanwhile."""
        while not all(c.state == "STOPPED" for c in cs):
            if self._expired():
                return False
            for s in sidecars:
                if s.state == "STOPPED" and s.stop_requested is None:
                    time.sleep(1)  # the kubelet's first restart back-off is 10 s; shorter here
                    self.sb.restart(s)
            time.sleep(0.1)
        return True

    def run(self):
        sidecars, ok = [], True
        for c in self.init:
            if not self.sb.run(c):
                ok = False
                break
            if c.sidecar:
                sidecars.append(c)  # started: the next init container does not wait for it
                continue
            if not self._wait([c], sidecars) or c.exit_code != 0:
                ok = False
                break
        if ok:
            for c in self.main:
                self.sb.run(c)
            ok = self._wait(self.main, sidecars)
        deadline = not ok and self._expired()
        # Main containers first (only left running at the deadline), then the sidecars
        # in reverse order of their definition.
        self.sb.stop_all([[c for c in self.main if c.state == "RUNNING"]] +
                         [[s] for s in reversed(sidecars)], "pod terminating")
        self.status = self._job_status(deadline)

    def _job_status(self, deadline):
        if deadline:
            return {"condition": "Failed", "reason": "DeadlineExceeded"}
        all_cs = self.init + self.main
        failed = [c for c in all_cs if not c.sidecar and (c.state != "STOPPED" or c.exit_code != 0 or c.started is None)]
        if not failed:
            return {"condition": "Complete", "reason": "Completed"}
        for i, rule in enumerate((self.spec.get("podFailurePolicy") or {}).get("rules", [])):
            codes = rule.get("onExitCodes")
            if not codes:
                continue  # onPodConditions: no disruption happens here
            for c in all_cs:
                if c.sidecar or c.exit_code in (None, 0):
                    continue
                if codes.get("containerName") not in (None, c.name):
                    continue
                hit = c.exit_code in codes["values"]
                if hit == (codes["operator"] == "In"):
                    if rule["action"] == "FailJob":
                        return {"condition": "Failed", "reason": "PodFailurePolicy",
                                "message": "container %s exited %d, rule %d: FailJob" % (c.name, c.exit_code, i)}
                    if rule["action"] == "Ignore":
                        return {"condition": "Retried", "reason": "PodFailurePolicy Ignore (a new pod would start)"}
                    break  # Count
        return {"condition": "Failed", "reason": "BackoffLimitExceeded"}

    def report(self):
        t0 = self.sb.t0
        cs = {c.name: dict(c.report(t0), init=c in self.init, sidecar=c.sidecar) for c in self.init + self.main}
        return {"platform": "k8s", "job": self.status, "containers": cs}
