package io.ringmaster.workers.train;

import io.ringmaster.workers.eval.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Figures for one epoch: mean training loss, the evaluator's named figures on the test split (null
 * when nothing evaluates), examples trained, seconds spent training (negative sampling included) and
 * evaluating, training throughput, and where the steps went ({@link StepCounters}; null where nobody
 * counted, e.g. DL4J's training masters).
 */
public record EpochMetrics(int epoch, long step, double loss, Metrics metrics, long samples, double trainSeconds,
                           double evalSeconds, double samplesPerSecond, StepCounters counters) {

    /** The record's own keys; every other numeric key of an epoch record is an evaluation figure. */
    private static final Set<String> FIELDS = Set.of("event", "epoch", "step", "loss", "k", "samples",
            "trainSeconds", "evalSeconds", "samplesPerSecond", "time");

    /** The console form: one line, and the step counters on a second when there are any. */
    public String line() {
        String first = String.format("epoch %3d  loss %.4f  ", epoch, loss) + (metrics == null ? "" : metrics.line()
                + "  ") + String.format("%,9.0f samples/s  (train %.1fs, eval %.2fs)", samplesPerSecond, trainSeconds,
                evalSeconds);
        return counters == null ? first : first + System.lineSeparator() + counters.line();
    }

    /** The JSON-lines form (an {@code "event": "epoch"} record): each figure under its own name. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "epoch");
        m.put("epoch", epoch);
        m.put("step", step);
        m.put("loss", loss);
        if (metrics != null) {
            m.put("k", metrics.k());
            metrics.putInto(m, "");
        }
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
        Metrics metrics = m.containsKey("k") ? Metrics.readFrom(m, "", num(m, "k").intValue(), null, FIELDS) : null;
        return new EpochMetrics(num(m, "epoch").intValue(), num(m, "step").longValue(), num(m, "loss").doubleValue(),
                metrics, num(m, "samples").longValue(), num(m, "trainSeconds").doubleValue(),
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
