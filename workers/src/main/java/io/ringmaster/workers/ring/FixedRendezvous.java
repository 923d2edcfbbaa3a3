package io.ringmaster.workers.ring;

import java.util.List;

/** A rendezvous whose peer list is already known (threads in one JVM, child processes, tests). */
public record FixedRendezvous(int rank, List<Peer> peers) implements Rendezvous {

    public FixedRendezvous {
        peers = List.copyOf(peers);
        if (rank < 0 || rank >= peers.size()) {
            throw new IllegalArgumentException("rank " + rank + " outside a gang of " + peers.size());
        }
    }

    @Override
    public int size() {
        return peers.size();
    }
}
