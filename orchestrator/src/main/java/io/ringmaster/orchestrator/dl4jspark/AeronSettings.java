package io.ringmaster.orchestrator.dl4jspark;

import java.util.Map;

/**
 * System properties Aeron (the parameter server's UDP transport) needs in every JVM that runs it,
 * set before its first media driver starts. DL4J sets a client liveness timeout of 30 s, which Aeron
 * rejects unless the publication unblock timeout is longer (its default is 15 s); and Aeron's embedded
 * media drivers leave {@code /dev/shm/aeron-*} folders behind unless told to delete them.
 */
public final class AeronSettings {

    /** Property and value; a value the user already set (e.g. with {@code -D}) is kept. */
    static final Map<String, String> PROPERTIES = Map.of(
            "aeron.publication.unblock.timeout", "60s",
            "aeron.dir.delete.on.shutdown", "true");

    private AeronSettings() {
    }

    /** Sets the properties this JVM does not have yet. */
    public static synchronized void apply() {
        PROPERTIES.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
    }
}
