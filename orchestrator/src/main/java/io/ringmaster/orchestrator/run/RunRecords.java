package io.ringmaster.orchestrator.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringmaster.data.Storage;
import io.ringmaster.workers.Worker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a run directory records, read back for reports and listings (without taking the run's lock): the
 * resolved job, the epochs still in force (superseded ones left out), the baseline, checkpoints, attempts,
 * the summary, and whether a live job holds the run now. As JSON for the report page: {@link #toJson()}.
 */
public record RunRecords(String id, String dir, String status, String job, JsonNode summary, List<JsonNode> epochs,
                         JsonNode start, JsonNode baseline, List<JsonNode> checkpoints, List<JsonNode> attempts,
                         List<String> logs, boolean timeline) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the run directory {@code runDir} (any Hadoop URI); fails naming it when it is not a run. */
    public static RunRecords read(Configuration conf, String runDir) throws IOException {
        Path dir = Storage.path(runDir);
        FileSystem fs = Storage.fs(dir, conf);
        if (!fs.exists(new Path(dir, RunDirectory.JOB_FILE))) {
            throw new IllegalArgumentException(Storage.display(dir) + " is not a run directory (it has no "
                    + RunDirectory.JOB_FILE + ")");
        }
        String job = RunDirectory.readIfExists(fs, new Path(dir, RunDirectory.JOB_FILE));
        String summaryText = RunDirectory.readIfExists(fs, new Path(dir, RunDirectory.SUMMARY_FILE));
        JsonNode summary = summaryText.isEmpty() ? null : JSON.readTree(summaryText);
        List<JsonNode> epochs = new ArrayList<>();
        List<JsonNode> checkpoints = new ArrayList<>();
        JsonNode start = null;
        JsonNode baseline = null;
        int n = 0;
        for (String line : RunDirectory.readIfExists(fs, new Path(dir, Worker.METRICS_FILE)).split("\n")) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode r;
            try {
                r = JSON.readTree(line);
            } catch (IOException e) {
                throw new IOException(Storage.display(new Path(dir, Worker.METRICS_FILE)) + " line " + n
                        + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
            }
            switch (r.path("event").asText()) {
                case "start" -> start = start == null ? r : start;
                case "baseline" -> baseline = r;
                case "epoch" -> {
                    if (!r.path("superseded").asBoolean()) {
                        epochs.add(r);
                    }
                }
                case "checkpoint" -> checkpoints.add(r);
                default -> { }
            }
        }
        epochs.sort((a, b) -> Integer.compare(a.path("epoch").asInt(), b.path("epoch").asInt()));
        List<JsonNode> attempts = new ArrayList<>();
        for (String line : RunDirectory.readIfExists(fs, new Path(dir, AttemptLog.FILE)).split("\n")) {
            if (!line.isBlank()) {
                attempts.add(JSON.readTree(line));
            }
        }
        List<String> logs = new ArrayList<>();
        Path logDir = new Path(dir, io.ringmaster.orchestrator.spark.RankLogServer.DIR);
        if (fs.exists(logDir)) {
            for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(logDir)) {
                logs.add(io.ringmaster.orchestrator.spark.RankLogServer.DIR + "/" + st.getPath().getName());
            }
            logs.sort(null);
        }
        String status;
        if (RunLock.held(fs, dir)) {
            status = "running";
        } else if (!attempts.isEmpty()) {
            status = attempts.get(attempts.size() - 1).path("outcome").asText();
        } else {
            status = summary != null ? "finished" : epochs.isEmpty() ? "not started" : "stopped";
        }
        return new RunRecords(dir.getName(), Storage.display(dir), status, job, summary, epochs, start, baseline,
                checkpoints, attempts, logs, fs.exists(new Path(dir, TimelineFile.FILE)));
    }


    /** The figure that picks the best epoch: the job's eval.select, else the first the baseline has. */
    public String selectMetric() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s+select:\\s*\"?([\\w-]+)").matcher(job);
        if (m.find() && !m.group(1).equals("null")) {
            return m.group(1);
        }
        return metricNames().isEmpty() ? null : metricNames().get(0);
    }

    /** The ranking figures the epochs carry (those the baseline has too), in its order. */
    public List<String> metricNames() {
        List<String> names = new ArrayList<>();
        if (baseline != null) {
            baseline.fieldNames().forEachRemaining(f -> {
                if (!List.of("event", "name", "k", "time").contains(f)) {
                    names.add(f);
                }
            });
        }
        return names;
    }

    /** The best epoch's record by {@link #selectMetric()}, or null when no epoch was evaluated. */
    public JsonNode bestEpoch() {
        String metric = selectMetric();
        JsonNode best = null;
        for (JsonNode e : epochs) {
            if (metric != null && e.has(metric) && (best == null || e.get(metric).asDouble() > best.get(metric)
                    .asDouble())) {
                best = e;
            }
        }
        return best;
    }

    /** Seconds from the first attempt's start (or the first record) to the last one's end; NaN if unknown. */
    public double wallSeconds() {
        if (!attempts.isEmpty()) {
            long first = attempts.get(0).path("start").asLong();
            long last = attempts.get(attempts.size() - 1).path("end").asLong();
            return (last - first) / 1000.0;
        }
        if (start != null && start.has("time") && !epochs.isEmpty() && epochs.get(epochs.size() - 1).has("time")) {
            return (epochs.get(epochs.size() - 1).path("time").asLong() - start.path("time").asLong()) / 1000.0;
        }
        return Double.NaN;
    }

    /** The number of workers the job asked for (job.yaml's workers). */
    public int workers() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^workers:\\s*(\\d+)").matcher(job);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The epochs the job asked for (train.epochs). */
    public int epochsPlanned() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s+epochs:\\s*(\\d+)").matcher(job);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** Everything the report page draws, as one JSON object. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("dir", dir);
        o.put("status", status);
        o.put("select", selectMetric());
        o.put("k", baseline == null ? 0 : baseline.path("k").asInt());
        o.put("workers", workers());
        o.put("epochsPlanned", epochsPlanned());
        o.put("wallSeconds", Double.isNaN(wallSeconds()) ? null : wallSeconds());
        ArrayNode names = o.putArray("metrics");
        metricNames().forEach(names::add);
        o.set("baseline", baseline);
        o.set("start", start);
        o.set("summary", summary);
        o.putArray("epochs").addAll(epochs);
        o.putArray("checkpoints").addAll(checkpoints);
        o.putArray("attempts").addAll(attempts);
        ArrayNode l = o.putArray("logs");
        logs.forEach(l::add);
        o.put("timeline", timeline);
        o.put("job", job);
        return o;
    }
}
