// The peer of token-service: LiveKit's standard token endpoint in its smallest form on
// livekit-server-sdk — parse {room_name, participant_identity}, sign, answer — with no auth,
// routing or admission. One cluster worker per core, so it gets the same cores token-service gets.
// Usage: PORT=n LIVEKIT_API_KEY=k LIVEKIT_API_SECRET=s LIVEKIT_URL=ws://... node server.mjs
import cluster from 'node:cluster';
import http from 'node:http';
import os from 'node:os';
import { AccessToken } from 'livekit-server-sdk';

const { PORT, LIVEKIT_API_KEY, LIVEKIT_API_SECRET, LIVEKIT_URL } = process.env;
const workers = Number(process.env.NODE_WORKERS || os.availableParallelism());

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', () => process.exit(1));
} else {
  http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const at = new AccessToken(LIVEKIT_API_KEY, LIVEKIT_API_SECRET, { identity: body.participant_identity, ttl: '1h' });
        at.addGrant({ roomJoin: true, room: body.room_name, canPublish: false, canSubscribe: true });
        const out = JSON.stringify({ server_url: LIVEKIT_URL, participant_token: await at.toJwt() });
        res.writeHead(201, { 'Content-Type': 'application/json' }).end(out);
      } catch (e) {
        res.writeHead(400).end();
      }
    });
  }).listen(Number(PORT), '127.0.0.1');
}
