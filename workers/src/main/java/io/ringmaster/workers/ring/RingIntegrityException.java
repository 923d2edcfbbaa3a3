package io.ringmaster.workers.ring;

/**
 * A message from a ring neighbour failed its integrity check ({@link Integrity}): this rank found the
 * fault, so its error, not its neighbours' "connection closed", is the one to report.
 */
public final class RingIntegrityException extends RingException {

    public RingIntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
