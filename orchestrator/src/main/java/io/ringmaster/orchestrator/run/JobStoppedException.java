package io.ringmaster.orchestrator.run;

/** A job the driver's own shutdown (a signal) stopped: reported in one line, never relaunched. */
public final class JobStoppedException extends RuntimeException {

    public JobStoppedException(String message) {
        super(message);
    }
}
