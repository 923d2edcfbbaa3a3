package io.ringmaster.orchestrator.dl4jspark;

/**
 * The parameter server cannot run as configured: its port range is taken, a worker cannot reach the
 * master, or the executor's address is unknown. The message names the setting to change.
 */
public final class ParameterServerException extends RuntimeException {

    public ParameterServerException(String message) {
        super(message);
    }

    public ParameterServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
