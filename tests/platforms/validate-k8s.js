// validate-k8s.js - validate Kubernetes objects (JSON, one per argument file, or a
// JSON array of objects on stdin) against the Kubernetes OpenAPI schema, with the
// validators of the kubernetes-models package. Prints one line per object; exit 1
// when any is invalid.
'use strict';
const fs = require('fs');

const kinds = {
  'batch/v1/Job': () => require('kubernetes-models/batch/v1/Job').Job,
  'v1/Pod': () => require('kubernetes-models/v1/Pod').Pod,
};

const objects = JSON.parse(fs.readFileSync(0, 'utf8'));
let bad = 0;
for (const obj of objects) {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const name = `${key} ${obj.metadata && obj.metadata.name}`;
  if (!kinds[key]) {
    console.log(`not ok ${name}: no model for ${key}`);
    bad++;
    continue;
  }
  const Model = kinds[key]();
  try {
    new Model(obj).validate();
    console.log(`ok ${name}`);
  } catch (e) {
    console.log(`not ok ${name}: ${e.message}`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
