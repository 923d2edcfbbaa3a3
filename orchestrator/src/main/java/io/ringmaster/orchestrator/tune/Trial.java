package io.ringmaster.orchestrator.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One trial of a study, as a line of {@code trials.jsonl} keeps it: its settings, status, the study's
 * figure at each rung it reached (epochs to figure), the epochs it trained, its run directory, and why it
 * failed or was cancelled.
 */
final class Trial {

    /** A trial training now. */
    static final String RUNNING = "running";
    /** Finished a rung below the last; the scheduler may promote it. */
    static final String PAUSED = "paused";
    /** Finished a rung below the last and was not promoted when the study ended. */
    static final String PRUNED = "pruned";
    /** Trained every epoch. */
    static final String COMPLETED = "completed";
    /** Its run failed: the study goes on without it. */
    static final String FAILED = "failed";
    /** Stopped mid-rung (the study's timeout, a signal, a killed driver): {@code tune --resume} continues it. */
    static final String CANCELLED = "cancelled";

    private static final ObjectMapper JSON = new ObjectMapper();

    final int index;
    final String id;
    final Map<String, Object> params;
    final String runDir;
    String status = RUNNING;
    /** At each rung reached (epochs), the study's figure of the trial's best epoch so far. */
    final TreeMap<Integer, Double> rungs = new TreeMap<>();
    /** Epochs trained so far (the last rung finished). */
    int epochs;
    /** The epoch whose figure {@link #last()} is (its checkpoint is kept: the trial's model). */
    int bestEpoch;
    /** Its gang's size (a search may draw {@code workers}). */
    int workers;
    /** The epochs the rung in flight (or cancelled) trains to. */
    int target;
    /** Seconds its rungs ran, driver side (start to end of each {@code train}). */
    double seconds;
    long started;
    long ended;
    String error;

    Trial(int index, String id, Map<String, Object> params, String runDir) {
        this.index = index;
        this.id = id;
        this.params = params;
        this.runDir = runDir;
    }

    /** The figure of its best epoch up to the last rung reached; NaN before any. */
    double last() {
        return rungs.isEmpty() ? Double.NaN : rungs.lastEntry().getValue();
    }

    ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("trial", id);
        n.put("index", index);
        n.set("params", JSON.valueToTree(params));
        n.put("status", status);
        ObjectNode r = n.putObject("rungs");
        rungs.forEach((e, v) -> r.put(String.valueOf(e), v));
        n.put("epochs", epochs);
        n.put("bestEpoch", bestEpoch);
        n.put("target", target);
        n.put("workers", workers);
        n.put("seconds", Math.round(seconds * 10) / 10.0);
        n.put("started", started);
        n.put("ended", ended);
        n.put("runDir", runDir);
        if (error != null) {
            n.put("error", error);
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    static Trial fromJson(JsonNode n) {
        Trial t = new Trial(n.path("index").asInt(), n.path("trial").asText(),
                new LinkedHashMap<>(JSON.convertValue(n.path("params"), Map.class)), n.path("runDir").asText());
        t.status = n.path("status").asText();
        n.path("rungs").fields().forEachRemaining(e -> t.rungs.put(Integer.parseInt(e.getKey()),
                e.getValue().asDouble()));
        t.epochs = n.path("epochs").asInt();
        t.bestEpoch = n.path("bestEpoch").asInt();
        t.target = n.path("target").asInt();
        t.workers = n.path("workers").asInt();
        t.seconds = n.path("seconds").asDouble();
        t.started = n.path("started").asLong();
        t.ended = n.path("ended").asLong();
        t.error = n.hasNonNull("error") ? n.get("error").asText() : null;
        return t;
    }
}
