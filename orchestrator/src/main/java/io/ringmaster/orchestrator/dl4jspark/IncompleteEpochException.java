package io.ringmaster.orchestrator.dl4jspark;

/**
 * A DL4J training master returned from an epoch without training every example the loader handed out
 * (its trainers catch their own failures); the attempt fails, and a relaunch may fix it.
 */
public final class IncompleteEpochException extends RuntimeException {

    public IncompleteEpochException(String message) {
        super(message);
    }
}
