package io.lkfleet.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The folder one fleet run lives in: {@code logs/}, {@code pids/}, {@code data/}, generated configs. */
public record RunDir(Path root) {

    public static RunDir create(Path root) {
        RunDir dir = new RunDir(root.toAbsolutePath().normalize());
        try {
            Files.createDirectories(dir.logs());
            Files.createDirectories(dir.pids());
            Files.createDirectories(dir.data());
        } catch (IOException e) {
            throw new FleetStartException("cannot create run directory " + root + ": " + e.getMessage(), e);
        }
        return dir;
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path pids() {
        return root.resolve("pids");
    }

    public Path data() {
        return root.resolve("data");
    }

    /** Writes a generated file readable by its owner only: these hold API secrets. */
    public Path writePrivate(String name, String content) {
        Path file = root.resolve(name);
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
