package io.lkfleet.token;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points token-service's route calls at a {@link RecordingRouter}, injected into the test. */
public class RecordingRouterResource implements QuarkusTestResourceLifecycleManager {
    private RecordingRouter router;

    @Override
    public Map<String, String> start() {
        router = new RecordingRouter();
        return Map.of("quarkus.rest-client.region-router.url", router.url());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(router, new TestInjector.MatchesType(RecordingRouter.class));
    }

    @Override
    public void stop() {
        router.close();
    }
}
