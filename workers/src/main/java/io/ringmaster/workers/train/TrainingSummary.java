package io.ringmaster.workers.train;

import io.ringmaster.workers.eval.Metrics;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a finished training run reports: the best epoch by the job's {@code eval.select} figure with
 * its figures (null when nothing evaluated), and the last epoch's loss and the throughput.
 */
public record TrainingSummary(int epochs, long steps, int bestEpoch, Metrics best, double finalLoss,
                              double meanSamplesPerSecond, double trainSeconds) implements Serializable {

    /** The best epoch's figure {@code name} (NaN when nothing evaluated). */
    public double best(String name) {
        return best == null ? Double.NaN : best.get(name);
    }

    /** The summary's figures by name, for metrics.jsonl's {@code done} record and the run's summary.json. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("steps", steps);
        m.put("bestEpoch", bestEpoch);
        if (best != null) {
            best.putInto(m, "best");
        }
        m.put("finalLoss", finalLoss);
        m.put("meanSamplesPerSecond", meanSamplesPerSecond);
        m.put("trainSeconds", trainSeconds);
        return m;
    }
}
