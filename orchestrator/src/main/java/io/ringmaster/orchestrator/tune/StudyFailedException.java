package io.ringmaster.orchestrator.tune;

/** A study that could not go on: every trial failed (the cause is the job, not the settings searched). */
public final class StudyFailedException extends RuntimeException {

    public StudyFailedException(String message) {
        super(message);
    }
}
