package io.ringmaster.orchestrator.run;

/** A run directory another live job owns ({@link RunLock}): refused before anything in it is touched. */
public final class RunInUseException extends RuntimeException {

    public RunInUseException(String message) {
        super(message);
    }
}
