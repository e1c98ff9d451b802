package io.lkfleet.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One server process of the local fleet: output to a log file, its pid in a pid file, stopped with
 * SIGTERM and then SIGKILL. Pid files let a later start clean up after a runner that crashed.
 */
public final class ManagedProcess {
    private final String name;
    private final Process process;
    private final Path pidFile;
    private final Path log;

    private ManagedProcess(String name, Process process, Path pidFile, Path log) {
        this.name = name;
        this.process = process;
        this.pidFile = pidFile;
        this.log = log;
    }

    /** Starts {@code command} in the run directory with output appended to {@code logs/<name>.log}. */
    public static ManagedProcess start(String name, List<String> command, RunDir runDir, Map<String, String> env) {
        return start(name, command, runDir, env, runDir.root());
    }

    /** As {@link #start(String, List, RunDir, Map)}, working in {@code workDir} (created; under the run directory). */
    public static ManagedProcess start(String name, List<String> command, RunDir runDir, Map<String, String> env,
            Path workDir) {
        Path log = runDir.logs().resolve(name + ".log");
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new FleetStartException("cannot create " + workDir + ": " + e.getMessage(), e);
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            Path pidFile = runDir.pids().resolve(name + ".pid");
            Files.writeString(pidFile, Long.toString(process.pid()));
            return new ManagedProcess(name, process, pidFile, log);
        } catch (IOException e) {
            throw new FleetStartException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Fails start-up with the tail of the log when the process has already exited. */
    public void requireAlive() {
        if (!process.isAlive()) {
            throw new FleetStartException(name + " exited with status " + process.exitValue() + "; last lines of "
                    + log + ":\n" + tail(log, 15));
        }
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. */
    public void stop(Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
        deletePidFile();
    }

    /** SIGKILL, as a crash would: no clean shutdown, no deregistration. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deletePidFile();
    }

    private void deletePidFile() {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // a stale pid file is checked against the command line before it is acted on
        }
    }

    /**
     * Kills processes left behind by an earlier runner of the same run directory that crashed. A pid
     * counts only when the process works in or names the run directory, so a reused pid is never touched.
     */
    public static void killLeftovers(RunDir runDir) {
        try (Stream<Path> files = Files.list(runDir.pids())) {
            for (Path pidFile : files.toList()) {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid)
                        .filter(handle -> belongsTo(handle, runDir))
                        .ifPresent(handle -> {
                            handle.destroyForcibly();
                            handle.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> handle).join();
                        });
                Files.deleteIfExists(pidFile);
            }
        } catch (IOException | NumberFormatException e) {
            throw new FleetStartException("cannot clean up after an earlier run in " + runDir.root() + ": " + e.getMessage(), e);
        }
    }

    /** Redis rewrites its command line, so the working directory (under the run directory) counts too. */
    private static boolean belongsTo(ProcessHandle handle, RunDir runDir) {
        Path proc = Path.of("/proc", Long.toString(handle.pid()));
        try {
            if (Files.readSymbolicLink(proc.resolve("cwd")).startsWith(runDir.root())) {
                return true;
            }
            String commandLine = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
            return commandLine.contains(runDir.root().toString());
        } catch (IOException e) {
            return false;
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
