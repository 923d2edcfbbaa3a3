package io.ringmaster.orchestrator.run;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code <runs>/<run-id>/}: the resolved {@code job.yaml}, the workers' {@code metrics.jsonl} and the
 * driver's {@code summary.json}.
 */
public final class RunDirectory implements AutoCloseable {

    public static final String JOB_FILE = "job.yaml";
    public static final String SUMMARY_FILE = "summary.json";

    private final FileSystem fs;
    private final Path dir;
    private final String id;

    private RunDirectory(FileSystem fs, Path dir, String id) {
        this.fs = fs;
        this.dir = dir;
        this.id = id;
    }

    /**
     * A fresh run directory, or the existing one of this id (to continue it): see {@link #existing()}.
     * Either way this job owns it until {@link #close()} ({@link RunLock}): a run another live job owns
     * is refused before anything in it is read or written.
     */
    public static RunDirectory openOrCreate(Configuration conf, String runsDir, String runId) throws IOException {
        String id = runId != null ? runId : newId();
        Path dir = new Path(Storage.path(runsDir), id);
        FileSystem fs = Storage.fs(dir, conf);
        // what a run that failed to start leaves (forgetIfNothingRan) is kept, and the same id may start again
        java.util.Set<String> failedStart = java.util.Set.of(RunLock.FILE, AttemptLog.FILE,
                io.ringmaster.orchestrator.spark.RankLogServer.DIR,
                io.ringmaster.orchestrator.spark.GangTraining.TIMELINE_DIR);
        boolean held = fs.exists(dir) && java.util.Arrays.stream(fs.listStatus(dir))
                .anyMatch(st -> !failedStart.contains(st.getPath().getName())
                        && !st.getPath().getName().startsWith("."));
        if (held && !fs.exists(new Path(dir, JOB_FILE))) {
            throw new IllegalArgumentException("run directory " + Storage.display(dir) + " exists but holds no "
                    + JOB_FILE + ": it is not a Ringmaster run; choose another run.id");
        }
        Storage.mkdirs(fs, dir);
        RunLock lock = RunLock.acquire(fs, dir, id);
        RunDirectory r = new RunDirectory(fs, dir, id);
        r.lock = lock;
        r.existing = fs.exists(new Path(dir, JOB_FILE)); // read again under the lock
        return r;
    }

    private RunLock lock;

    /** Fails if another job has taken this run over (its lock went stale while this job was stalled). */
    public void checkOwned() {
        String lost = lock == null ? null : lock.lost();
        if (lost != null) {
            throw new RunInUseException("run " + id + ": " + lost + "; this job stops without writing more");
        }
    }

    /**
     * After a fresh run failed to start: removes its {@code job.yaml} when no worker wrote anything
     * (no metrics, no checkpoint), so the run id is free again rather than a run with nothing in it (the
     * ranks' logs and the attempt records stay, and a job that takes the id again writes after them).
     */
    public void forgetIfNothingRan() {
        try {
            Path checkpoints = new Path(dir, io.ringmaster.workers.checkpoint.CheckpointStore.DIR);
            boolean trained = fs.exists(new Path(dir, io.ringmaster.workers.Worker.METRICS_FILE))
                    || fs.exists(checkpoints) && fs.listStatus(checkpoints).length > 0;
            if (!trained) {
                fs.delete(new Path(dir, JOB_FILE), false);
            }
        } catch (IOException e) {
            // the job's own failure is what the user needs to see
        }
    }

