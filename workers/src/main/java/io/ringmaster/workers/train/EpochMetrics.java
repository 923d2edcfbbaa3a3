package io.ringmaster.workers.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Figures for one epoch: mean training loss, HR/NDCG/MAP at K on the test split, examples trained,
 * seconds spent training (negative sampling included) and evaluating, training throughput, and where
 * the steps went ({@link StepCounters}; null where nobody counted, e.g. DL4J's training masters).
 */
public record EpochMetrics(int epoch, long step, double loss, int k, double hr, double ndcg, double map, long samples,
                           double trainSeconds, double evalSeconds, double samplesPerSecond, StepCounters counters) {

    /** Without step counters. */
    public EpochMetrics(int epoch, long step, double loss, int k, double hr, double ndcg, double map, long samples,
                        double trainSeconds, double evalSeconds, double samplesPerSecond) {
        this(epoch, step, loss, k, hr, ndcg, map, samples, trainSeconds, evalSeconds, samplesPerSecond, null);
    }

    /** The console form: one line, and the step counters on a second when there are any. */
    public String line() {
        String first = String.format("epoch %3d  loss %.4f  HR@%d %.4f  NDCG@%d %.4f  MAP@%d %.4f  %,9.0f samples/s"
                        + "  (train %.1fs, eval %.2fs)", epoch, loss, k, hr, k, ndcg, k, map, samplesPerSecond,
                trainSeconds, evalSeconds);
        return counters == null ? first : first + System.lineSeparator() + counters.line();
    }

    /** The JSON-lines form (an {@code "event": "epoch"} record). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "epoch");
        m.put("epoch", epoch);
        m.put("step", step);
        m.put("loss", loss);
        m.put("k", k);
        m.put("hr", hr);
        m.put("ndcg", ndcg);
        m.put("map", map);
        m.put("samples", samples);
        m.put("trainSeconds", trainSeconds);
        m.put("evalSeconds", evalSeconds);
        m.put("samplesPerSecond", samplesPerSecond);
        if (counters != null) {
            m.put("counters", counters.toMap());
        }
        return m;
    }

    /** Reads the JSON-lines form back. */
    @SuppressWarnings("unchecked")
    public static EpochMetrics fromMap(Map<String, Object> m) {
        Object c = m.get("counters");
        return new EpochMetrics(num(m, "epoch").intValue(), num(m, "step").longValue(), num(m, "loss").doubleValue(),
                num(m, "k").intValue(), num(m, "hr").doubleValue(), num(m, "ndcg").doubleValue(),
                num(m, "map").doubleValue(), num(m, "samples").longValue(), num(m, "trainSeconds").doubleValue(),
                num(m, "evalSeconds").doubleValue(), num(m, "samplesPerSecond").doubleValue(),
                c instanceof Map<?, ?> cm ? StepCounters.fromMap((Map<String, Object>) cm) : null);
    }

    private static Number num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v instanceof Number n) {
            return n;
        }
        if (v instanceof String s && s.equals("NaN")) {
            return Double.NaN;
        }
        throw new IllegalArgumentException("metrics record has no numeric '" + key + "': " + m);
    }
}
