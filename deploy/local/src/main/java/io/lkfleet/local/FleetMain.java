package io.lkfleet.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one-machine runner: {@code up} starts the whole fleet and keeps it running until Ctrl-C or
 * {@code stop}; {@code stop} ends a fleet started elsewhere. Usually called through
 * {@code deploy/local/fleet}, which also builds what is missing and makes the network namespace.
 */
public final class FleetMain {
    private FleetMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            System.out.println(usage());
            return;
        }
        LocalFleet.Options options = new LocalFleet.Options().services(LocalFleet.SERVICES).observed();
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        for (int i = 0; i < rest.size(); i++) {
            String value = i + 1 < rest.size() ? rest.get(i + 1) : null;
            switch (rest.get(i)) {
                case "--config" -> options.fleetFile(Path.of(required(value, "--config")));
                case "--run-dir" -> options.runDir(Path.of(required(value, "--run-dir")));
                case "--port-offset" -> options.portOffset(Integer.parseInt(required(value, "--port-offset")));
                case "--services" -> options.services(value == null || value.equals("none") ? List.of()
                        : value.equals("all") ? LocalFleet.SERVICES : List.of(value.split(",")));
                default -> fail("unknown option " + rest.get(i) + "\n" + usage());
            }
            i++;
        }
        try {
            switch (args[0]) {
                case "up" -> up(options);
                case "stop" -> stop(options.runDir());
                default -> fail("unknown command " + args[0] + "\n" + usage());
            }
        } catch (FleetStartException e) {
            fail(e.getMessage());
        }
    }

    private static void up(LocalFleet.Options options) throws Exception {
        Path lock = options.runDir().resolve("runner.pid");
        if (Files.exists(lock)) {
            long pid = Long.parseLong(Files.readString(lock).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && pid != ProcessHandle.current().pid()) {
                fail("a fleet is already running from " + options.runDir() + " (runner pid " + pid
                        + "); stop it with: deploy/local/fleet stop");
            }
        }
        Files.createDirectories(options.runDir());
        Files.writeString(lock, Long.toString(ProcessHandle.current().pid()));
        long started = System.nanoTime();
        LocalFleet fleet = LocalFleet.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping the fleet...");
            fleet.close();
            deleteQuietly(lock);
            stopped.countDown();
        }, "fleet-shutdown"));
        System.out.println(fleet.describe());
        System.out.printf("lkfleet local fleet is up in %.1f s. Stop it with Ctrl-C or: deploy/local/fleet stop%n",
                (System.nanoTime() - started) / 1e9);
        System.out.println("READY");
        stopped.await();
    }

    private static void stop(Path runDir) throws IOException, InterruptedException {
        Path lock = runDir.resolve("runner.pid");
        if (!Files.exists(lock)) {
            System.out.println("no fleet is running from " + runDir);
        } else {
            long pid = Long.parseLong(Files.readString(lock).trim());
            ProcessHandle.of(pid).ifPresent(handle -> {
                handle.destroy();
                handle.onExit().orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> {
                    handle.destroyForcibly();
                    return handle;
                }).join();
            });
            deleteQuietly(lock);
        }
        if (Files.isDirectory(runDir.resolve("pids"))) {
            ManagedProcess.killLeftovers(new RunDir(runDir.toAbsolutePath().normalize()));
        }
        System.out.println("stopped");
    }

    private static String required(String value, String option) {
        if (value == null) {
            fail(option + " needs a value");
        }
        return value;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // nothing to clean
        }
    }

    private static void fail(String message) {
        System.err.println("lkfleet: " + message);
        System.exit(2);
    }

    private static String usage() {
        return """
                usage: FleetMain up|stop [--config deploy/local/fleet.yaml] [--run-dir deploy/local/.run]
                                         [--port-offset N] [--services all|none|name,name]""";
    }
}
