// Checks that every configuration file deploy/ ships uses only keys the services really read, and
// sets every key they require: keys of the @ConfigMapping interfaces in the source tree (FleetConfig,
// CapacityAssumptions, each service's own), keys of the services' application.properties, and the
// framework keys of extensions the services actually depend on. A key renamed on one side only
// fails here. `--self-test` proves that by renaming one key in the Java and one in a config file.
//
// Usage: node config-keys.mjs <repo root> [--self-test]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { SERVICES, service, javaSources } from './repo.mjs';

// Framework keys deploy/ may set, each valid only if some service depends on the extension.
const FRAMEWORK = [
  { extension: 'quarkus-messaging-kafka', keys: ['kafka.bootstrap.servers', 'kafka.security.protocol', 'kafka.sasl.mechanism',
    'kafka.ssl.truststore.type', 'kafka.ssl.truststore.location'] },
  { extension: 'quarkus-redis-client', keys: ['quarkus.redis.hosts', 'quarkus.redis.client-type', 'quarkus.redis.master-name', 'quarkus.redis.role'] },
  { extension: null, keys: ['quarkus.config.locations', 'quarkus.http.port', 'quarkus.log.console.json.enabled'] },
];

/** Key patterns (`*` = one map key) of every @ConfigMapping interface in the given sources. */
function mappingKeys(sources) {
  const keys = []; // {pattern, required}
  for (const raw of sources) {
    const src = raw.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const top = src.match(/@ConfigMapping\s*\(\s*prefix\s*=\s*"([^"]+)"\s*\)[\s\S]*?interface\s+(\w+)/);
    if (!top) continue;
    const bodies = interfaceBodies(src);
    const walk = (iface, prefix, optional, depth) => {
      if (depth > 8) return;
      for (const m of members(bodies.get(iface) ?? '')) {
        const name = m.withName ?? kebab(m.name);
        const key = `${prefix}.${name}`;
        const mapOf = m.type.match(/^Map<\s*String\s*,\s*(\w+)\s*>$/);
        const inner = (m.type.match(/^Optional<\s*(\w+)\s*>$/) ?? [])[1] ?? m.type;
        const opt = optional || m.withDefault || /^(Optional|List|Set|Map)</.test(m.type);
        if (mapOf && bodies.has(mapOf[1])) walk(mapOf[1], `${key}.*`, optional, depth + 1);
        else if (mapOf) keys.push({ pattern: `${key}.*`, required: false });
        else if (bodies.has(inner)) walk(inner, key, opt, depth + 1);
        else keys.push({ pattern: key, required: !opt });
      }
    };
    walk(top[2], top[1], false, 0);
  }
  return keys;
}

