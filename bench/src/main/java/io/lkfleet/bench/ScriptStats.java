package io.lkfleet.bench;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What lkfleet's Redis spent executing scripts ({@code EVALSHA}, {@code INFO commandstats}): set beside
 * Redis's whole CPU per token, it tells the script's own work from the cost of reading, parsing and
 * answering each command (issue 15).
 */
record ScriptStats(long calls, long micros) {
    private static final Pattern EVALSHA = Pattern.compile("cmdstat_evalsha:calls=(\\d+),usec=(\\d+)");

    static ScriptStats read(BenchContext ctx) {
        AdminRedis redis = new AdminRedis(ctx);
        String info = Procs.run(redis.cli("INFO", "commandstats"), redis.env(), Duration.ofSeconds(30), ctx.log());
        Matcher m = EVALSHA.matcher(info);
        return m.find() ? new ScriptStats(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))) : new ScriptStats(0, 0);
    }

    ScriptStats minus(ScriptStats before) {
        return new ScriptStats(calls - before.calls, micros - before.micros);
    }

    double microsPerCall() {
        return calls == 0 ? 0 : micros / (double) calls;
    }
}
