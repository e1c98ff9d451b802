// Checks deploy/docker/Dockerfile.{jvm,native} on paper (no container engine here): one SERVICE
// build arg, COPY sources that are the layout `mvn package` produces for every service module
// (fast-jar quarkus-app/, native *-runner), a numeric non-root USER (Kubernetes runAsNonRoot),
// and listening on all interfaces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from './repo.mjs';

const root = process.argv[2];
const problems = [];
const expect = {
  'Dockerfile.jvm': ['/target/quarkus-app/lib/', '/target/quarkus-app/*.jar', '/target/quarkus-app/app/', '/target/quarkus-app/quarkus/'],
  'Dockerfile.native': ['/target/*-runner'],
};
for (const [name, sources] of Object.entries(expect)) {
  const text = readFileSync(join(root, 'deploy/docker', name), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  if (!/^FROM \S+:\S+/.test(lines[0] ?? '')) problems.push(`${name}: must start FROM a pinned image`);
  if (!lines.some((l) => /^ARG SERVICE$/.test(l))) problems.push(`${name}: needs ARG SERVICE`);
  const copies = lines.filter((l) => l.startsWith('COPY')).map((l) => l.split(/\s+/).filter((w) => !w.startsWith('--'))[1]);
  for (const s of sources) if (!copies.includes(`\${SERVICE}${s}`)) problems.push(`${name}: must COPY \${SERVICE}${s}`);
  const user = lines.filter((l) => l.startsWith('USER')).pop()?.split(/\s+/)[1];
  if (!/^[1-9]\d*$/.test(user ?? '')) problems.push(`${name}: last USER must be a numeric non-root uid`);
  if (!text.includes('quarkus.http.host=0.0.0.0')) problems.push(`${name}: must listen on 0.0.0.0`);
}
for (const s of SERVICES) {
  const pom = readFileSync(join(root, s, 'pom.xml'), 'utf8');
  if (!pom.includes('<packaging>quarkus</packaging>')) problems.push(`${s}: not a Quarkus-packaged module, the Dockerfiles do not fit it`);
}
const rootPom = readFileSync(join(root, 'pom.xml'), 'utf8');
if (!/<id>native<\/id>/.test(rootPom)) problems.push('pom.xml: no `native` profile for Dockerfile.native');
for (const p of problems) console.log(`  ${p}`);
process.exit(problems.length ? 1 : 0);
