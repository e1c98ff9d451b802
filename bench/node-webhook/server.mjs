// The peer of webhook-ingest: the receiver a LiveKit user would write instead. livekit-server-sdk's
// WebhookReceiver verifies the signed body, an idempotent kafkajs producer (acks=all) writes it to
// the same topic with the same key and headers as webhook-ingest, and the answer (200) comes only
// after the broker's ack. One cluster worker per core, so it gets the cores webhook-ingest gets.
// Usage: PORT=n KAFKA=host:port REGION=r LIVEKIT_API_KEY=k LIVEKIT_API_SECRET=s node server.mjs
import cluster from 'node:cluster';
import http from 'node:http';
import os from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { WebhookReceiver } from 'livekit-server-sdk';

const { PORT, KAFKA, REGION, LIVEKIT_API_KEY, LIVEKIT_API_SECRET } = process.env;
const TOPIC = process.env.TOPIC || 'livekit.webhooks';
const workers = Number(process.env.NODE_WORKERS || os.availableParallelism());

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', () => process.exit(1));
} else {
  const receiver = new WebhookReceiver(LIVEKIT_API_KEY, LIVEKIT_API_SECRET);
  const producer = new Kafka({ clientId: 'node-webhook-peer', brokers: [KAFKA], logLevel: logLevel.ERROR })
    .producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event;
      try {
        event = await receiver.receive(body, req.headers.authorization);
      } catch (e) {
        res.writeHead(401).end();
        return;
      }
      try {
        await producer.send({
          topic: TOPIC,
          acks: -1,
          messages: [{
            key: `${REGION}/${event.room?.name || `event:${event.id}`}`,
            value: body,
            headers: { 'lkfleet-region': REGION, 'lkfleet-event': event.event, 'lkfleet-event-id': event.id },
          }],
        });
        res.writeHead(200).end();
      } catch (e) {
        res.writeHead(503).end();
      }
    });
  }).listen(Number(PORT), '127.0.0.1');
}
