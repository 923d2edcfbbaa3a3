package io.ringmaster.orchestrator.run;

/**
 * A request from the driver to stop one training job (a study stopping a trial at its timeout): the job is
 * not relaunched, it launches no further attempt, and it ends with a {@link JobStoppedException}. The
 * requester cancels the job's Spark job group so that its running gang stops at its next step.
 */
public final class Cancellation {

    /** For a job nobody cancels. */
    public static final Cancellation NONE = new Cancellation();

    private volatile String reason;

    /** Asks the job to stop, saying why ("the study's timeout of 60 s passed"). */
    public void request(String why) {
        if (this == NONE) {
            throw new IllegalStateException("Cancellation.NONE cannot be requested");
        }
        reason = why;
    }

    public boolean requested() {
        return reason != null;
    }

    /** Why it was requested; null when it was not. */
    public String reason() {
        return reason;
    }
}
