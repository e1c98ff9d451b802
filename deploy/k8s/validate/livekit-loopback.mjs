// Writes a loopback variant of a production livekit.yaml so the real livekit-server can start it
// offline: only what cannot work on a test machine is replaced (public IP discovery by STUN, the
// Sentinel addresses, TLS files, ports and bind address); every other key and value is kept, so
// LiveKit's strict config parsing and validation still judge the file as shipped.
// Usage: node livekit-loopback.mjs <livekit.yaml> <out.yaml> <redis port> <base port> <cert> <key>
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

const [src, out, redisPort, basePort, cert, key] = process.argv.slice(2);
const base = Number(basePort);
const c = parse(readFileSync(src, 'utf8'));
c.bind_addresses = ['127.0.0.1'];
c.port = base;
c.prometheus = { ...c.prometheus, port: base + 1 };
c.redis = { address: `127.0.0.1:${redisPort}` };
c.rtc = {
  ...c.rtc,
  tcp_port: base + 2,
  port_range_start: base + 10,
  port_range_end: base + 30,
  use_external_ip: false,
  node_ip: '127.0.0.1',
  enable_loopback_candidate: true,
  interfaces: { includes: ['lo'] },
  ips: { includes: ['127.0.0.1/32'] },
  stun_servers: ['127.0.0.1:3478'],
};
if (c.turn) {
  c.turn = { ...c.turn, tls_port: base + 3, udp_port: base + 4, cert_file: cert, key_file: key,
    relay_range_start: base + 40, relay_range_end: base + 60 };
}
writeFileSync(out, stringify(c));
