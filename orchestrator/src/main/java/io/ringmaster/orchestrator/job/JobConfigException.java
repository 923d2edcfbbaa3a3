package io.ringmaster.orchestrator.job;

/** A job file or option that cannot be used; the message names the file and key. */
public class JobConfigException extends RuntimeException {

    public JobConfigException(String message) {
        super(message);
    }

    public JobConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
