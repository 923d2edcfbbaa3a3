package io.ringmaster.orchestrator.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfigException;
import io.ringmaster.orchestrator.run.RunInUseException;
import io.ringmaster.orchestrator.run.RunLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A study's directory (any Hadoop URI): {@code study.json} (the study file, its space, scheduler, rungs and
 * seed), {@code trials.jsonl} (one line per trial: settings, status, the figure at each rung, run
 * directory), {@code best.json}, {@code report.html}, {@code trials/<id>/} (each trial a normal run
 * directory) and {@code logs/<id>.log} (what each trial's {@code train} printed). One {@code tune} owns it
 * at a time ({@link RunLock}).
 */
final class StudyDirectory implements AutoCloseable {

    static final String STUDY_FILE = "study.json";
    static final String TRIALS_FILE = "trials.jsonl";
    static final String BEST_FILE = "best.json";
    static final String REPORT_FILE = "report.html";
    static final String TRIALS_DIR = "trials";
    static final String LOGS_DIR = "logs";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path dir;
    private final RunLock lock;

    private StudyDirectory(FileSystem fs, Path dir, RunLock lock) {
        this.fs = fs;
        this.dir = dir;
        this.lock = lock;
    }

    /** A new study in {@code uri}: refused when a study is there already ({@code tune --resume} continues it). */
    static StudyDirectory create(Configuration conf, String uri, StudySpec spec) throws IOException {
        Path dir = Storage.path(uri);
        FileSystem fs = Storage.fs(dir, conf);
        if (fs.exists(new Path(dir, STUDY_FILE))) {
            throw new JobConfigException("study " + Storage.display(dir) + " exists already: `ringmaster tune --resume "
                    + Storage.display(dir) + "` continues it, or give another --study directory");
        }
        if (fs.exists(dir) && fs.listStatus(dir).length > 0) {
            throw new JobConfigException(Storage.display(dir) + " exists and is not a study (no " + STUDY_FILE
                    + "): give another --study directory");
        }
        Storage.mkdirs(fs, dir);
        StudyDirectory sd = new StudyDirectory(fs, dir, lock(fs, dir));
        ObjectNode s = JSON.createObjectNode();
        s.put("name", dir.getName());
        s.put("created", System.currentTimeMillis());
        s.put("scheduler", spec.scheduler());
        s.put("seed", spec.seed());
        s.put("metric", spec.metric());
        s.put("trials", spec.trials());
        s.set("rungs", JSON.valueToTree(spec.rungs()));
        s.put("eta", spec.eta());
        ObjectNode space = s.putObject("space");
        spec.ranges().forEach(r -> space.set(r.key(), JSON.valueToTree(r.kind().equals("choice") ? r.choices()
                : List.of(r.kind(), r.low(), r.high()))));
        // credentials are redacted, as in a run's job.yaml: `tune --resume` takes them from --set or the environment
        s.put("studyFile", io.ringmaster.orchestrator.job.JobConfig.redactedText(spec.yaml()));
        s.set("overrides", JSON.valueToTree(spec.overrides().stream().map(
                io.ringmaster.orchestrator.job.JobConfig::redactedOverride).toList()));
        sd.write(STUDY_FILE, JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
        return sd;
    }

    /** An existing study, to continue. */
    static StudyDirectory open(Configuration conf, String uri) throws IOException {
        Path dir = Storage.path(uri);
        FileSystem fs = Storage.fs(dir, conf);
        requireStudy(fs, dir);
        return new StudyDirectory(fs, dir, lock(fs, dir));
    }

    private static void requireStudy(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(new Path(dir, STUDY_FILE))) {
            throw new IllegalArgumentException(Storage.display(dir) + " is not a study directory (it has no "
                    + STUDY_FILE + ")");
        }
    }

    private static RunLock lock(FileSystem fs, Path dir) throws IOException {
        try {
            return RunLock.acquire(fs, dir, dir.getName());
        } catch (RunInUseException e) {
            throw new RunInUseException("study " + Storage.display(dir) + " is in use by another tune ("
                    + e.getMessage() + ")");
        }
    }

    /**
     * The study it was started with: its file and the settings given beside it, then {@code more} (credentials
     * were redacted when it was stored).
     */
    StudySpec spec(List<String> more) throws IOException {
        JsonNode s = JSON.readTree(read(STUDY_FILE));
        List<String> overrides = new ArrayList<>();
        s.path("overrides").forEach(o -> overrides.add(o.asText()));
        overrides.addAll(more);
        StudySpec spec = StudySpec.parse(s.path("studyFile").asText(), Storage.display(new Path(dir, STUDY_FILE)),
                overrides);
        return spec.scheduler().equals(s.path("scheduler").asText()) ? spec : spec.withScheduler(s.path("scheduler")
                .asText());
    }

    /**
     * The best trial so far ({@code best.json}) and the checkpoint of its best epoch, or a clear error when
     * there is none or that checkpoint is gone.
     */
    static Study.BestModel bestModel(Configuration conf, String uri) throws IOException {
        Path dir = Storage.path(uri);
        FileSystem fs = Storage.fs(dir, conf);
        Path best = new Path(dir, BEST_FILE);
        requireStudy(fs, dir);
        if (!fs.exists(best)) {
            throw new IllegalArgumentException("study " + Storage.display(dir) + " has no best trial yet (no trial"
                    + " finished a rung)");
        }
        JsonNode b = JSON.readTree(Storage.readBytes(fs, best));
        String runDir = b.path("runDir").asText();
        int epoch = b.path("bestEpoch").asInt();
        for (JsonNode c : io.ringmaster.orchestrator.run.RunRecords.read(conf, runDir).checkpoints()) {
            if (c.path("epoch").asInt() == epoch && c.path("stepInEpoch").asInt() == 0
                    && fs.exists(Storage.path(c.path("dir").asText()))) {
                return new Study.BestModel(b.path("trial").asText(), runDir, epoch, c.path("step").asLong());
            }
        }
        throw new IllegalArgumentException("study " + Storage.display(dir) + ": the checkpoint of best trial "
                + b.path("trial").asText() + "'s epoch " + epoch + " is gone from " + Storage.display(Storage.path(
                        runDir)) + "; export a checkpoint it has with `ringmaster export RUN --checkpoint STEP`");
    }

    /** Its trials as {@code trials.jsonl} holds them, by index; a line that is not JSON fails naming it. */
    List<Trial> trials() throws IOException {
        String text = read(TRIALS_FILE);
        if (text.isEmpty() && fs.exists(tmp(TRIALS_FILE))) { // stopped between the two steps of a rewrite
            text = new String(Storage.readBytes(fs, tmp(TRIALS_FILE)), StandardCharsets.UTF_8);
        }
        List<Trial> out = new ArrayList<>();
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new IOException(Storage.display(new Path(dir, TRIALS_FILE)) + " line " + n + " is not JSON: "
                        + e.getMessage().lines().findFirst().orElse(""), e);
            }
            out.add(Trial.fromJson(node));
        }
        out.sort((a, b) -> Integer.compare(a.index, b.index));
        return out;
    }

    /** Rewrites {@code trials.jsonl} whole: written aside first, so a killed driver leaves one complete copy. */
    void writeTrials(List<Trial> trials) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Trial t : trials) {
            b.append(JSON.writeValueAsString(t.toJson())).append('\n');
        }
        replace(TRIALS_FILE, b.toString());
    }

    /** {@code best.json}: the best trial's line with the figure's name and value. */
    void writeBest(Trial best, String metric) throws IOException {
        replace(BEST_FILE, JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(best.toJson()
                .put("metric", metric).put("value", best.last())));
    }

    /** Writes {@code name} aside, then puts it in place. */
    void replace(String name, String text) throws IOException {
        Path tmp = tmp(name);
        Storage.writeBytes(fs, tmp, text.getBytes(StandardCharsets.UTF_8));
        fs.delete(new Path(dir, name), false);
        if (!fs.rename(tmp, new Path(dir, name))) {
            throw new IOException("could not rename " + Storage.display(tmp) + " to " + name);
        }
    }

    void write(String name, String text) throws IOException {
        Storage.writeBytes(fs, new Path(dir, name), text.getBytes(StandardCharsets.UTF_8));
    }

    /** The text of {@code name}, or "" when there is none. */
    String read(String name) throws IOException {
        Path p = new Path(dir, name);
        return fs.exists(p) ? new String(Storage.readBytes(fs, p), StandardCharsets.UTF_8) : "";
    }

    /** Adds what trial {@code id}'s train printed to {@code logs/<id>.log}. */
    void appendLog(String id, String text) throws IOException {
        String name = LOGS_DIR + "/" + id + ".log";
        write(name, read(name) + text);
    }

    private Path tmp(String name) {
        return new Path(dir, "." + name + ".tmp");
    }

    /** The folder the trials' run directories are in. */
    String trialsDir() {
        return new Path(dir, TRIALS_DIR).toString();
    }

    Path path() {
        return dir;
    }

    String display() {
        return Storage.display(dir);
    }

    /** Fails if another tune has taken the study over. */
    void checkOwned() {
        String lost = lock.lost();
        if (lost != null) {
            throw new RunInUseException("study " + display() + ": " + lost + "; this tune stops without writing more");
        }
    }

    @Override
    public void close() {
        lock.close();
    }
}
