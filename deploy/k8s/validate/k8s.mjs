// Validates rendered Kustomize output (one multi-document YAML file per overlay) offline:
// 1. every object against the Kubernetes schemas (npm kubernetes-models; Prometheus Operator CRDs
//    from @kubernetes-models/prometheus-operator); Strimzi objects by the rules below, since no
//    schema package exists for them;
// 2. the rules of the ops guide and of lkfleet's services (see each check's message).
// Usage: node k8s.mjs <repo root> <rendered.yaml>; prints the problems and exits 1 if any.
import { readFileSync } from 'node:fs';
import { parseAllDocuments, parse } from 'yaml';
import { SERVICES, service, topics } from './repo.mjs';

const [root, file] = process.argv.slice(2);
const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
const problems = [];
const fail = (obj, msg) => problems.push(`${obj ? `${obj.kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}: ` : ''}${msg}`);
const of = (kind) => docs.filter((d) => d.kind === kind);
const named = (kind, name) => of(kind).find((d) => d.metadata.name === name);
// a service runs as a Deployment, or a StatefulSet when it keeps something on disk (webhook-ingest's spool)
const workload = (name) => named('Deployment', name) ?? named('StatefulSet', name);

// --- 1. schemas -------------------------------------------------------------------------------
const SCHEMA_MODULES = {
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};
for (const obj of docs) {
  const api = obj.apiVersion ?? '';
  if (api.startsWith('kafka.strimzi.io/')) continue; // checked in section 2
  const module = SCHEMA_MODULES[api] ?? `kubernetes-models/${api}`;
  let models;
  try {
    models = await import(module);
  } catch {
    fail(obj, `no schema for apiVersion ${api}`);
    continue;
  }
  const Model = models[obj.kind];
  if (!Model) {
    fail(obj, `unknown kind for ${api}`);
    continue;
  }
  try {
    new Model(obj).validate();
  } catch (e) {
    fail(obj, `schema: ${e.message}`);
  }
}

// --- 2. rules ---------------------------------------------------------------------------------
const workloads = docs.filter((d) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(d.kind));
const podSpec = (w) => w.spec.template.spec;
const SECRETISH = /SECRET|PASSWORD|TOKEN|PRIVATE|CREDENTIAL/i;

// No secret material in anything we ship: Secrets are created out of band, env carries references.
for (const s of of('Secret')) fail(s, 'Secret objects must not be committed; create them out of band');
for (const w of workloads) {
  for (const c of [...podSpec(w).containers, ...(podSpec(w).initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      if (SECRETISH.test(e.name) && e.value !== undefined) fail(w, `env ${e.name} is a literal; use secretKeyRef`);
    }
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) {
      fail(w, `container ${c.name} needs cpu/memory requests and a memory limit`);
    }
  }
  if (!of('PodDisruptionBudget').some((p) => matches(p.spec.selector, w.spec.template.metadata.labels))) {
    fail(w, 'has no PodDisruptionBudget');
  }
}
for (const cm of of('ConfigMap')) {
  for (const [key, text] of Object.entries(cm.data ?? {})) {
    if (!/\.ya?ml$/.test(key)) continue;
    const flat = flatten(parse(text) ?? {});
    for (const [k, v] of flat) {
      const leaf = k.split('.').pop();
      if (/secret|password/i.test(leaf) && !/^\$\{[A-Z0-9_]+\}$/.test(String(v)) && !/(file|master_name|username)$/.test(leaf)) {
        fail(cm, `${key}: ${k} holds a literal; reference an env var as \${NAME}`);
      }
    }
    if (flat.some(([k]) => k === 'keys' || k.startsWith('keys.'))) fail(cm, `${key}: LiveKit keys belong in the key file Secret`);
  }
}