function interfaceBodies(src) {
  const bodies = new Map();
  for (const m of src.matchAll(/interface\s+(\w+)[^{]*\{/g)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < src.length && depth; i++) depth += src[i] === '{' ? 1 : src[i] === '}' ? -1 : 0;
    // keep only this interface's own level: blank out nested bodies
    let own = '';
    let d = 0;
    for (const ch of src.slice(start, i - 1)) {
      if (ch === '{') d++;
      if (d === 0) own += ch;
      if (ch === '}') d--;
    }
    bodies.set(m[1], own);
  }
  return bodies;
}

function members(body) {
  const out = [];
  const re = /((?:@\w+(?:\([^)]*\))?\s*)*)(?:default\s+)?([\w.]+(?:<[^()]*>)?)\s+(\w+)\s*\(\s*\)\s*;/g;
  for (const m of body.matchAll(re)) {
    const ann = m[1];
    out.push({
      type: m[2].replace(/\s+/g, ''),
      name: m[3],
      withDefault: /@WithDefault/.test(ann),
      withName: (ann.match(/@WithName\(\s*"([^"]+)"/) ?? [])[1],
    });
  }
  return out;
}

const kebab = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

function flatten(obj, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(obj ?? {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out.set(key, v);
  }
  return out;
}

const matchKey = (pattern, key) => {
  const p = pattern.split('.');
  const k = key.split('.');
  return p.length === k.length && p.every((s, i) => s === '*' || s === k[i]);
};
const envName = (key) => key.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * @param input {java: string[], services: {name, props: Map, has(artifact)}[],
 *               configs: {file, text, sections?: string[]}[], env: {file, name, value}[]}
 * @returns list of problems
 */
function check(input) {
  const problems = [];
  const patterns = mappingKeys(input.java);
  const known = [
    ...patterns.map((p) => p.pattern),
    ...input.services.flatMap((s) => [...s.props.keys()]),
    ...FRAMEWORK.filter((f) => !f.extension || input.services.some((s) => s.has(f.extension))).flatMap((f) => f.keys),
  ];
  const isKnown = (key) => known.some((p) => matchKey(p, key));
  if (!patterns.some((p) => p.pattern.startsWith('fleet.regions.*.'))) problems.push('FleetConfig not found in the sources');

  for (const cfg of input.configs) {
    const flat = flatten(parse(cfg.text));
    for (const key of flat.keys()) {
      if (!isKnown(key)) problems.push(`${cfg.file}: ${key} is not a key any service reads`);
    }
    // required keys, per map entry actually present (every region, every node class)
    for (const { pattern } of patterns.filter((p) => p.required && p.pattern.startsWith('fleet.'))) {
      const parts = pattern.split('.');
      const star = parts.indexOf('*');
      if (star < 0) continue;
      const parent = parts.slice(0, star).join('.');
      const entries = new Set([...flat.keys()].filter((k) => k.startsWith(`${parent}.`)).map((k) => k.split('.')[star]));
      for (const entry of entries) {
        const key = [...parts.slice(0, star), entry, ...parts.slice(star + 1)].join('.');
        if (!flat.has(key)) problems.push(`${cfg.file}: ${key} is required (no default) but missing`);
      }
    }
    for (const [key, value] of flat) {
      if ((/secret|password/i.test(key) || /-token$/.test(key)) && !/^\$\{[A-Z0-9_]+\}$/.test(String(value))) problems.push(`${cfg.file}: ${key} must reference an env var (\${NAME}), not hold a value`);
    }
  }

  // env-style keys (compose): must be the env form of a known key, a secret reference, or ours
  const envForms = new Set(known.filter((k) => !k.includes('*')).map(envName));
  for (const e of input.env) {
    const ours = /^LKFLEET_/.test(e.name) || /^(JAVA_|TZ$)/.test(e.name);
    if (!ours && !envForms.has(e.name)) problems.push(`${e.file}: env ${e.name} is not the env form of any key the services read`);
    if (/SECRET|PASSWORD|TOKEN/.test(e.name) && !/^\$\{[A-Z0-9_]+(:?[?-][^}]*)?\}$/.test(String(e.value))) problems.push(`${e.file}: env ${e.name} must be passed through from the environment`);
  }
  return problems;
}

function configFiles(root) {
  const out = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'lkfleet.yaml') out.push(p);
    }
  };
  walk(join(root, 'deploy/k8s'));
  walk(join(root, 'deploy/compose'));
  const files = out.map((p) => ({ file: relative(root, p), text: readFileSync(p, 'utf8') }));
  // the one-machine runner's fleet: only its `fleet:` section is the services' (local: is the runner's)
  const local = join(root, 'deploy/local/fleet.yaml');
  if (existsSync(local)) files.push({ file: 'deploy/local/fleet.yaml', text: readFileSync(local, 'utf8') });
  return files;
}

function composeEnv(root) {
  const file = join(root, 'deploy/compose/compose.yaml');
  if (!existsSync(file)) return [];
  const compose = parse(readFileSync(file, 'utf8'), { merge: true });
  const out = [];
  for (const [name, svc] of Object.entries(compose.services ?? {})) {
    if (!SERVICES.includes(name) && !svc['x-lkfleet-service']) continue;
    const env = Array.isArray(svc.environment)
      ? Object.fromEntries(svc.environment.map((s) => s.split(/=(.*)/s)))
      : svc.environment ?? {};
    for (const [k, v] of Object.entries(env)) out.push({ file: `deploy/compose/compose.yaml services.${name}`, name: k, value: v });
  }
  return out;
}

function load(root) {
  return {
    java: javaSources(root).map((f) => readFileSync(f, 'utf8')),
    services: SERVICES.map((n) => service(root, n)),
    configs: configFiles(root),
    env: composeEnv(root),
  };
}

const [root, flag] = process.argv.slice(2);
const input = load(root);
let problems = check(input);
if (flag === '--self-test') {
  // A rename on one side only must be caught: in the Java mapping, and in a config file.
  problems = [];
  const javaRenamed = { ...input, java: input.java.map((s) => s.replace(/String livekitUrl\(\)/, 'String signallingUrl()')) };
  if (!check(javaRenamed).some((p) => p.includes('livekit-url'))) problems.push('renaming FleetConfig.livekitUrl was not detected');
  const cfgRenamed = { ...input, configs: input.configs.map((c) => ({ ...c, text: c.text.replace(/api-key:/g, 'apikey:') })) };
  if (!check(cfgRenamed).some((p) => p.includes('apikey'))) problems.push('renaming api-key in the config files was not detected');
  console.log(`self-test: ${problems.length ? 'FAILED' : 'renames on one side are detected'}`);
} else if (flag === '--list') {
  for (const p of mappingKeys(input.java)) console.log(`${p.required ? 'required' : 'optional'} ${p.pattern}`);
} else {
  console.log(`${input.configs.length} config files, ${input.env.length} compose env entries checked against ${mappingKeys(input.java).length} mapped keys`);
}
for (const p of problems) console.log(`  ${p}`);
process.exit(problems.length ? 1 : 0);
