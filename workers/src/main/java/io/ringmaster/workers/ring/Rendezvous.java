package io.ringmaster.workers.ring;

import java.util.List;

/**
 * How a worker sees its gang: its rank, the gang size, and where every rank listens. On Spark it is
 * filled in by {@code BarrierTaskContext.allGather}; in tests and benchmarks by plain threads or
 * processes ({@link FixedRendezvous}).
 */
public interface Rendezvous {

    int rank();

    int size();

    /** Listening addresses, indexed by rank (this rank's own included). */
    List<Peer> peers();
}
