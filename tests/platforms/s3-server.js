// tests/platforms/s3-server.js - what a task's network namespace reaches instead of AWS:
// a real S3 API server (s3rver) and the container credentials endpoint that ECS runs
// for a task role, both on 127.0.0.1 only. The runner starts it inside the task's
// network namespace (nsenter --net), so the task's containers reach it on loopback and
// nothing else; it prints "ready" once both listen.
//
//   node s3-server.js --dir DIR --port N --creds-port N --log FILE BUCKET...
//
// Every S3 request is appended to the log as one JSON line {method, path, status}, so
// the runner can check what the task did against its IAM policy.
'use strict';
const fs = require('fs');
const http = require('http');
const S3rver = require('s3rver');

function args(argv) {
  const o = { buckets: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir') o.dir = argv[++i];
    else if (a === '--port') o.port = Number(argv[++i]);
    else if (a === '--creds-port') o.credsPort = Number(argv[++i]);
    else if (a === '--log') o.log = argv[++i];
    else o.buckets.push(a);
  }
  if (!o.dir || !o.port || !o.credsPort || !o.log) {
    console.error('usage: s3-server.js --dir DIR --port N --creds-port N --log FILE BUCKET...');
    process.exit(2);
  }
  return o;
}

async function main() {
  const o = args(process.argv.slice(2));
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: o.port,
    directory: o.dir,
    silent: true,
    configureBuckets: o.buckets.map(name => ({ name })),
  });
  // First in the chain: sees every request and its final status.
  s3.middleware.unshift(async (ctx, next) => {
    try {
      await next();
    } finally {
      const line = { method: ctx.method, path: decodeURIComponent(ctx.path), status: ctx.status };
      fs.appendFileSync(o.log, JSON.stringify(line) + '\n');
    }
  });
  await s3.run();

  // The ECS container credentials endpoint (what AWS_CONTAINER_CREDENTIALS_*_URI
  // point at): temporary credentials of the task role. s3rver accepts S3RVER/S3RVER.
  const creds = http.createServer((req, res) => {
    fs.appendFileSync(o.log, JSON.stringify({ method: req.method, path: 'credentials:' + req.url, status: 200 }) + '\n');
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({
      AccessKeyId: 'S3RVER',
      SecretAccessKey: 'S3RVER',
      Token: 'task-role-session-token',
      Expiration: new Date(Date.now() + 3600 * 1000).toISOString(),
      RoleArn: 'arn:aws:iam::123456789012:role/test-task-role',
    }));
  });
  await new Promise((resolve, reject) => {
    creds.once('error', reject);
    creds.listen(o.credsPort, '127.0.0.1', resolve);
  });
  process.stdout.write('ready\n');
  const stop = () => { creds.close(); s3.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(err => {
  console.error('s3-server: ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
