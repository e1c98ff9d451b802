package io.lkfleet.ingest.spool;

import io.lkfleet.ingest.config.IngestConfig;
import io.lkfleet.ingest.event.ParsedEvent;
import io.lkfleet.ingest.metrics.WebhookMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Events accepted while Kafka could not take them, one file per event on local disk, named by a
 * sequence number that orders them all. A file is written, fsynced and renamed into place before the
 * request is answered 200, and deleted only once Kafka acked it; on start the spool reloads what is
 * left. While a key ({@code region/room}) has events here, newer events of that key must queue
 * behind them ({@link #holds}), so a room's order survives the detour.
 */
@ApplicationScoped
public class EventSpool {
    private static final String SUFFIX = ".event";
    private static final int FORMAT = 1;

    /** One spooled event, read back for draining. */
    public record Entry(long seq, String region, ParsedEvent event, byte[] body) {
    }

    private final boolean enabled;
    private final Path dir;
    private final int maxEvents;
    // seq -> key; a false in committed marks a file still being written (not drainable yet).
    private final TreeMap<Long, String> keys = new TreeMap<>();
    private final Map<Long, Boolean> committed = new HashMap<>();
    private final Map<String, Integer> pendingByKey = new HashMap<>();
    private long nextSeq;

    public EventSpool(IngestConfig config, WebhookMetrics metrics) {
        this.enabled = config.spool().enabled();
        this.dir = Path.of(config.spool().dir());
        this.maxEvents = config.spool().maxEvents();
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

    /** The oldest committed events, in order, at most {@code max}. */
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
        return seqs.stream().map(this::read).toList();
    }

    /** Forgets an event Kafka has acknowledged. */
    public void remove(long seq) {
        try {
            Files.deleteIfExists(file(seq));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete spooled event " + seq, e);
        }
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

    private Entry read(long seq) {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file(seq)))) {
            if (in.readInt() != FORMAT) {
                throw new IOException("unknown spool format");
            }
            String region = in.readUTF();
            ParsedEvent event = new ParsedEvent(in.readUTF(), in.readUTF(), in.readUTF());
            return new Entry(seq, region, event, in.readNBytes(in.readInt()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spooled event " + file(seq), e);
        }
    }

    private void load() {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".tmp")) {
                        Files.delete(f); // never answered 200: LiveKit was told 503 or got no answer
                    } else if (name.endsWith(SUFFIX)) {
                        long seq = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
                        synchronized (this) {
                            track(seq, read(seq).event().key(), true);
                            nextSeq = Math.max(nextSeq, seq + 1);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the webhook spool in " + dir.toAbsolutePath(), e);
        }
    }

    private Path file(long seq) {
        return dir.resolve(seq + SUFFIX);
    }
}
