package io.ringmaster.workers.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an epoch's steps went, per step: the rows of each embedding table the step updated (the gang's
 * union), the share of steps a table went densely, the bytes this rank sent (dense values, and
 * embedding rows with their ids), and the share of training time spent getting the batch (loader and
 * negatives), computing the gradient, exchanging it and applying the optimizer.
 */
public record StepCounters(long steps, Map<String, Double> rowsPerStep, Map<String, Double> denseShare,
                           double denseBytesPerStep, double rowBytesPerStep, double inputSeconds,
                           double computeSeconds, double exchangeSeconds, double optimizerSeconds,
                           double exchangeWaitSeconds, java.util.List<Map<String, Double>> ranks) {

    /** The phases of {@link #ranks()}' maps, in order; exchangeWait is the part of exchange spent blocked. */
    public static final java.util.List<String> RANK_PHASES = java.util.List.of("input", "compute", "exchange",
            "exchangeWait", "optimizer");

    /**
     * {@code exchangeWaitSeconds}: of the exchange, the time blocked on the other ranks; {@code ranks}: every
     * rank's seconds by phase ({@link #RANK_PHASES}), empty where unknown.
     */
    public StepCounters {
        rowsPerStep = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rowsPerStep)); // table order
        denseShare = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(denseShare));
        ranks = ranks == null ? java.util.List.of() : java.util.List.copyOf(ranks);
    }

    /** These counters with every rank's seconds by phase. */
    public StepCounters withRanks(java.util.List<Map<String, Double>> perRank) {
        return new StepCounters(steps, rowsPerStep, denseShare, denseBytesPerStep, rowBytesPerStep, inputSeconds,
                computeSeconds, exchangeSeconds, optimizerSeconds, exchangeWaitSeconds, perRank);
    }

    /** This rank's seconds by phase ({@link #RANK_PHASES}). */
    public double[] phaseSeconds() {
        return new double[] {inputSeconds, computeSeconds, exchangeSeconds, exchangeWaitSeconds, optimizerSeconds};
    }

    private double total() {
        return inputSeconds + computeSeconds + exchangeSeconds + optimizerSeconds;
    }

    /** The second console line of an epoch. */
    public String line() {
        StringBuilder b = new StringBuilder("           rows/step");
        for (Map.Entry<String, Double> e : rowsPerStep.entrySet()) {
            b.append(String.format(" %s %,.0f", e.getKey(), e.getValue()));
            Double d = denseShare.get(e.getKey());
            if (d != null && d > 0) {
                b.append(String.format(" (dense %.0f%%)", 100 * d));
            }
        }
        double all = total();
        b.append(String.format("  sent/step %s dense + %s rows  time: input %.0f%%, compute %.0f%%, exchange %.0f%%,"
                        + " optimizer %.0f%%", bytes(denseBytesPerStep), bytes(rowBytesPerStep),
                100 * inputSeconds / all, 100 * computeSeconds / all, 100 * exchangeSeconds / all,
                100 * optimizerSeconds / all));
        return b.toString();
    }

    private static String bytes(double b) {
        return b < 1024 ? String.format("%.0f B", b) : b < 1 << 20 ? String.format("%.1f KiB", b / 1024)
                : String.format("%.1f MiB", b / (1 << 20));
    }

    /** The form kept in an epoch's metrics record. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        m.put("rowsPerStep", rowsPerStep);
        m.put("denseShare", denseShare);
        m.put("denseBytesPerStep", denseBytesPerStep);
        m.put("rowBytesPerStep", rowBytesPerStep);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("input", inputSeconds);
        s.put("compute", computeSeconds);
        s.put("exchange", exchangeSeconds);
        s.put("optimizer", optimizerSeconds);
        m.put("seconds", s);
        m.put("exchangeWaitSeconds", exchangeWaitSeconds);
        if (!ranks.isEmpty()) {
            m.put("ranks", ranks);
        }
        return m;
    }

    /** Reads {@link #toMap()} back. */
    @SuppressWarnings("unchecked")
    public static StepCounters fromMap(Map<String, Object> m) {
        Map<String, Object> s = (Map<String, Object>) m.get("seconds");
        return new StepCounters(((Number) m.get("steps")).longValue(), doubles((Map<String,
                Object>) m.get("rowsPerStep")),
                doubles((Map<String, Object>) m.get("denseShare")), ((Number) m.get("denseBytesPerStep")).doubleValue(),
                ((Number) m.get("rowBytesPerStep")).doubleValue(), ((Number) s.get("input")).doubleValue(),
                ((Number) s.get("compute")).doubleValue(), ((Number) s.get("exchange")).doubleValue(),
                ((Number) s.get("optimizer")).doubleValue(), m.get("exchangeWaitSeconds") instanceof Number w
                        ? w.doubleValue() : 0, ranksOf(m.get("ranks")));
    }

    @SuppressWarnings("unchecked")
    private static java.util.List<Map<String, Double>> ranksOf(Object o) {
        java.util.List<Map<String, Double>> out = new java.util.ArrayList<>();
        if (o instanceof java.util.List<?> l) {
            for (Object r : l) {
                out.add(doubles((Map<String, Object>) r));
            }
        }
        return out;
    }

    private static Map<String, Double> doubles(Map<String, Object> m) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, ((Number) v).doubleValue()));
        }
        return out;
    }

    /** Sums an epoch's steps. */
    static final class Tally {
        private final String[] tables;
        private final long[] rows;
        private final long[] denseSteps;
        private long steps;
        private long denseBytes;
        private long rowBytes;
        long input;
        long compute;
        long exchange;
        long optimizer;
        long wait;

        Tally(java.util.List<String> tables) {
            this.tables = tables.toArray(new String[0]);
            this.rows = new long[this.tables.length];
            this.denseSteps = new long[this.tables.length];
        }

        void step(io.ringmaster.workers.gradient.Gradient g, GradientExchange exchange, long denseSent, long rowsSent) {
            steps++;
            for (int t = 0; t < rows.length; t++) {
                rows[t] += g.table(t).count();
                if (exchange != null && exchange.wentDense(t)) {
                    denseSteps[t]++;
                }
            }
            denseBytes += denseSent;
            rowBytes += rowsSent;
        }

        StepCounters counters() {
            Map<String, Double> r = new LinkedHashMap<>();
            Map<String, Double> d = new LinkedHashMap<>();
            double n = Math.max(1, steps);
            for (int t = 0; t < tables.length; t++) {
                r.put(tables[t], rows[t] / n);
                d.put(tables[t], denseSteps[t] / n);
            }
            return new StepCounters(steps, r, d, denseBytes / n, rowBytes / n, input / 1e9, compute / 1e9,
                    exchange / 1e9, optimizer / 1e9, wait / 1e9, null);
        }
    }
}
