package io.ringmaster.workers.train;

import java.util.Arrays;
import java.util.Locale;

/**
 * One rank's timeline (job key {@code trace.timeline}, issue 19 part 5), as Horovod's: a span for each
 * phase of each step (loader wait, compute, exchange with the part spent waiting for the other ranks,
 * optimizer) and for evaluations and checkpoints, written as Chrome trace events ({@code chrome://tracing},
 * Perfetto) with the rank as the thread. Times are wall-clock microseconds, so ranks on different hosts
 * line up as far as their clocks agree. Recording costs a few array writes per span; {@link #OFF}
 * records nothing.
 */
public final class Timeline {

    /** What a span is. */
    public enum Phase {
        LOADER("loader wait"),
        COMPUTE("compute"),
        EXCHANGE("exchange"),
        WAIT("wait for peers"),
        OPTIMIZER("optimizer"),
        EVALUATION("evaluation"),
        CHECKPOINT("checkpoint");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public static final Timeline OFF = new Timeline(false);

    private static final Phase[] PHASES = Phase.values();

    private final boolean on;
    private final long originNanos = System.nanoTime();
    private final long originMicros = System.currentTimeMillis() * 1000;
    private int n;
    private byte[] phase = new byte[0];
    private long[] start = new long[0];
    private long[] duration = new long[0];
    private long[] step = new long[0];

    private Timeline(boolean on) {
        this.on = on;
    }

    /** A timeline that records. */
    public static Timeline recording() {
        return new Timeline(true);
    }

    public boolean on() {
        return on;
    }

    /** Spans recorded so far. */
    public int size() {
        return n;
    }

    /**
     * Records {@code p} from {@code startNanos} to {@code endNanos} ({@link System#nanoTime()}) in global step
     * {@code s}.
     */
    public void span(Phase p, long startNanos, long endNanos, long s) {
        if (!on) {
            return;
        }
        if (n == start.length) {
            int grown = Math.max(1024, n * 2);
            phase = Arrays.copyOf(phase, grown);
            start = Arrays.copyOf(start, grown);
            duration = Arrays.copyOf(duration, grown);
            step = Arrays.copyOf(step, grown);
        }
        phase[n] = (byte) p.ordinal();
        start[n] = startNanos;
        duration[n] = Math.max(0, endNanos - startNanos);
        step[n] = s;
        n++;
    }

    /**
     * The Chrome trace of this rank: {@code {"traceEvents": [...]}} with process {@code pid} (the attempt)
     * named {@code process} and thread {@code rank} named {@code thread}.
     */
    public String toJson(int pid, String process, int rank, String thread) {
        StringBuilder b = new StringBuilder(64 + n * 110);
        b.append("{\"traceEvents\":[\n");
        b.append(String.format(Locale.ROOT, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
                + "\"args\":{\"name\":%s}},%n", pid, rank, quote(process)));
        b.append(String.format(Locale.ROOT, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
                + "\"args\":{\"name\":%s}}", pid, rank, quote(thread)));
        for (int i = 0; i < n; i++) {
            long ts = originMicros + (start[i] - originNanos) / 1000;
            b.append(",\n{\"name\":\"").append(PHASES[phase[i]].label()).append("\",\"cat\":\"")
                    .append(PHASES[phase[i]].name().toLowerCase(Locale.ROOT)).append("\",\"ph\":\"X\",\"ts\":")
                    .append(ts).append(",\"dur\":").append(String.format(Locale.ROOT, "%.1f", duration[i] / 1000.0))
                    .append(",\"pid\":").append(pid).append(",\"tid\":").append(rank).append(",\"args\":{\"step\":")
                    .append(step[i]).append("}}");
        }
        b.append("\n]}\n");
        return b.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
