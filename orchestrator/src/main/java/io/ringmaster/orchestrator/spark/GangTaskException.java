package io.ringmaster.orchestrator.spark;

/**
 * A gang task's failure as it leaves the task: the rank and executor host that failed, then the
 * worker's own error (kept as the cause, so Spark's report carries its class and stack).
 */
public final class GangTaskException extends RuntimeException {

    public GangTaskException(int rank, String host, Throwable cause) {
        super("rank " + rank + " on " + host + ": " + (cause.getMessage() != null ? cause.getMessage()
                : cause.getClass().getName()), cause);
    }
}
