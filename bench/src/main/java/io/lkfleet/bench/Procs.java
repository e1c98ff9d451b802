package io.lkfleet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** External tools (wrk, redis-benchmark, Kafka's tools, Node), each bounded in time. */
final class Procs {
    private Procs() {
    }

    /** Runs {@code command} to its end (killed after {@code timeout}) and returns its stdout. */
    static String run(List<String> command, Map<String, String> env, Duration timeout, Path log) {
        return run(command, env, timeout, log, null);
    }

    /** As {@link #run(List, Map, Duration, Path)}, with {@code stdin} (a file, or null) as input. */
    static String run(List<String> command, Map<String, String> env, Duration timeout, Path log, Path stdin) {
        Path out = null;
        try {
            // stdout to a file, not a pipe read to its end: a tool that hangs with stdout open would outlive its timeout
            out = Files.createTempFile(log.toAbsolutePath().getParent(), "stdout-", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectOutput(out.toFile());
            builder.environment().putAll(env);
            if (stdin != null) {
                builder.redirectInput(stdin.toFile());
            }
            Process process = builder.start();
            if (stdin == null) {
                process.getOutputStream().close();
            }
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not end within " + timeout);
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            Files.writeString(log, "$ " + shown(command) + "\n" + stdout + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " exited with " + process.exitValue() + " (see " + log + ")");
            }
            return stdout;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    /** {@code command} for the log, the value of a password option ({@code -a}) masked. */
    private static String shown(List<String> command) {
        List<String> shown = new java.util.ArrayList<>(command);
        for (int i = 1; i < shown.size(); i++) {
            if (shown.get(i - 1).equals("-a")) {
                shown.set(i, "***");
            }
        }
        return String.join(" ", shown);
    }

    /** Starts a server in the background, its output appended to {@code log}. */
    static Process start(List<String> command, Map<String, String> env, Path log) {
        return start(command, env, log, null);
    }

    /** As {@link #start(List, Map, Path)}, with {@code stdin} (a file, or null) as input. */
    static Process start(List<String> command, Map<String, String> env, Path log, Path stdin) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            if (stdin != null) {
                builder.redirectInput(stdin.toFile());
            }
            return builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** CPU time (user + system) a process and all its descendants have used so far, in ms. */
    static long cpuMillis(long pid) {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(process), process.descendants())
                .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toMillis).orElse(0L)).sum();
    }

    /** Resident set size of a process in MiB, from /proc. */
    static double rssMib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return -1;
    }

    /** Number of threads of a process, from /proc; -1 once it is gone. */
    static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return -1;
    }

    /** Waits until {@code url} answers 200, polling every 20 ms; returns false on timeout. */
    static boolean awaitOk(String url, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        while (System.nanoTime() < end) {
            try {
                var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                        .timeout(Duration.ofSeconds(2)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Waits until something accepts TCP connections on 127.0.0.1:{@code port} (a peer server we started). */
    static void awaitListening(int port, String what) {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < end) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException(what + " did not listen on " + port);
    }

    static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
