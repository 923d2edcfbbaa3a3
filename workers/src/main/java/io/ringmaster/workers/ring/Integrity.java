package io.ringmaster.workers.ring;

import java.util.List;
import java.util.Locale;

/**
 * Whether the ring's data stream is sealed ({@code allreduce.integrity}): {@code on} sends every message as
 * an AES-GCM record under a key that the two neighbours derive from the job secret when they connect, so a
 * message altered, replayed, reordered or injected on the path fails the step naming the peer (and nobody
 * on the path reads the gradients); {@code off} sends plain bytes, authenticated only at connect time;
 * {@code auto}, the default, seals when the gang's ranks listen on more than one host address.
 */
public enum Integrity {
    AUTO,
    ON,
    OFF;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses an id; {@code true} and {@code false} too, which is how YAML reads an unquoted on and off. */
    public static Integrity parse(String text) {
        if ("true".equals(text)) {
            return ON;
        }
        if ("false".equals(text)) {
            return OFF;
        }
        for (Integrity i : values()) {
            if (i.id().equals(text)) {
                return i;
            }
        }
        throw new IllegalArgumentException("allreduce.integrity must be auto, on or off, got '" + text + "'");
    }

    /** Whether a gang listening at {@code peers} seals its messages: the same answer on every rank. */
    public boolean seals(List<Peer> peers) {
        return switch (this) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> peers.stream().map(Peer::host).distinct().count() > 1;
        };
    }
}
