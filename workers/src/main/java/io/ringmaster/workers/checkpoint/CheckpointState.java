package io.ringmaster.workers.checkpoint;

import io.ringmaster.workers.eval.Metrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where training stood when a checkpoint was taken, besides the model and optimizer: the epoch in
 * progress (0-based) and the steps of it already taken (the loader cursor: batch sequences and
 * negatives are functions of seed, epoch and step, so no generator state is needed), the global step,
 * the gang's loss sum over the epoch so far, the best epoch's figures (null before any evaluation; as
 * {@code best<Name>} keys with their cut-off {@code bestK}) and
 * timings so far, and what the gang's gradient exchange had learned ({@code exchangeState}, {@link
 * io.ringmaster.workers.train.GradientExchange#state()}; null for a single worker, DL4J's strategies and
 * checkpoints from before it).
 */
public record CheckpointState(int epoch, int stepInEpoch, long globalStep, double epochLossSum, int bestEpoch,
                              Metrics best, double trainSeconds, long trained, int workers, String configHash,
                              double[] exchangeState) {

    private static final List<String> FIELDS = List.of("epoch", "stepInEpoch", "globalStep", "epochLossSum",
            "bestEpoch", "bestK", "trainSeconds", "trained", "workers", "configHash", "exchangeState");

    /** A fresh run. */
    public static CheckpointState start(int workers, String configHash) {
        return new CheckpointState(0, 0, 0, 0, 0, null, 0, 0, workers, configHash, null);
    }

    /** The same state recorded under {@code hash}. */
    public CheckpointState withConfigHash(String hash) {
        return new CheckpointState(epoch, stepInEpoch, globalStep, epochLossSum, bestEpoch, best, trainSeconds,
                trained, workers, hash, exchangeState);
    }

    /** The {@code state.json} form: the fields by name, the best figures as {@code best<Name>} keys. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("stepInEpoch", stepInEpoch);
        m.put("globalStep", globalStep);
        m.put("epochLossSum", epochLossSum);
        m.put("bestEpoch", bestEpoch);
        if (best != null) {
            m.put("bestK", best.k());
            best.putInto(m, "best");
        }
        m.put("trainSeconds", trainSeconds);
        m.put("trained", trained);
        m.put("workers", workers);
        m.put("configHash", configHash);
        m.put("exchangeState", exchangeState);
        return m;
    }

    /** Reads {@link #toJson()}'s form back. */
    public static CheckpointState fromJson(Map<String, Object> m) {
        int bestEpoch = integer(m, "bestEpoch");
        int k = m.get("bestK") instanceof Number n ? n.intValue() : 0; // absent before named figures
        Metrics best = bestEpoch == 0 ? null : Metrics.readFrom(m, "best", k, null, Set.copyOf(FIELDS));
        Object x = m.get("exchangeState");
        double[] exchange = x instanceof double[] d ? d.clone()
                : x instanceof List<?> l ? l.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray() : null;
        return new CheckpointState(integer(m, "epoch"), integer(m, "stepInEpoch"), number(m, "globalStep").longValue(),
                number(m, "epochLossSum").doubleValue(), bestEpoch, best, number(m, "trainSeconds").doubleValue(),
                number(m, "trained").longValue(), integer(m, "workers"), (String) m.get("configHash"), exchange);
    }

    private static int integer(Map<String, Object> m, String key) {
        return number(m, key).intValue();
    }

    private static Number number(Map<String, Object> m, String key) {
        if (m.get(key) instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException("state.json has no numeric '" + key + "'");
    }
}
