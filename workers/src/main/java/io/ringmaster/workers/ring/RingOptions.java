package io.ringmaster.workers.ring;

import java.io.Serializable;
import java.util.Objects;

/**
 * Ring settings: wire compression, how long to wait for the ring to connect, how long a transfer may
 * stall before the peer is declared dead or hung, the size of each pipelined chunk (and of each rank's
 * slot in shared memory), what carries the collectives, and whether the ring's messages are sealed.
 */
public record RingOptions(Compression compression, int connectTimeoutMillis, int stepTimeoutMillis, int chunkBytes,
                          Transport transport, Integrity integrity) implements Serializable {

    public static final RingOptions DEFAULT = new RingOptions(Compression.NONE, 60_000, 120_000, 1 << 20,
            Transport.AUTO, Integrity.AUTO);

    /** Messages sealed as {@code auto} decides. */
    public RingOptions(Compression compression, int connectTimeoutMillis, int stepTimeoutMillis, int chunkBytes,
                       Transport transport) {
        this(compression, connectTimeoutMillis, stepTimeoutMillis, chunkBytes, transport, Integrity.AUTO);
    }

    /** Settings carried by the transport {@code auto} picks. */
    public RingOptions(Compression compression, int connectTimeoutMillis, int stepTimeoutMillis, int chunkBytes) {
        this(compression, connectTimeoutMillis, stepTimeoutMillis, chunkBytes, Transport.AUTO);
    }

    public RingOptions {
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(integrity, "integrity");
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
        return new RingOptions(c, connectTimeoutMillis, stepTimeoutMillis, chunkBytes, transport, integrity);
    }

    public RingOptions withTimeouts(int connectMillis, int stepMillis) {
        return new RingOptions(compression, connectMillis, stepMillis, chunkBytes, transport, integrity);
    }

    public RingOptions withChunkBytes(int bytes) {
        return new RingOptions(compression, connectTimeoutMillis, stepTimeoutMillis, bytes, transport, integrity);
    }

    public RingOptions withTransport(Transport t) {
        return new RingOptions(compression, connectTimeoutMillis, stepTimeoutMillis, chunkBytes, t, integrity);
    }

    public RingOptions withIntegrity(Integrity i) {
        return new RingOptions(compression, connectTimeoutMillis, stepTimeoutMillis, chunkBytes, transport, i);
    }
}
