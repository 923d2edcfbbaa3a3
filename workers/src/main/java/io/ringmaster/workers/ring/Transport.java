package io.ringmaster.workers.ring;

import java.util.Locale;

/**
 * What carries the gang's collectives ({@code allreduce.transport}): {@code auto} uses one shared
 * memory segment when every rank runs on the same host and the TCP ring otherwise; {@code tcp} always
 * the ring; {@code shm} shared memory or a failure saying why not.
 */
public enum Transport {
    AUTO,
    TCP,
    SHM;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Transport parse(String text) {
        for (Transport t : values()) {
            if (t.id().equals(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException("allreduce.transport must be auto, tcp or shm, got '" + text + "'");
    }
}
