package io.lkfleet.bench;

import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.common.contract.Topics;
import io.lkfleet.common.contract.WebhookHeaders;
import io.lkfleet.local.FleetLayout;
import io.lkfleet.local.ManagedProcess;
import io.lkfleet.local.RedisUsers;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * webhook-ingest's accepted events/s for signed webhooks, beside the receiver a user would write
 * instead (bench/node-webhook: livekit-server-sdk's WebhookReceiver + an idempotent kafkajs producer),
 * Kafka's ProducerPerformance on the same broker with the same record size and acks=all, and a count
 * of what reached the topic.
 */
final class WebhookBench {
    static final int RECORD_SIZE = 512;
    private static final int REQUESTS = 60_000;
    private static final String ID_PREFIX = "EV_wb";
    /** The region the requests are signed for. */
    private static final String REGION = "eu-west";
    private static final String PERF_TOPIC = "bench.producer-performance";
    private static final String CONSUMER = "capacity-service";
    /** capacity-service's consumer group (mp.messaging.incoming.livekit-webhooks.group.id). */
    private static final String CONSUMER_GROUP = "capacity-service";

    private final BenchContext ctx;
    private final KafkaTools kafka;

    WebhookBench(BenchContext ctx, KafkaTools kafka) {
        this.ctx = ctx;
        this.kafka = kafka;
    }

    Section run() throws Exception {
        String url = ctx.serviceUrl("webhook-ingest") + "/webhook";
        Path warm = Wrk.requestFile(ctx.workDir().resolve("webhook-warm.txt"), signed("warm", 20_000));
        Path pipelineRequests = Wrk.requestFile(ctx.workDir().resolve("webhook-pipeline.txt"), signed("pipe", REQUESTS));
        Path requests = Wrk.requestFile(ctx.workDir().resolve("webhook-requests.txt"), signed("run", REQUESTS));
        Path peerRequests = Wrk.requestFile(ctx.workDir().resolve("webhook-peer.txt"), signed("peer", REQUESTS));
        // A freshly started JVM: warmed as long as the token phase warms its services (after 5 s webhook-ingest
        // still ran partly interpreted, so the pipeline row, measured first, was measured on a colder JVM).
        ctx.wrk().run(url, warm, "application/webhook+json", ctx.connections(), ctx.jvmWarmUp());

        Map<TopicPartition, Long> before = kafka.endOffsets(Topics.WEBHOOKS);
        ManagedProcess capacity = ctx.fleet().services().get(CONSUMER);
        Map<String, Long> pathPids = new LinkedHashMap<>();
        pathPids.put("webhook-ingest", ctx.fleet().services().get("webhook-ingest").pid());
        pathPids.put("capacity-service", capacity.pid());
        pathPids.put("lkfleet's Redis", ctx.fleetRedisPid());
        pathPids.put("Kafka broker", ctx.fleet().kafka().process().pid());
        CpuBudget budget = new CpuBudget(pathPids);
        // The real pipeline first: capacity-service consumes and applies every event meanwhile.
        CpuBudget.Snapshot pipelineStart = budget.take();
        Wrk.Result pipeline = ctx.wrk().run(url, pipelineRequests, "application/webhook+json", ctx.connections(), ctx.measure());
        Map<String, Double> pipelineCpu = CpuBudget.perEventUs(pipelineStart, budget.take(), pipeline.count(200));
        // Then like for like with the peer, whose topic has no consumer: capacity-service paused (SIGSTOP) for
        // webhook-ingest's run and both peer runs, so neither side shares the cores with a consumer.
        Wrk.Result ours;
        Wrk.Result peer;
        Wrk.Result httpFloor;
        KafkaTools.PerfResult ceiling;
        KafkaTools.PerfResult atOurRate;
        long sameRate;
        Map<String, Double> aloneCpu;
        signal(capacity, "STOP");
        try {
            CpuBudget.Snapshot aloneStart = budget.take();
            ours = ctx.wrk().run(url, requests, "application/webhook+json", ctx.connections(), ctx.measure());
            aloneCpu = CpuBudget.perEventUs(aloneStart, budget.take(), ours.count(200));
            // The same requests with a content type LiveKit never sends: answered 415 at the first check, before any
            // crypto, parsing or Kafka. What wrk, HTTP and the framework alone allow on this box.
            httpFloor = ctx.wrk().run(url, requests, "text/plain", ctx.connections(), ctx.measure());
            peer = nodePeer(warm, peerRequests);
            kafka.createTopic(PERF_TOPIC, ctx.fleet().layout().local().kafka().webhookPartitions());
            ceiling = kafka.producerPerformance(PERF_TOPIC, 150_000, RECORD_SIZE, -1);
            sameRate = Math.max(1, Math.round(ours.ratePerSecond(200)));
            atOurRate = kafka.producerPerformance(PERF_TOPIC, sameRate * ctx.measure().toSeconds() / 2, RECORD_SIZE, sameRate);
        } finally {
            signal(capacity, "CONT");
        }
        Map<TopicPartition, Long> after = kafka.endOffsets(Topics.WEBHOOKS);
        List<String> landed = kafka.records(before, after, r -> {
            String id = eventId(r);
            return id.startsWith(ID_PREFIX + "run") || id.startsWith(ID_PREFIX + "pipe") ? id : null;
        });
        long peerLanded = kafka.records(before, after, r -> eventId(r).startsWith(ID_PREFIX + "peer") ? Boolean.TRUE : null).size();
        Set<String> distinct = new HashSet<>(landed);
        long accepted = ours.count(200) + pipeline.count(200);
        boolean noLoss = landed.size() >= accepted;
        // Later phases start with capacity-service caught up, not draining this phase's backlog.
        Duration caughtUp = kafka.awaitConsumed(CONSUMER_GROUP, Topics.WEBHOOKS, Duration.ofSeconds(180));
        // capacity-service commits a poll only once Redis applied it; count the ids really there (applied = produced)
        long applied = appliedOf(distinct);

        double oursRate = ours.ratePerSecond(200);
        double peerRate = peer.ratePerSecond(200);
        double floorRate = httpFloor.ratePerSecond(415);
        double pipelineRate = pipeline.ratePerSecond(200);
        boolean peerGoal = oursRate >= 1.5 * peerRate && ours.p99Us() < peer.p99Us() && oursRate >= 0.6 * floorRate;
        return new Section("webhook-ingest: accepted signed webhooks/s at " + ctx.connections() + " connections")
                .row("webhook-ingest accepted events/s (200 only)", Section.perSecond(oursRate),
                        "Kafka ProducerPerformance, unthrottled: " + Section.perSecond(ceiling.recordsPerSecond()),
                        Section.ratio(oursRate, ceiling.recordsPerSecond()))
                .row("webhook-ingest vs the receiver a user would write: accepted/s",
                        Section.perSecond(oursRate), "Node WebhookReceiver + kafkajs (idempotent, acks=all): "
                                + Section.perSecond(peerRate), Section.ratio(oursRate, peerRate))
                .row("webhook-ingest vs the Node receiver: p50 / p99",
                        Section.ms(ours.p50Us() / 1e3) + " / " + Section.ms(ours.p99Us() / 1e3),
                        "Node: " + Section.ms(peer.p50Us() / 1e3) + " / " + Section.ms(peer.p99Us() / 1e3), "")
                .row("webhook-ingest p50 / p99 (HTTP, incl. Kafka ack)",
                        Section.ms(ours.p50Us() / 1e3) + " / " + Section.ms(ours.p99Us() / 1e3),
                        "ProducerPerformance at the same rate (" + sameRate + "/s): " + atOurRate.p50Ms() + " ms / "
                                + atOurRate.p99Ms() + " ms",
                        "")
                .row("webhook-ingest with capacity-service consuming (real pipeline): events/s, p50 / p99",
                        Section.perSecond(pipelineRate) + ", " + Section.ms(pipeline.p50Us() / 1e3) + " / "
                                + Section.ms(pipeline.p99Us() / 1e3), "webhook-ingest alone (consumer paused): "
                                + Section.perSecond(oursRate) + " (goal ≥ 0.8×)", Section.ratio(pipelineRate, oursRate))
                .row("CPU per accepted event, real pipeline (2 cores give 2,000,000 µs/s)", CpuBudget.describe(pipelineCpu),
                        "webhook-ingest alone: " + CpuBudget.describe(aloneCpu), "")
                .row("webhook-ingest answering 415 at its first check (HTTP and framework only, same requests)",
                        Section.perSecond(httpFloor.ratePerSecond(415)) + ", " + Section.ms(httpFloor.p50Us() / 1e3) + " / "
                                + Section.ms(httpFloor.p99Us() / 1e3),
                        "Kafka ProducerPerformance, unthrottled", Section.ratio(httpFloor.ratePerSecond(415), ceiling.recordsPerSecond()))
                .row("zero loss: records in topic ≥ 200 answers", landed.size() + " ≥ " + accepted + ": " + (noLoss ? "yes" : "NO"),
                        "Node: " + peerLanded + " ≥ " + peer.count(200) + ": " + (peerLanded >= peer.count(200) ? "yes" : "NO"), "")
                .row("zero loss: distinct event ids applied by capacity-service = produced", applied + " = " + distinct.size()
                        + ": " + (applied == distinct.size() ? "yes" : "NO"), "", "")
                .note("Goal (issue 3): ≥ 60 % of the raw producer's throughput, zero loss — "
                        + (oursRate >= 0.6 * ceiling.recordsPerSecond() && noLoss ? "met" : "NOT met") + " in this run.")
                .note("Goal (issue 16.3): ≥ 1.5× the Node receiver's accepted/s at a lower p99, and ≥ 0.6× the HTTP"
                        + " floor — " + (peerGoal ? "met" : "NOT met") + " in this run (" + Section.ratio(oursRate, floorRate)
                        + " of the floor).")
                .note("Node peer: node:http + WebhookReceiver.receive (livekit-server-sdk 2.19.2) + kafkajs 2.2.4"
                        + " producer.send per request (idempotent, acks=-1, no compression, as webhook-ingest),"
                        + " same key and headers as webhook-ingest, answering after the ack; 2 cluster workers; status mix "
                        + peer.statusMix() + ".")
                .note("webhook-ingest status mix: " + ours.statusMix() + " (consumer paused), " + pipeline.statusMix()
                        + " (consumer running); " + distinct.size() + " distinct event ids landed; capacity-service had consumed"
                        + " everything " + (caughtUp == null ? "not within 180 s" : caughtUp.toMillis() / 1000.0 + " s")
                        + " after it was resumed.")
                .note("Warm-up: " + ctx.jvmWarmUp().toSeconds() + " s for webhook-ingest (capacity-service consuming) and"
                        + " for the Node receiver, each before its first measured run.")
                .note("Requests: " + REQUESTS + " pre-signed participant_joined webhooks of " + RECORD_SIZE + " bytes per run"
                        + " (LiveKit's HS256 JWT, iss = API key, sha256 claim of the body), region eu-west; wrk cycles the set"
                        + " if it sends more. The unthrottled ProducerPerformance latency is queueing, so the second peer run"
                        + " is throttled to the rate webhook-ingest reached.")
                .note("Both: acks=all, idempotence on, no compression, " + RECORD_SIZE + "-byte values, topics of "
                        + ctx.fleet().layout().local().kafka().webhookPartitions() + " partitions on the same broker; ProducerPerformance with linger.ms=1, webhook-ingest with linger.ms=0 and one"
                        + " produce request in flight (records arriving meanwhile go in the next one)."
                        + " Like for like: capacity-service (the only consumer of livekit.webhooks) is paused with SIGSTOP"
                        + " while webhook-ingest's headline run and both peer runs are measured; the pipeline row before"
                        + " them is the same load with it consuming. ProducerPerformance keeps as many records in flight as"
                        + " its buffer holds; webhook-ingest has at most " + ctx.connections() + " (one per connection),"
                        + " each answered only after its own ack.")
                .note("CPU per event: each process's user + system time over the measured window ÷ the 200 answers of"
                        + " that window; the rest of the box is /proc/stat's busy time less those processes (wrk, the bench's"
                        + " JVM, livekit-server, the other services, anything else on the machine), idle is the cores' idle"
                        + " time. In the pipeline window capacity-service applies the events as they come (its catch-up after"
                        + " the paused runs is not in it).")
                .raw("cpu_us_per_event_pipeline", pipelineCpu).raw("cpu_us_per_event_alone", aloneCpu)
                .raw("webhook_ingest", ours).raw("webhook_ingest_with_consumer", pipeline).raw("node_receiver", peer)
                .raw("node_receiver_records_landed", peerLanded).raw("node_peer_goal_met", peerGoal)
                .raw("webhook_ingest_415_floor", httpFloor).raw("records_landed", landed.size())
                .raw("distinct_ids_landed", distinct.size()).raw("distinct_ids_applied", applied).raw("no_loss", noLoss)
                .raw("producer_performance_unthrottled", ceiling).raw("producer_performance_at_same_rate", atOurRate)
                .raw("consumer_caught_up_ms", caughtUp == null ? -1 : caughtUp.toMillis());
    }

    /** The Node receiver, started for its run and stopped after it; measured like webhook-ingest, after the same warm-up. */
    private Wrk.Result nodePeer(Path warm, Path requests) throws Exception {
        FleetLayout.Region region = ctx.region(REGION);
        int port = Procs.freePort();
        Process node = Procs.start(List.of("node", ctx.repoRoot().resolve("bench/node-webhook/server.mjs").toString()),
                Map.of("PORT", Integer.toString(port), "KAFKA", ctx.fleet().layout().kafkaBootstrap(), "REGION", region.name(),
                        "LIVEKIT_API_KEY", region.apiKey(), "LIVEKIT_API_SECRET", region.apiSecret(), "NODE_WORKERS", "2"),
                ctx.workDir().resolve("node-webhook.log"));
        try {
            Procs.awaitListening(port, "the Node webhook receiver");
            String url = "http://127.0.0.1:" + port + "/";
            ctx.wrk().run(url, warm, "application/webhook+json", ctx.connections(), ctx.jvmWarmUp());
            return ctx.wrk().run(url, requests, "application/webhook+json", ctx.connections(), ctx.measure());
        } finally {
            Procs.stop(node);
        }
    }

    /** How many of {@code ids} are in the region's applied-events set of lkfleet's Redis. */
    private long appliedOf(Set<String> ids) throws Exception {
        Vertx vertx = Vertx.vertx();
        Redis redis = Redis.createClient(vertx, ctx.fleet().layout().fleetRedisUri(RedisUsers.ADMIN));
        try {
            long found = 0;
            List<String> all = new ArrayList<>(ids);
            for (int from = 0; from < all.size(); from += 1000) {
                Request zmscore = Request.cmd(Command.create("ZMSCORE")).arg(RedisKeys.appliedEvents(REGION));
                all.subList(from, Math.min(all.size(), from + 1000)).forEach(zmscore::arg);
                Response scores = redis.send(zmscore).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                for (int i = 0; i < scores.size(); i++) {
                    found += scores.get(i) == null ? 0 : 1;
                }
            }
            return found;
        } finally {
            redis.close();
            vertx.close();
        }
    }

    /** Pauses ({@code STOP}) or resumes ({@code CONT}) a fleet process. */
    private void signal(ManagedProcess process, String signal) {
        Procs.run(List.of("kill", "-" + signal, Long.toString(process.pid())), Map.of(), Duration.ofSeconds(10), ctx.log());
    }

    private List<String> signed(String batch, int count) {
        WebhookSigner signer = new WebhookSigner(ctx.region(REGION));
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] body = body(ID_PREFIX + batch + i, "wbench-" + (i % 500), i);
            lines.add(signer.authorization(body) + "\t" + new String(body, StandardCharsets.UTF_8));
        }
        return lines;
    }

    /** A participant_joined body as LiveKit writes it, padded with metadata to exactly RECORD_SIZE bytes. */
    private static byte[] body(String id, String room, int i) {
        long now = Instant.now().getEpochSecond();
        String head = "{\"event\":\"participant_joined\",\"room\":{\"sid\":\"RM_" + room + "\",\"name\":\"" + room
                + "\",\"emptyTimeout\":300},\"participant\":{\"sid\":\"PA_wb" + i + "\",\"identity\":\"viewer-" + i
                + "\",\"state\":\"ACTIVE\",\"joinedAt\":\"" + now + "\",\"metadata\":\"";
        String tail = "\"},\"id\":\"" + id + "\",\"createdAt\":\"" + now + "\"}";
        int pad = RECORD_SIZE - head.length() - tail.length();
        if (pad < 0) {
            throw new IllegalStateException("webhook body longer than " + RECORD_SIZE);
        }
        return (head + "x".repeat(pad) + tail).getBytes(StandardCharsets.UTF_8);
    }

    private static String eventId(ConsumerRecord<byte[], byte[]> r) {
        return WebhookHeaders.read(r.headers()).map(WebhookHeaders::eventId).orElse("");
    }
}
