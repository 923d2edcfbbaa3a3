package io.ringmaster.orchestrator.dl4jspark;

/** An epoch of a DL4J training master made no progress within the watchdog's limit; its Spark jobs were cancelled. */
public final class TrainingStalledException extends RuntimeException {

    public TrainingStalledException(String message) {
        super(message);
    }
}
