package io.lkfleet.ingest.spool;

import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.ingest.event.ParsedEvent;
import io.lkfleet.ingest.metrics.WebhookMetrics;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Events accepted while Kafka could not take them, one file per event on local disk, named by a
 * sequence number that orders them all. A file is written, fsynced and renamed into place before the
 * request is answered 200, and deleted only once Kafka acked it; on start the spool reloads what is
 * left. While a key ({@code region/room}) has events here, newer events of that key must queue
 * behind them ({@link #holds}), so a room's order survives the detour.
 *
 * <p>A file the spool did not write as it expects (odd name, not a regular file, torn or corrupt
 * content) is moved to {@code quarantine/} inside the spool, counted and logged, never read again:
 * it must neither stop the replica from starting nor hold back the events behind it.
 */
@Singleton
public class EventSpool {
    private static final Logger LOG = Logger.getLogger(EventSpool.class);
    private static final String SUFFIX = ".event";
    /** Subdirectory for files moved aside. */
    static final String QUARANTINE = "quarantine";
    private static final Pattern EVENT_FILE = Pattern.compile("(0|[1-9][0-9]{0,17})\\.event");
    private static final int FORMAT = 1;

    /** One spooled event, read back for draining. */
    public record Entry(long seq, String region, ParsedEvent event, byte[] body) {
    }

    private final boolean enabled;
    private final Path dir;
    private final int maxEvents;
    private final WebhookMetrics metrics;
    // seq -> key; a false in committed marks a file still being written (not drainable yet).
    private final TreeMap<Long, String> keys = new TreeMap<>();
    private final Map<Long, Boolean> committed = new HashMap<>();
    private final Map<String, Integer> pendingByKey = new HashMap<>();
    private long nextSeq;

    public EventSpool(IngestConfig config, WebhookMetrics metrics) {
        this.enabled = config.spool().enabled();
        this.dir = Path.of(config.spool().dir());
        this.maxEvents = config.spool().maxEvents();
        this.metrics = metrics;
        if (enabled) {
            load();
        }
        metrics.spooled(this, EventSpool::size);
    }

    public boolean enabled() {
        return enabled;
    }

    /** Whether events of {@code key} wait here: a newer one must then be spooled too. */
    public synchronized boolean holds(String key) {
        return pendingByKey.containsKey(key);
    }

    public synchronized int size() {
        return keys.size();
    }

    /** Events the spool may hold ({@code ingest.spool.max-events}). */
    public int capacity() {
        return maxEvents;
    }

    /** Stores the event durably; false if the spool is off, full or the disk failed. */
    public boolean append(String region, ParsedEvent event, byte[] body) {
        long seq;
        synchronized (this) {
            if (!enabled || keys.size() >= maxEvents) {
                return false;
            }
            seq = nextSeq++;
            track(seq, event.key(), false);
        }
        try {
            write(seq, region, event, body);
        } catch (IOException e) {
            remove(seq);
            return false;
        }
        synchronized (this) {
            committed.put(seq, true);
        }
        return true;
    }

    /**
     * The oldest committed events, in order, at most {@code max}. One that cannot be read back any
     * more is quarantined and skipped, so it cannot hold back the others.
     */
    public List<Entry> oldest(int max) {
        List<Long> seqs = new ArrayList<>();
        synchronized (this) {
            for (Long seq : keys.keySet()) {
                if (seqs.size() == max || !committed.get(seq)) {
                    break;
                }
                seqs.add(seq);
            }
        }
        List<Entry> entries = new ArrayList<>(seqs.size());
        for (long seq : seqs) {
            try {
                entries.add(read(file(seq), seq));
            } catch (IOException | RuntimeException e) {
                quarantine(file(seq), "unreadable", e);
                forget(seq);
            }
        }
        return entries;
    }

    /** Forgets an event Kafka has acknowledged. */
    public void remove(long seq) {
        try {
            Files.deleteIfExists(file(seq));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete spooled event " + seq, e);
        }
        forget(seq);
    }

    private void forget(long seq) {
        synchronized (this) {
            String key = keys.remove(seq);
            committed.remove(seq);
            if (key != null) {
                pendingByKey.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    private void track(long seq, String key, boolean done) {
        keys.put(seq, key);
        committed.put(seq, done);
        pendingByKey.merge(key, 1, Integer::sum);
    }

    private void write(long seq, String region, ParsedEvent event, byte[] body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeUTF(region);
            out.writeUTF(event.type());
            out.writeUTF(event.id());
            out.writeUTF(event.key());
            out.writeInt(body.length);
            out.write(body);
        }
        Path tmp = dir.resolve(seq + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes.toByteArray()));
            channel.force(true);
        }
        Files.move(tmp, file(seq), StandardCopyOption.ATOMIC_MOVE);
        // The rename itself must survive a crash too.
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /** Reads one spool file back; anything but exactly what {@link #write} wrote is an IOException. */
    private static Entry read(Path file, long seq) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS))) {
            if (in.readInt() != FORMAT) {
                throw new IOException("unknown spool format");
            }
            String region = in.readUTF();
            ParsedEvent event = new ParsedEvent(in.readUTF(), in.readUTF(), in.readUTF());
            int length = in.readInt();
            byte[] body = length < 0 ? null : in.readNBytes(length);
            if (body == null || body.length != length || in.read() != -1) {
                throw new IOException("body length does not match the file");
            }
            return new Entry(seq, region, event, body);
        }
    }

    private void load() {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    Matcher event = EVENT_FILE.matcher(name);
                    if (name.equals(QUARANTINE) && Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    } else if (name.endsWith(".tmp") && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                        Files.delete(f); // never answered 200: LiveKit was told 503 or got no answer
                    } else if (!event.matches() || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                        quarantine(f, "unexpected-name", null);
                    } else {
                        reload(f, Long.parseLong(event.group(1)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the webhook spool in " + dir.toAbsolutePath(), e);
        }
    }

    private void reload(Path f, long seq) {
        try {
            String key = read(f, seq).event().key();
            synchronized (this) {
                track(seq, key, true);
                nextSeq = Math.max(nextSeq, seq + 1);
            }
        } catch (IOException | RuntimeException e) {
            quarantine(f, "unreadable", e);
        }
    }

    /**
     * Moves {@code f} to {@code quarantine/} (kept for an operator, never read again), counts and
     * logs it. If even that fails, the file stays but is ignored: the spool goes on either way.
     */
    private void quarantine(Path f, String reason, Exception cause) {
        metrics.quarantined(reason);
        try {
            Path aside = Files.createDirectories(dir.resolve(QUARANTINE));
            Path target = aside.resolve(f.getFileName());
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                target = aside.resolve(f.getFileName() + "." + System.currentTimeMillis());
            }
            Files.move(f, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.warnf("webhook spool: moved %s to %s (%s%s); events behind it go on", f.getFileName(), target, reason,
                    cause == null ? "" : ": " + cause);
        } catch (IOException e) {
            LOG.errorf("webhook spool: cannot move %s aside (%s: %s); ignoring it", f.getFileName(), reason, e);
        }
    }

    private Path file(long seq) {
        return dir.resolve(seq + SUFFIX);
    }
}
