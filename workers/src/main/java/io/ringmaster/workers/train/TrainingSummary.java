package io.ringmaster.workers.train;

import java.io.Serializable;

/** What a finished training run reports: the best epoch by HR@K and the last epoch's figures. */
public record TrainingSummary(int epochs, long steps, int bestEpoch, double bestHr, double bestNdcg,
                              double bestMap, double finalLoss, double meanSamplesPerSecond, double trainSeconds)
        implements Serializable {

    /** The summary's figures by name, for metrics.jsonl's {@code done} record and the run's summary.json. */
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("steps", steps);
        m.put("bestEpoch", bestEpoch);
        m.put("bestHr", bestHr);
        m.put("bestNdcg", bestNdcg);
        m.put("bestMap", bestMap);
        m.put("finalLoss", finalLoss);
        m.put("meanSamplesPerSecond", meanSamplesPerSecond);
        m.put("trainSeconds", trainSeconds);
        return m;
    }
}
