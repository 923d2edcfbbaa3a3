package io.ringmaster.workers.train;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * A deliberate failure for testing how a gang fails (job keys {@code fault.kill-rank},
 * {@code fault.at-step}, {@code fault.kind}): with kind {@code stop} the worker of that rank throws
 * {@link InjectedFault} just before that global step; with {@code exit} it logs a warning and halts its
 * JVM there, as a crashed host would (executors in JVMs of their own only); with {@code tamper} it flips
 * one byte of its next message on the wire in that step, as a host on the path could
 * ({@code allreduce.integrity} catches it on the receiving rank). Off unless a job asks for it.
 */
public record FaultInjection(int rank, long atStep, Kind kind) implements Serializable {

    public static final FaultInjection NONE = new FaultInjection(-1, -1);

    /** What the rank does at that step. */
    public enum Kind {
        STOP,
        EXIT,
        TAMPER;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String text) {
            for (Kind k : values()) {
                if (k.id().equals(text)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("fault.kind must be stop, exit or tamper, got '" + text + "'");
        }
    }

    public FaultInjection {
        Objects.requireNonNull(kind, "kind");
    }

    /** A rank that stops at a step. */
    public FaultInjection(int rank, long atStep) {
        this(rank, atStep, Kind.STOP);
    }

    /** True when this fault is rank {@code rank}'s, just before global step {@code step}. */
    public boolean hits(int rank, long step) {
        return this.rank == rank && atStep == step;
    }

    /** Throws when rank {@code rank} is to stop before step {@code step}; halts the JVM when it is to exit. */
    public void check(int rank, long step) {
        if (kind == Kind.EXIT && hits(rank, step)) {
            org.slf4j.LoggerFactory.getLogger(FaultInjection.class).warn("injected fault: rank {} halts its JVM before"
                    + " step {} (fault.kind exit), as a crashed host would", rank, step);
            Runtime.getRuntime().halt(137);
        }
        if (kind == Kind.STOP && hits(rank, step)) {
            throw new InjectedFault("injected fault: rank " + rank + " stopped at step " + step
                    + " (job keys fault.kill-rank / fault.at-step)");
        }
    }

    /** True when rank {@code rank} is to alter its next message in step {@code step}. */
    public boolean tampers(int rank, long step) {
        return kind == Kind.TAMPER && hits(rank, step);
    }

    /** The failure {@link FaultInjection} throws. */
    public static final class InjectedFault extends RuntimeException {
        public InjectedFault(String message) {
            super(message);
        }
    }
}
