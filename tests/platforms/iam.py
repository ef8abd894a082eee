"""iam.py - which S3 requests of a task an IAM policy would deny.

The runner cannot enforce IAM; instead it checks the task's access log against the
task role's policy: each request becomes the action S3 authorises it by (HEAD and GET
of an object: s3:GetObject; PUT: s3:PutObject; GET of a bucket: s3:ListBucket; other:
s3:Other) on the object's or the bucket's ARN, and must be allowed by an Allow
statement (wildcards as IAM matches them) and by no Deny statement.
"""
import fnmatch


def _action(req):
    parts = req["path"].lstrip("/").split("/", 1)
    bucket, key = parts[0], parts[1] if len(parts) > 1 else ""
    m = req["method"]
    if key and m in ("GET", "HEAD"):
        return "s3:GetObject", "arn:aws:s3:::%s/%s" % (bucket, key)
    if key and m == "PUT":
        return "s3:PutObject", "arn:aws:s3:::%s/%s" % (bucket, key)
    if not key and m == "GET":
        return "s3:ListBucket", "arn:aws:s3:::%s" % bucket
    return "s3:Other", "arn:aws:s3:::%s/%s" % (bucket, key)


def _list(v):
    return v if isinstance(v, list) else [v]


def _matches(stmt, action, resource):
    acts = _list(stmt.get("Action", []))
    ress = _list(stmt.get("Resource", []))
    return any(fnmatch.fnmatchcase(action, a) for a in acts) and \
        any(fnmatch.fnmatchcase(resource, r) for r in ress)


def denied(policy, requests):
    out = []
    for req in requests:
        if req["path"].startswith("credentials:"):
            continue
        action, resource = _action(req)
        stmts = _list(policy["Statement"])
        allow = any(s["Effect"] == "Allow" and _matches(s, action, resource) for s in stmts)
        deny = any(s["Effect"] == "Deny" and _matches(s, action, resource) for s in stmts)
        if deny or not allow:
            out.append({"method": req["method"], "path": req["path"], "action": action, "resource": resource})
    return out
