package io.ringmaster.workers.metrics;

import io.ringmaster.workers.checkpoint.Checkpoint;
import io.ringmaster.workers.checkpoint.CheckpointState;
import io.ringmaster.workers.eval.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;

/** Records of {@code metrics.jsonl} that every strategy writes alike, besides the epochs'. */
public final class MetricsEvents {

    private MetricsEvents() {
    }

    /** A baseline's figures, each under its own name ({@code name}: which baseline). */
    public static Map<String, Object> baseline(String name, Metrics baseline) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("event", "baseline");
        b.put("name", name);
        b.put("k", baseline.k());
        baseline.putInto(b, "");
        return b;
    }

    /** A checkpoint committed in {@code dir} (as shown to users). */
    public static Map<String, Object> checkpoint(CheckpointState state, String dir) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("event", "checkpoint");
        c.put("step", state.globalStep());
        c.put("epoch", state.epoch());
        c.put("stepInEpoch", state.stepInEpoch());
        c.put("dir", dir);
        return c;
    }

    /** Training continues from {@code resume}, found at {@code uri}. */
    public static Map<String, Object> resume(String uri, Checkpoint resume) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("event", "resume");
        r.put("checkpoint", uri);
        r.put("step", resume.step());
        r.put("epoch", resume.state().epoch());
        r.put("stepInEpoch", resume.state().stepInEpoch());
        return r;
    }
}