// lkfleet services: probes on the paths SmallRye Health really serves, on the port the service
// really listens on; metrics where Micrometer's Prometheus registry serves them.
const PROBES = { startupProbe: '/q/health/started', livenessProbe: '/q/health/live', readinessProbe: '/q/health/ready' };
for (const name of SERVICES) {
  const d = workload(name);
  if (!d) continue;
  const svc = service(root, name);
  const c = podSpec(d).containers[0];
  const httpPort = (c.ports ?? []).find((p) => p.name === 'http');
  if (!Number.isInteger(svc.port)) fail(d, `${name}/src/main/resources/application.properties has no quarkus.http.port`);
  else if (httpPort?.containerPort !== svc.port) fail(d, `port http is ${httpPort?.containerPort}, the service listens on ${svc.port}`);
  if (!svc.has('quarkus-smallrye-health')) fail(d, `${name} lacks quarkus-smallrye-health, so /q/health/* is not served`);
  for (const [probe, path] of Object.entries(PROBES)) {
    const get = c[probe]?.httpGet;
    if (get?.path !== path || (get.port !== 'http' && get.port !== svc.port)) fail(d, `${probe} must GET ${path} on port http`);
  }
  const v = of('Service').find((s) => s.metadata.name === name);
  if (!v || v.spec.ports[0].targetPort !== 'http') fail(d, 'needs a Service targeting port http');
  const scraped = of('PodMonitor').some((m) => matches(m.spec.selector, d.spec.template.metadata.labels)
    && m.spec.podMetricsEndpoints.some((e) => e.path === '/q/metrics' && e.port === 'http'));
  if (!scraped) fail(d, 'is not scraped at /q/metrics');
  if (!svc.has('quarkus-micrometer-registry-prometheus')) fail(d, `${name} lacks the Prometheus registry, so /q/metrics is not served`);
  const stateless = name !== 'capacity-service';
  const hpa = of('HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === name);
  if (stateless && !hpa) fail(d, 'is stateless and needs a HorizontalPodAutoscaler');
  const config = podSpec(d).volumes?.find((vol) => vol.configMap)?.configMap?.name;
  if (!config || !of('ConfigMap').some((cm) => cm.metadata.name === config && cm.data?.['lkfleet.yaml'])) {
    fail(d, 'must mount a ConfigMap holding lkfleet.yaml');
  }
  const locations = c.env?.find((e) => e.name === 'QUARKUS_CONFIG_LOCATIONS')?.value;
  const mount = c.volumeMounts?.find((m) => m.name === podSpec(d).volumes.find((vol) => vol.configMap).name)?.mountPath;
  if (locations !== `${mount}/lkfleet.yaml`) fail(d, `QUARKUS_CONFIG_LOCATIONS (${locations}) must point at the mounted lkfleet.yaml`);
}
const present = SERVICES.filter((n) => workload(n));
if (present.length && present.length !== SERVICES.length) fail(null, `only some services rendered: ${present}`);

// Kafka: the topics the services use (Topics.java), sized for replay.
if (present.length) {
  const t = topics(root);
  const kafka = of('Kafka')[0];
  if (!kafka) fail(null, 'the control plane needs a Strimzi Kafka');
  const topic = (n) => of('KafkaTopic').find((k) => (k.spec.topicName ?? k.metadata.name) === n);
  const webhooks = topic(t.WEBHOOKS);
  const decisions = topic(t.DECISIONS);
  if (!webhooks) fail(null, `no KafkaTopic ${t.WEBHOOKS}`);
  if (!decisions) fail(null, `no KafkaTopic ${t.DECISIONS}`);
  const adminState = topic(t.ADMIN_STATE);
  if (!adminState) fail(null, `no KafkaTopic ${t.ADMIN_STATE}`);
  if (adminState && adminState.spec.config?.['cleanup.policy'] !== 'compact') fail(adminState, 'must be compacted: it holds the decisions in force, not their history');
  for (const k of [webhooks, decisions, adminState].filter(Boolean)) {
    if (k.metadata.labels?.['strimzi.io/cluster'] !== kafka?.metadata.name) fail(k, 'strimzi.io/cluster label must name the Kafka');
    if (!(k.spec.replicas >= 3) || !(Number(k.spec.config?.['min.insync.replicas']) >= 2)) fail(k, 'needs replicas >= 3 and min.insync.replicas >= 2 (acks=all survives a broker loss)');
  }
  if (webhooks && !(webhooks.spec.partitions >= 12)) fail(webhooks, 'needs >= 12 partitions');
  if (webhooks && !(Number(webhooks.spec.config?.['retention.ms']) >= 7 * 86400000)) fail(webhooks, 'retention must allow replay (>= 7 days)');
  if (webhooks?.spec.config?.['cleanup.policy']?.includes('compact')) fail(webhooks, 'must not be compacted: every event counts');
  for (const cm of of('ConfigMap').filter((m) => m.data?.['lkfleet.yaml'])) {
    const servers = parse(cm.data['lkfleet.yaml'])?.kafka?.bootstrap?.servers ?? '';
    if (kafka && !servers.startsWith(`${kafka.metadata.name}-kafka-bootstrap`)) fail(cm, `kafka.bootstrap.servers ${servers} is not the Strimzi bootstrap of ${kafka.metadata.name}`);
  }
  if (!of('StatefulSet').some((s) => s.metadata.name === 'redis' && s.metadata.namespace === workload(SERVICES[0]).metadata.namespace)) {
    fail(null, "lkfleet's own Redis (Sentinel) is missing");
  }
}

// LiveKit, per the guide: one SFU per node on the host network, only signalling behind the
// ingress, a long grace period and a drain through region-router before SIGTERM.
for (const lk of docs.filter((d) => d.spec?.template?.spec?.containers?.some((c) => /livekit-server/.test(c.image)))) {
  const spec = podSpec(lk);
  const ns = lk.metadata.namespace;
  if (lk.kind !== 'DaemonSet') fail(lk, 'LiveKit must run as a DaemonSet (one SFU per node)');
  if (spec.hostNetwork !== true) fail(lk, 'LiveKit needs hostNetwork: true');
  if (spec.dnsPolicy !== 'ClusterFirstWithHostNet') fail(lk, 'hostNetwork pods need dnsPolicy ClusterFirstWithHostNet to resolve cluster services');
  if (!(spec.terminationGracePeriodSeconds >= 1800)) fail(lk, 'terminationGracePeriodSeconds must let meetings end (>= 1800)');
  if (!spec.nodeSelector || !Object.keys(spec.nodeSelector).length) fail(lk, 'must be pinned to dedicated SFU nodes (nodeSelector)');
  const c = spec.containers[0];
  const preStop = (c.lifecycle?.preStop?.exec?.command ?? []).join(' ');
  if (!/\/v1\/admin\/nodes\/\$\w+\/drain/.test(preStop)) fail(lk, "preStop must call region-router's POST /v1/admin/nodes/{nodeId}/drain");
  const cfgVol = spec.volumes.find((v) => v.configMap)?.configMap.name;
  const cfgMap = of('ConfigMap').find((m) => m.metadata.name === cfgVol && m.metadata.namespace === ns);
  const lkyaml = cfgMap?.data?.['livekit.yaml'] ? parse(cfgMap.data['livekit.yaml']) : null;
  if (!lkyaml) fail(lk, 'must mount a ConfigMap with livekit.yaml');
  if (!c.args?.includes('/etc/livekit/livekit.yaml')) fail(lk, 'must start with --config /etc/livekit/livekit.yaml');
  if (lkyaml) {
    const signal = lkyaml.port ?? 7880;
    if (!lkyaml.rtc?.port_range_start || !lkyaml.rtc?.port_range_end) fail(cfgMap, 'livekit.yaml needs an rtc UDP port range');
    if (lkyaml.rtc?.use_external_ip !== true) fail(cfgMap, 'livekit.yaml must advertise the node IP (use_external_ip: true)');
    if (!lkyaml.turn?.enabled || ![443, 5349].includes(lkyaml.turn?.tls_port)) fail(cfgMap, 'TURN with TLS on 5349 or 443 required');
    if (!lkyaml.redis?.sentinel_addresses && !lkyaml.redis?.address) fail(cfgMap, 'livekit.yaml needs its region Redis');
    for (const s of of('Service').filter((s) => s.metadata.namespace === ns && matches({ matchLabels: s.spec.selector }, lk.spec.template.metadata.labels))) {
      for (const p of s.spec.ports) if (p.port !== signal) fail(s, `only signalling (${signal}) may be behind a Service, not ${p.port}`);
    }
    const ingresses = of('Ingress').filter((i) => i.metadata.namespace === ns);
    if (!ingresses.length) fail(lk, 'signalling needs an Ingress');
    const webhook = lkyaml.webhook?.urls ?? [];
    if (!webhook.some((u) => /\/webhook$/.test(u))) fail(cfgMap, 'webhook.urls must point at webhook-ingest POST /webhook');
  }
  const keys = spec.volumes.find((v) => v.secret && c.args?.join(' ').includes(`/etc/livekit-keys`));
  if (!keys) fail(lk, 'API keys must come from a Secret mounted as --key-file');
  if (!of('PodMonitor').some((m) => m.metadata.namespace === ns && matches(m.spec.selector, lk.spec.template.metadata.labels))) fail(lk, 'LiveKit metrics are not scraped');
  if (!of('StatefulSet').some((s) => s.metadata.name === 'redis' && s.metadata.namespace === ns)) fail(lk, 'the region needs its own Redis in its namespace');
}

// --- 3. network isolation ---------------------------------------------------------------------
// Every namespace we ship objects into denies all ingress by default; policies then open what each
// caller needs (base/network-policies.yaml, livekit/network-policies.yaml).
const namespaces = new Set([...of('Namespace').map((n) => n.metadata.name),
  ...docs.filter((d) => d.kind !== 'Namespace' && d.metadata?.namespace).map((d) => d.metadata.namespace)]);
const denyAll = (p) => Object.keys(p.spec?.podSelector ?? {}).length === 0 && (p.spec?.policyTypes ?? []).includes('Ingress')
  && !(p.spec?.ingress ?? []).length;
for (const ns of namespaces) {
  const policies = of('NetworkPolicy').filter((p) => p.metadata.namespace === ns);
  if (!policies.length) fail(null, `namespace ${ns} has no NetworkPolicy`);
  else if (!policies.some(denyAll)) fail(null, `namespace ${ns} has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress], no rules)`);
}
for (const p of of('NetworkPolicy')) {
  for (const rule of p.spec?.ingress ?? []) {
    if (!rule.from?.length) fail(p, 'an ingress rule without "from" admits every source');
    if ((rule.from ?? []).some((f) => f.ipBlock?.cidr === '0.0.0.0/0')) fail(p, 'an ipBlock of 0.0.0.0/0 admits every source');
  }
}
// lkfleet's Redis and Kafka: only lkfleet's services (and Redis' own pods) reach them.
for (const p of of('NetworkPolicy').filter((x) => x.metadata.namespace === 'lkfleet' && x.spec?.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'redis')) {
  const peers = (p.spec.ingress ?? []).flatMap((r) => r.from ?? []);
  const allowed = (f) => !f.namespaceSelector && !f.ipBlock && ['service', undefined].includes(f.podSelector?.matchLabels?.['app.kubernetes.io/component'])
    && (f.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'service' || f.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'redis');
  for (const f of peers) if (!allowed(f)) fail(p, `lkfleet's Redis admits ${JSON.stringify(f)}; only lkfleet's services and Redis' own pods may reach it`);
}
for (const k of of('Kafka')) {
  for (const l of k.spec?.kafka?.listeners ?? []) {
    const peers = l.networkPolicyPeers ?? [];
    if (!peers.length || peers.some((f) => f.podSelector?.matchLabels?.['app.kubernetes.io/component'] !== 'service' || f.namespaceSelector)) {
      fail(k, `listener ${l.name} must admit only lkfleet's services (networkPolicyPeers: podSelector app.kubernetes.io/component=service)`);
    }
    // design §5: nothing open by default
    if (!l.tls || !l.authentication?.type) fail(k, `listener ${l.name} must take TLS and a login (tls: true, authentication)`);
  }
  if (!k.spec?.kafka?.authorization?.type) fail(k, 'Kafka needs authorization, or every login may do everything');
}
// Each service logs in to Kafka as its own KafkaUser, whose ACLs name only declared topics.
const declaredTopics = new Set(of('KafkaTopic').map((t) => t.spec?.topicName ?? t.metadata.name));
for (const u of of('KafkaUser')) {
  for (const acl of u.spec?.authorization?.acls ?? []) {
    if (acl.resource?.type === 'topic' && !declaredTopics.has(acl.resource.name)) fail(u, `ACL on topic ${acl.resource.name}, which no KafkaTopic declares`);
  }
}
if (of('Kafka').length) {
  for (const name of SERVICES) {
    const env = workload(name)?.spec?.template?.spec?.containers?.[0]?.env ?? [];
    const login = env.find((e) => e.name === 'KAFKA_SASL_JAAS_CONFIG')?.valueFrom?.secretKeyRef?.name;
    if (!login || !named('KafkaUser', login)) fail(workload(name), 'needs KAFKA_SASL_JAAS_CONFIG from the Secret of its own KafkaUser');
  }
}

function matches(selector, labels) {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
}
function flatten(obj, prefix = '', out = []) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out.push([key, v]);
  }
  return out;
}

for (const p of problems) console.log(`  ${p}`);
console.log(`${file}: ${docs.length} objects, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
