// What the services really are, read from the source tree: ports, health/metrics extensions,
// Kafka topic names. The validators compare the deploy tree against this, never against a copy.
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SERVICES = ['token-service', 'region-router', 'webhook-ingest', 'capacity-service'];

export function readProperties(file) {
  const props = new Map();
  if (!existsSync(file)) return props;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = line.match(/^([^=:\s]+)\s*[=:]\s*(.*)$/);
    if (m) props.set(m[1].replace(/^%[\w-]+\./, ''), m[2]);
  }
  return props;
}

export function service(root, name) {
  const props = readProperties(join(root, name, 'src/main/resources/application.properties'));
  const pom = readFileSync(join(root, name, 'pom.xml'), 'utf8');
  return {
    name,
    props,
    port: Number(props.get('quarkus.http.port')),
    has: (artifact) => pom.includes(`<artifactId>${artifact}</artifactId>`),
  };
}

/** Topic names as the services' shared contract declares them (common/.../contract/Topics.java). */
export function topics(root) {
  const src = readFileSync(join(root, 'common/src/main/java/io/lkfleet/common/contract/Topics.java'), 'utf8');
  const out = {};
  for (const m of src.matchAll(/String\s+(\w+)\s*=\s*"([^"]+)"/g)) out[m[1]] = m[2];
  return out;
}

/** Every main Java source of every module (not build output). */
export function javaSources(root) {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name === 'target' || e.name === 'node_modules' || e.name.startsWith('.')) continue;
        walk(p);
      } else if (e.name.endsWith('.java') && p.includes('/src/main/java/')) {
        files.push(p);
      }
    }
  };
  walk(root);
  return files;
}
