package io.ringmaster.workers.ring;

import java.io.IOException;

/** The ring could not be formed or broke: a peer failed authentication, died, hung or disagreed. */
public class RingException extends IOException {

    public RingException(String message) {
        super(message);
    }

    public RingException(String message, Throwable cause) {
        super(message, cause);
    }
}