    /**
     * Before training continues from a checkpoint taken after {@code epochsDone} epochs: marks the
     * {@code metrics.jsonl} records of later epochs {@code "superseded": true} (they are trained again and
     * recorded anew; nothing is removed). Returns how many records it marked.
     */
    public int supersedeEpochsAfter(int epochsDone) throws IOException {
        Path file = new Path(dir, io.ringmaster.workers.Worker.METRICS_FILE);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        StringBuilder out = new StringBuilder();
        int marked = 0;
        for (String line : metricsLines()) {
            if (line.isBlank()) {
                continue;
            }
            if (line.contains("\"event\":\"epoch\"")) {
                com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
                if (n.path("epoch").asInt() > epochsDone && !n.has("superseded")) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) n).put("superseded", true);
                    line = json.writeValueAsString(n);
                    marked++;
                }
            }
            out.append(line).append('\n');
        }
        if (marked > 0) {
            Storage.writeBytes(fs, file, out.toString().getBytes(StandardCharsets.UTF_8));
        }
        return marked;
    }

    /**
     * The worker endpoints of the newest {@code transport} record in {@code metrics.jsonl} (DL4J's parameter
     * server: each executor's transport, {@code address:port}), or an empty list.
     */
    public java.util.List<String> transportWorkers() throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.List<String> workers = java.util.List.of();
        for (String line : metricsLines()) {
            if (line.contains("\"event\":\"transport\"")) {
                java.util.List<String> w = new java.util.ArrayList<>();
                for (com.fasterxml.jackson.databind.JsonNode n : json.readTree(line).path("workers")) {
                    w.add(n.asText().replaceAll(" \\(.*\\)$", "")); // "ip:port (executor 1)"
                }
                workers = w;
            }
        }
        return workers;
    }

    /** The lines of the run's {@code metrics.jsonl}; none when it does not exist yet. */
    private String[] metricsLines() throws IOException {
        Path file = new Path(dir, io.ringmaster.workers.Worker.METRICS_FILE);
        return fs.exists(file) ? new String(Storage.readBytes(fs, file), StandardCharsets.UTF_8).split("\n")
                : new String[0];
    }

    /** Releases the run to other jobs. */
    @Override
    public void close() {
        if (lock != null) {
            lock.close();
        }
    }

    private boolean existing;

    /** True when the directory already held a run. */
    public boolean existing() {
        return existing;
    }

    /**
     * The job a run was started with: its {@code job.yaml} (credentials redacted) with {@code overrides}
     * ({@code --set} syntax) applied, or a clear error.
     */
    public static JobConfig readJob(Configuration conf, String runDirUri, java.util.List<String> overrides)
            throws IOException {
        Path dir = Storage.path(runDirUri);
        Path file = new Path(dir, JOB_FILE);
        String yaml;
        try {
            yaml = new String(Storage.readBytes(Storage.fs(dir, conf), file), StandardCharsets.UTF_8);
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException(Storage.display(dir) + " is not a run directory (no " + JOB_FILE + ")");
        }
        return JobConfig.parse(yaml, Storage.display(file), overrides);
    }


    static String newId() {
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    public String id() {
        return id;
    }

    public Path path() {
        return dir;
    }

    public Path file(String name) {
        return new Path(dir, name);
    }

    /** The names of the files in the run directory's folder {@code folder}, sorted; empty when it has none. */
    public java.util.List<String> list(String folder) throws IOException {
        Path p = new Path(dir, folder);
        if (!fs.exists(p)) {
            return java.util.List.of();
        }
        return java.util.Arrays.stream(fs.listStatus(p)).filter(org.apache.hadoop.fs.FileStatus::isFile)
                .map(st -> st.getPath().getName()).sorted().toList();
    }

    /** The text of {@code name} in the run directory, or "" when there is no such file. */
    public String readIfExists(String name) throws IOException {
        return readIfExists(fs, new Path(dir, name));
    }

    /** The text of {@code file}, or "" when there is no such file. */
    static String readIfExists(FileSystem fs, Path file) throws IOException {
        if (!fs.exists(file)) {
            return "";
        }
        try (java.io.InputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public void write(String name, String content) throws IOException {
        Storage.writeBytes(fs, new Path(dir, name), content.getBytes(StandardCharsets.UTF_8));
    }
}
