// The synthetic join probe (the guide's "headless bot that joins, publishes and subscribes every
// few minutes"). Per region and round: measure the signalling RTT, fetch two tokens from
// token-service (sending that RTT as region_rtt_ms, which steers the join to the region and feeds
// region-router's learned latency), join a publisher and a subscriber, and time what a user feels:
// token fetch + signal/ICE connect + first media. Prometheus metrics on PROBE_METRICS_PORT:
//   lkfleet_probe_join_seconds{region}            histogram, the whole join (the SyntheticJoinSlow alert)
//   lkfleet_probe_phase_seconds{region,phase}     token | connect | first_media
//   lkfleet_probe_rtt_seconds{region}             signalling RTT
//   lkfleet_probe_failures_total{region,stage}    token | connect | media
// Environment: PROBE_TOKEN_URL, PROBE_API_KEY (secret), PROBE_REGIONS ("name=ws://host:port,…"),
// PROBE_ROOM_PREFIX (the probe tenant's namespace), PROBE_INTERVAL_S (180), PROBE_METRICS_PORT
// (9464), PROBE_ONCE=1 (one round, print it as JSON, exit; for tests).
import { dispose } from '@livekit/rtc-node';
import { createServer } from 'node:http';
import client from 'prom-client';
import { Participant } from './participant.mjs';

const env = (name, fallback) => process.env[name] ?? fallback;
const tokenUrl = env('PROBE_TOKEN_URL', 'http://127.0.0.1:8081/v1/token');
const apiKey = env('PROBE_API_KEY');
const regions = Object.fromEntries(env('PROBE_REGIONS', '').split(',').filter(Boolean).map((r) => r.split('=')));
const roomPrefix = env('PROBE_ROOM_PREFIX', 'probe-');
const timeoutMs = 15000;

const registry = new client.Registry();
const buckets = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10];
const joinSeconds = new client.Histogram({ name: 'lkfleet_probe_join_seconds', help: 'Synthetic join, token to first media',
  labelNames: ['region'], buckets, registers: [registry] });
const phaseSeconds = new client.Histogram({ name: 'lkfleet_probe_phase_seconds', help: 'Synthetic join phases',
  labelNames: ['region', 'phase'], buckets, registers: [registry] });
const rttSeconds = new client.Histogram({ name: 'lkfleet_probe_rtt_seconds', help: 'Signalling RTT to the region',
  labelNames: ['region'], buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5], registers: [registry] });
const failures = new client.Counter({ name: 'lkfleet_probe_failures_total', help: 'Synthetic joins that failed',
  labelNames: ['region', 'stage'], registers: [registry] });

// Every series exists from start-up: a probe that has not joined yet reads 0, not "no data".
for (const region of Object.keys(regions)) {
  joinSeconds.zero({ region });
  rttSeconds.zero({ region });
  for (const phase of ['token', 'connect', 'first_media']) phaseSeconds.zero({ region, phase });
  for (const stage of ['token', 'connect', 'media']) failures.labels(region, stage).inc(0);
}

async function rttMs(url) {
  const http = url.replace(/^ws/, 'http');
  const samples = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await fetch(http, { signal: AbortSignal.timeout(2000) });
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[1];
}

async function token(room, identity, rtt, grants) {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    signal: AbortSignal.timeout(5000),
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ room_name: room, participant_identity: identity, region_rtt_ms: rtt, grants, ttl_seconds: 300 }),
  });
  const body = await response.json();
  if (response.status !== 201) throw new Error(`token-service answered ${response.status}: ${body.type}`);
  return body;
}

async function probe(region, url) {
  let stage = 'token';
  const result = { region };
  const people = [];
  try {
    result.rttMs = Math.round(await rttMs(url));
    rttSeconds.labels(region).observe(result.rttMs / 1000);
    const room = `${roomPrefix}${region}-${Date.now()}`;
    const rtt = { [region]: Math.max(1, result.rttMs) };
    const started = performance.now();
    const [pub, sub] = await Promise.all([token(room, 'probe-pub', rtt, ['publish', 'subscribe']),
      token(room, 'probe-sub', rtt, ['subscribe'])]);
    result.tokenMs = Math.round(performance.now() - started);
    result.routedTo = sub.region;
    stage = 'connect';
    const publisher = new Participant({ url: pub.server_url, token: pub.participant_token, publish: ['audio', 'video'] });
    const subscriber = new Participant({ url: sub.server_url, token: sub.participant_token, publish: [] });
    people.push(publisher, subscriber);
    const connectStarted = performance.now();
    await Promise.all([subscriber.join(timeoutMs), publisher.join(timeoutMs)]);
    result.connectMs = Math.round(performance.now() - connectStarted);
    stage = 'media';
    await subscriber.firstMedia(2, timeoutMs);
    result.firstMediaMs = Math.round(performance.now() - connectStarted - result.connectMs);
    result.joinMs = Math.round(performance.now() - started);
    joinSeconds.labels(region).observe(result.joinMs / 1000);
    phaseSeconds.labels(region, 'token').observe(result.tokenMs / 1000);
    phaseSeconds.labels(region, 'connect').observe(result.connectMs / 1000);
    phaseSeconds.labels(region, 'first_media').observe(result.firstMediaMs / 1000);
    result.ok = true;
  } catch (err) {
    failures.labels(region, stage).inc();
    Object.assign(result, { ok: false, stage, error: String(err?.message ?? err) });
  } finally {
    await Promise.allSettled(people.map((p) => p.leave()));
  }
  return result;
}

async function round() {
  const results = [];
  for (const [region, url] of Object.entries(regions)) results.push(await probe(region, url));
  return results;
}

if (!apiKey || Object.keys(regions).length === 0) {
  process.stderr.write('probe: set PROBE_API_KEY and PROBE_REGIONS\n');
  process.exit(2);
}
if (env('PROBE_ONCE') === '1') {
  const results = await round();
  process.stdout.write(JSON.stringify({ results, metrics: await registry.metrics() }) + '\n');
  await dispose();
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}
createServer(async (req, res) => {
  res.setHeader('content-type', registry.contentType);
  res.end(await registry.metrics());
}).listen(Number(env('PROBE_METRICS_PORT', '9464')), '127.0.0.1');
for (;;) {
  await round();
  await new Promise((resolve) => setTimeout(resolve, Number(env('PROBE_INTERVAL_S', '180')) * 1000));
}
