package io.ringmaster.workers.ring;

import java.io.Serializable;
import java.util.Objects;

/**
 * Ring settings: wire compression, how long to wait for the ring to connect, how long a transfer may
 * stall before the peer is declared dead or hung, and the size of each pipelined chunk.
 */
public record RingOptions(Compression compression, int connectTimeoutMillis, int stepTimeoutMillis, int chunkBytes)
        implements Serializable {

    public static final RingOptions DEFAULT = new RingOptions(Compression.NONE, 60_000, 120_000, 1 << 20);

    public RingOptions {
        Objects.requireNonNull(compression, "compression");
        if (connectTimeoutMillis < 1) {
            throw new IllegalArgumentException("allreduce.connect-timeout must be positive");
        }
        if (stepTimeoutMillis < 1) {
            throw new IllegalArgumentException("allreduce.timeout must be positive");
        }
        if (chunkBytes < 1024 || chunkBytes > (64 << 20)) {
            throw new IllegalArgumentException("allreduce.chunk-kb must be between 1 and 65536, got "
                    + chunkBytes / 1024);
        }
    }

    public RingOptions withCompression(Compression c) {
        return new RingOptions(c, connectTimeoutMillis, stepTimeoutMillis, chunkBytes);
    }

    public RingOptions withTimeouts(int connectMillis, int stepMillis) {
        return new RingOptions(compression, connectMillis, stepMillis, chunkBytes);
    }
}
