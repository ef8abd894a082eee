"""Unit tests of the runner's pure rules: what Docker, ECS and IAM decide, without Docker."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ecs  # noqa: E402
import iam  # noqa: E402
from pod import SpecError, merge_argv  # noqa: E402


class MergeArgv(unittest.TestCase):
    # Docker's create API (daemon/create.go merge): ECS entryPoint/command and
    # Kubernetes command/args map onto it the same way.
    def test_neither(self):
        self.assertEqual(merge_argv(["/e"], ["c"], None, None), ["/e", "c"])

    def test_command_only_is_appended_to_the_image_entrypoint(self):
        self.assertEqual(merge_argv(["/usher/usher"], ["--help"], None, ["install", "--to", "/t"]),
                         ["/usher/usher", "install", "--to", "/t"])

    def test_entrypoint_drops_the_image_cmd(self):
        self.assertEqual(merge_argv(["/e"], ["c"], ["/x"], None), ["/x"])

    def test_both(self):
        self.assertEqual(merge_argv(["/e"], ["c"], ["/x"], ["y"]), ["/x", "y"])


def task(**grader):
    return {"networkMode": "awsvpc", "volumes": [], "containerDefinitions": [
        dict({"name": "grader", "image": "g", "essential": False}, **grader),
        {"name": "reporter", "image": "r", "dependsOn": [{"containerName": "grader", "condition": "COMPLETE"}]}]}


class EcsRules(unittest.TestCase):
    def test_valid(self):
        ecs.check(task())

    def test_complete_on_an_essential_container_is_refused(self):
        with self.assertRaises(SpecError):
            ecs.check(task(essential=True))

    def test_unknown_fields_are_refused(self):
        with self.assertRaises(SpecError):
            ecs.check(task(privileged=True))

    def test_healthy_needs_a_health_check(self):
        t = task()
        t["containerDefinitions"][1]["dependsOn"][0]["condition"] = "HEALTHY"
        with self.assertRaises(SpecError):
            ecs.check(t)


class Iam(unittest.TestCase):
    policy = {"Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::in/a/*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::out/a/*"}]}

    def test_allowed(self):
        reqs = [{"method": "HEAD", "path": "/in/a/x.zip"}, {"method": "GET", "path": "/in/a/x.zip"},
                {"method": "PUT", "path": "/out/a/r.json"}, {"method": "GET", "path": "credentials:/v2"}]
        self.assertEqual(iam.denied(self.policy, reqs), [])

    def test_denied(self):
        reqs = [{"method": "GET", "path": "/in/b/x.zip"}, {"method": "PUT", "path": "/in/a/x.zip"},
                {"method": "GET", "path": "/in"}]
        self.assertEqual([d["action"] for d in iam.denied(self.policy, reqs)],
                         ["s3:GetObject", "s3:PutObject", "s3:ListBucket"])


if __name__ == "__main__":
    unittest.main()
