package io.ringmaster.orchestrator.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.Storage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run directory's owner: {@code <run>/_LOCK}, created exclusively by the job that trains into the
 * run, naming its host, pid and start, refreshed by it while it runs and deleted when it ends. A second
 * job on the same run id is refused, naming the owner. A lock is taken over only when it is stale: its
 * owner was on this host and that process is gone, or it has not been refreshed for {@code stale}.
 *
 * <p>Creation is exclusive where the file system makes it so: local disk ({@code O_EXCL}), HDFS and
 * Azure (create without overwrite). S3 (S3A of Hadoop 3.3) has no conditional create, so there two jobs
 * started within the same second may both pass; the refresh notices the loser and it stops.
 */
public final class RunLock implements AutoCloseable {

    public static final String FILE = "_LOCK";
    public static final Duration REFRESH = Duration.ofSeconds(10);
    public static final Duration STALE = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path file;
    private final String token;
    private final byte[] content;
    private final Thread refresher;
    private volatile boolean closed;
    private volatile String lost;

    private RunLock(FileSystem fs, Path file, String token, byte[] content, Duration refresh) {
        this.fs = fs;
        this.file = file;
        this.token = token;
        this.content = content;
        this.refresher = new Thread(() -> refreshLoop(refresh), "ringmaster-run-lock");
        refresher.setDaemon(true);
        refresher.start();
    }

    /** Takes the lock of {@code runDir} for this process, or fails naming the live owner. */
    public static RunLock acquire(FileSystem fs, Path runDir, String runId) throws IOException {
        return acquire(fs, runDir, runId, REFRESH, STALE);
    }

    static RunLock acquire(FileSystem fs, Path runDir, String runId, Duration refresh, Duration stale)
            throws IOException {
        Path file = new Path(runDir, FILE);
        String token = UUID.randomUUID().toString();
        byte[] content = describeThisProcess(runId, token);
        for (int tries = 0; ; tries++) {
            if (create(fs, file, content)) {
                return new RunLock(fs, file, token, content, refresh);
            }
            Optional<Owner> owner = Owner.read(fs, file);
            if (owner.isEmpty()) {
                if (tries < 3) {
                    continue; // released (or half-written) between our create and our read: try again
                }
                throw new IOException("cannot take the lock " + Storage.display(file) + ": it exists but cannot be"
                        + " read; if no job is running on run " + runId + ", delete it");
            }
            Owner o = owner.get();
            String whyStale = o.staleBecause(stale);
            if (whyStale == null || tries >= 3) {
                throw new RunInUseException("run " + runId + " is in use by another job: " + o.describe()
                        + " (lock " + Storage.display(file) + "); wait for it to finish or pick another run.id");
            }
            LOG.warn("run {}: taking over the lock of {} ({})", runId, o.describe(), whyStale);
            fs.delete(file, false);
        }
    }

    /** The job that holds {@code runDir}'s lock now, if any (for messages). */
    public static Optional<Owner> owner(FileSystem fs, Path runDir) throws IOException {
        return Owner.read(fs, new Path(runDir, FILE));
    }

    /** True while a live job holds {@code runDir} (its lock is not stale). */
    public static boolean held(FileSystem fs, Path runDir) throws IOException {
        return owner(fs, runDir).map(o -> o.staleBecause(STALE) == null).orElse(false);
    }

    /** Why this process no longer holds the lock (another job took it over), or null. */
    public String lost() {
        return lost;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        refresher.interrupt();
        try {
            Optional<Owner> o = Owner.read(fs, file);
            if (o.isPresent() && token.equals(o.get().token())) {
                fs.delete(file, false);
            }
        } catch (IOException e) {
            LOG.warn("could not release the run lock {}: {}", Storage.display(file), e.toString());
        }
    }

    private void refreshLoop(Duration every) {
        while (!closed) {
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            try {
                Optional<Owner> o = Owner.read(fs, file);
                if (o.isPresent() && !token.equals(o.get().token())) {
                    lost = "the lock " + Storage.display(file) + " was taken over by " + o.get().describe();
                    LOG.error("{}: this job no longer owns its run directory", lost);
                    return;
                }
                overwrite(fs, file, content);
            } catch (IOException e) {
                LOG.warn("could not refresh the run lock {}: {}", Storage.display(file), e.toString());
            }
        }
    }

    private static byte[] describeThisProcess(String runId, String token) throws IOException {
        ProcessHandle me = ProcessHandle.current();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", runId);
        m.put("host", hostName());
        m.put("pid", me.pid());
        m.put("processStart", me.info().startInstant().map(Instant::toString).orElse(null));
        m.put("acquired", Instant.now().toString());
        m.put("token", token);
        return JSON.writeValueAsBytes(m);
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    /** Exclusive create: false if the file exists. */
    private static boolean create(FileSystem fs, Path file, byte[] content) throws IOException {
        java.nio.file.Path local = Storage.localPath(fs, file); // O_EXCL on local disk
        if (local != null) {
            try {
                Files.write(local, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        if (fs.exists(file)) {
            return false;
        }
        try (OutputStream out = fs.create(file, false)) {
            out.write(content);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(file)) { // HDFS reports a lost create race as a plain IOException on some paths
                return false;
            }
            throw e;
        }
    }

    private static void overwrite(FileSystem fs, Path file, byte[] content) throws IOException {
        java.nio.file.Path local = Storage.localPath(fs, file);
        if (local != null) {
            Files.write(local, content); // also moves its modification time: the refresh
            return;
        }
        try (OutputStream out = fs.create(file, true)) {
            out.write(content);
        }
    }

    /** What a lock file says about its owner, and when it was last refreshed. */
    public record Owner(String host, long pid, String processStart, String acquired, String token,
                        long refreshedMillis) {

        static Optional<Owner> read(FileSystem fs, Path file) throws IOException {
            FileStatus st;
            byte[] bytes;
            try {
                st = fs.getFileStatus(file);
                bytes = Storage.readBytes(fs, file);
            } catch (java.io.FileNotFoundException e) {
                return Optional.empty();
            }
            try {
                JsonNode n = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
                return Optional.of(new Owner(n.path("host").asText("?"), n.path("pid").asLong(-1),
                        n.path("processStart").asText(null), n.path("acquired").asText("?"),
                        n.path("token").asText(""), st.getModificationTime()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        /** Why this owner is gone (it may be taken over), or null while it is alive. */
        String staleBecause(Duration stale) {
            if (host.equals(hostName())) {
                Optional<ProcessHandle> p = ProcessHandle.of(pid);
                if (p.isEmpty() || !p.get().isAlive()) {
                    return "process " + pid + " on this host has ended";
                }
                Optional<String> started = p.get().info().startInstant().map(Instant::toString);
                if (processStart != null && started.isPresent() && !started.get().equals(processStart)) {
                    return "process " + pid + " on this host is another process now";
                }
                return null; // alive here: never stale, however long since its refresh
            }
            long age = System.currentTimeMillis() - refreshedMillis;
            return age > stale.toMillis() ? "not refreshed for " + age / 1000 + " s" : null;
        }

        /** Host, pid, start and how long since the lock was refreshed, for messages. */
        public String describe() {
            long age = Math.max(0, (System.currentTimeMillis() - refreshedMillis) / 1000);
            return "host " + host + ", pid " + pid + ", started " + acquired + ", lock refreshed " + age + " s ago";
        }
    }
}
