// Checks deploy/compose/compose.yaml (no container engine here to run `docker compose config`):
// the one-box shape (LiveKit on the host network, its Redis, lkfleet's Redis, Kafka with the
// contract's topics, the four services), ports and health checks that are the services' real ones,
// the config file mounted where QUARKUS_CONFIG_LOCATIONS points, no secret values, and LiveKit's
// webhook URL reaching webhook-ingest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SERVICES, service, topics } from './repo.mjs';

const root = process.argv[2];
const dir = join(root, 'deploy/compose');
const compose = parse(readFileSync(join(dir, 'compose.yaml'), 'utf8'), { merge: true });
const livekit = parse(readFileSync(join(dir, 'livekit.yaml'), 'utf8'));
const problems = [];
const s = compose.services ?? {};

const lk = Object.entries(s).find(([, v]) => /livekit-server/.test(v.image ?? ''));
if (!lk) problems.push('no livekit-server service');
else {
  if (lk[1].network_mode !== 'host') problems.push('LiveKit needs network_mode: host (media must not pass Docker NAT)');
  if (!lk[1].volumes?.some((v) => v.startsWith('./livekit.yaml:'))) problems.push('LiveKit must mount ./livekit.yaml');
  if (!livekit.turn?.enabled || ![443, 5349].includes(livekit.turn.tls_port)) problems.push('TURN with TLS on 5349 or 443 required');
}
if (!Object.values(s).some((v) => /^apache\/kafka:/.test(v.image ?? '') && v.environment?.KAFKA_PROCESS_ROLES)) problems.push('no Kafka (KRaft) service');
if (Object.values(s).filter((v) => /^redis:/.test(v.image ?? '')).length < 2) problems.push("LiveKit's Redis and lkfleet's Redis must be separate instances");
const t = topics(root);
const topicCmd = JSON.stringify(Object.values(s).map((v) => v.command ?? ''));
for (const name of [t.WEBHOOKS, t.DECISIONS, t.ADMIN_STATE]) if (!topicCmd.includes(`--topic ${name} `)) problems.push(`topic ${name} is not created`);

const webhookPort = service(root, 'webhook-ingest').port;
if (!(livekit.webhook?.urls ?? []).includes(`http://127.0.0.1:${webhookPort}/webhook`)) {
  problems.push(`livekit.yaml webhook must post to webhook-ingest at http://127.0.0.1:${webhookPort}/webhook`);
}
// every ${VAR} lkfleet.yaml references must reach each service's environment
const referenced = [...readFileSync(join(dir, 'lkfleet.yaml'), 'utf8').matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]);
for (const name of SERVICES) {
  const svc = s[name];
  for (const v of referenced) if (svc && !(v in (svc.environment ?? {}))) problems.push(`${name}: lkfleet.yaml references \${${v}} but the service's environment lacks it`);
  const real = service(root, name);
  if (!svc) { problems.push(`service ${name} missing`); continue; }
  const loc = svc.environment?.QUARKUS_CONFIG_LOCATIONS;
  if (!loc || !svc.volumes?.some((v) => v.split(':')[1] === loc)) problems.push(`${name}: QUARKUS_CONFIG_LOCATIONS must be a mounted file`);
  const health = JSON.stringify(svc.healthcheck?.test ?? '');
  if (!health.includes(`:${real.port}/q/health/ready`)) problems.push(`${name}: healthcheck must GET :${real.port}/q/health/ready`);
  for (const p of svc.ports ?? []) if (Number(String(p).split(':').pop()) !== real.port) problems.push(`${name}: publishes ${p}, service listens on ${real.port}`);
  for (const p of svc.ports ?? []) if (!String(p).startsWith('127.0.0.1:')) problems.push(`${name}: publish on 127.0.0.1 only, behind the TLS proxy`);
}
for (const [name, v] of Object.entries(s)) {
  const env = v.environment ?? {};
  for (const [k, val] of Object.entries(env)) {
    if (/SECRET|PASSWORD|TOKEN|KEYS$/.test(k) && !/^\$\{[A-Z0-9_]+(:?[?-][^}]*)?\}$/.test(String(val))) problems.push(`${name}: ${k} must come from .env, not a literal`);
  }
}
for (const p of problems) console.log(`  ${p}`);
process.exit(problems.length ? 1 : 0);
