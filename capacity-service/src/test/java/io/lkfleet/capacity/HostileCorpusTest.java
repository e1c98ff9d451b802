package io.lkfleet.capacity;

import static io.lkfleet.local.testing.HostileCorpus.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lkfleet.capacity.rest.CapacityProblem.Reason;
import io.lkfleet.common.contract.Problems;
import io.lkfleet.common.contract.RedisKeys;
import io.lkfleet.local.testing.HostileCorpus;
import io.lkfleet.local.testing.HostileCorpus.Attack;
import io.lkfleet.local.testing.LocalFleetResource;
import io.lkfleet.local.testing.TestFleet;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of hostile requests to capacity-service's views, sizing and admin API: unknown and
 * hostile names, malformed numbers, auth tricks on rebuild. Each gets its own refusal, never a
 * 5xx; nothing is written and no region is rebuilt.
 */
@QuarkusTest
@QuarkusTestResource(LocalFleetResource.class)
class HostileCorpusTest {
    private static final String UNAUTHORIZED = io.lkfleet.common.contract.Reason.UNAUTHORIZED.type();

    @Inject
    RedisDataSource redis;

    private final String marker = "hostile" + UUID.randomUUID().toString().replace("-", "");

    @Test
    void viewsSizingAndAdminRefuseEveryHostileRequestWithItsOwnProblemAndChangeNothing() {
        HostileCorpus corpus = new HostileCorpus();
        for (String name : HostileCorpus.hostileNames(marker)) {
            String segment = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
            String query = URLEncoder.encode(name, StandardCharsets.UTF_8);
            // an encoded '/', '\\', '%' or control character may be refused by the HTTP layer before any route matches
            boolean plain = HostileCorpus.plainSegment(name);
            corpus.add(get("region " + name, "/v1/regions/" + segment + "/nodes", plain, Reason.REGION_NOT_FOUND));
            corpus.add(get("guards " + name, "/v1/regions/" + segment + "/guards", plain, Reason.REGION_NOT_FOUND));
            corpus.add(get("node " + name, "/v1/nodes/" + segment, plain, Reason.NODE_NOT_FOUND));
            corpus.add(get("room " + name, "/v1/rooms/" + segment + "?region=eu-west", plain, Reason.ROOM_NOT_FOUND));
            corpus.add(get("room in region " + name, "/v1/rooms/" + marker + "?region=" + query, true, Reason.REGION_NOT_FOUND));
            corpus.add(get("sizing node class " + name, "/v1/sizing?participants=10&node-class=" + query, true,
                    Reason.INVALID_SIZING_REQUEST));
        }
        for (String q : List.of("", "participants=", "participants=abc", "participants=-1", "participants=1.5",
                "participants=99999999999999999999", "participants=0x10", "participants=10&rooms=4",
                "participants=10&rooms=4:0.5", "participants=10&rooms=0:1.0", "participants=10&rooms=-4:1.0",
                "participants=10&rooms=4:NaN", "participants=10&rooms=4:-1.0,8:2.0", "participants=10&rooms=a:b",
                "participants=10&rooms=4:1.0:2", "participants=10&rooms=" + "4:0.001,".repeat(300),
                "participants=10&rooms=99999999999:1.0", "participants=10&publish-share=2", "participants=10&publish-share=-0.1",
                "participants=10&publish-share=NaN", "participants=10&publish-share=Infinity", "participants=10&publish-share=x",
                "participants=10&mix=1,0", "participants=10&mix=1,0,0,0", "participants=10&mix=NaN,0,1",
                "participants=10&mix=0.5,0.5,0.5", "participants=10&mix=-1,1,1", "participants=10&mix=a,b,c",
                "participants=10&node-class=../standard")) {
            corpus.add(get("sizing " + q, "/v1/sizing?" + q.replace(",", "%2C").replace(":", "%3A"), true,
                    Reason.INVALID_SIZING_REQUEST));
        }
        String admin = TestFleet.get().layout().local().credentials().capacityAdminToken();
        for (String auth : HostileCorpus.badBearers(admin, TestFleet.get().layout().local().credentials().routerAdminToken())) {
            for (String region : List.of("eu-west", "eu-central", marker)) {
                corpus.add(new Attack("rebuild auth " + auth, "POST", "/v1/admin/regions/" + region + "/rebuild",
                        headers("Authorization", auth), null, 401, UNAUTHORIZED));
            }
        }
        for (String name : HostileCorpus.hostileNames(marker)) {
            if (HostileCorpus.plainSegment(name)) {
                corpus.add(new Attack("rebuild unknown region " + name, "POST", "/v1/admin/regions/"
                        + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20") + "/rebuild",
                        headers("Authorization", "Bearer " + admin), null, 404, Problems.type(Reason.REGION_NOT_FOUND.slug())));
            }
        }
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            corpus.add(new Attack("method " + method, method, "/v1/regions", headers(), null, 405, null));
        }
        corpus.add(new Attack("rebuild by GET", "GET", "/v1/admin/regions/eu-west/rebuild",
                headers("Authorization", "Bearer " + admin), null, 405, null));
        assertTrue(corpus.size() >= 200, "corpus has only " + corpus.size());

        Map<String, String> marks = modelMarks();
        Map<Integer, Integer> byStatus = corpus.run("http://127.0.0.1:" + LocalFleetResource.httpPort());
        List<String> keys = new ArrayList<>();
        redis.key(String.class).scan(new KeyScanArgs().match("*" + marker + "*").count(1000)).toIterable().forEach(keys::add);
        assertEquals(List.of(), keys, "hostile requests wrote keys");
        assertEquals(marks, modelMarks(), "a refused rebuild touched a region's model");
        System.out.printf("capacity hostile corpus: %d requests, answers %s%n", corpus.size(), byStatus);
    }

    private Attack get(String category, String path, boolean plain, Reason reason) {
        return new Attack(category, "GET", path, headers(), null, plain ? reason.status() : HostileCorpus.ANY_4XX,
                plain ? Problems.type(reason.slug()) : null);
    }

    /** Each region's model mark, which a rebuild rewrites. */
    private Map<String, String> modelMarks() {
        return TestFleet.get().layout().regions().keySet().stream().collect(Collectors.toMap(Function.identity(),
                r -> String.valueOf(redis.value(String.class).get(RedisKeys.model(r)))));
    }
}
