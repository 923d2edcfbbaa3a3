package io.ringmaster.orchestrator.spark;

import io.ringmaster.workers.ring.Peer;
import io.ringmaster.workers.ring.Rendezvous;
import io.ringmaster.workers.ring.RingAuth;
import io.ringmaster.workers.ring.RingException;
import io.ringmaster.workers.ring.RingListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * The gang's rendezvous on Spark: each task listens on its executor's address, then the tasks swap
 * {@code rank host:port token} through {@link BarrierTaskContext#allGather} (once per gang, never per
 * step: it polls once a second). Each token is an HMAC of rank and address under the job secret, and
 * every task checks all of them before connecting to anyone.
 */
final class BarrierRendezvous implements Rendezvous {

    private final int rank;
    private final List<Peer> peers;

    private BarrierRendezvous(int rank, List<Peer> peers) {
        this.rank = rank;
        this.peers = List.copyOf(peers);
    }

    /** The executor host this task runs on, as Spark's barrier context reports it. */
    static String host(BarrierTaskContext ctx) {
        String address = ctx.getTaskInfos()[ctx.partitionId()].address();
        int colon = address.lastIndexOf(':');
        return colon > 0 ? address.substring(0, colon) : address;
    }

    static BarrierRendezvous exchange(BarrierTaskContext ctx, RingListener listener, byte[] secret)
            throws IOException {
        RingAuth auth = new RingAuth(secret);
        int rank = ctx.partitionId();
        int size = ctx.getTaskInfos().length;
        String mine = rank + " " + listener.address() + " " + auth.rendezvousToken(rank, listener.address());
        String[] all = ctx.allGather(mine);
        if (all.length != size) {
            throw new RingException("rank " + rank + ": rendezvous returned " + all.length + " entries for a gang of "
                    + size);
        }
        List<Peer> peers = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            String[] parts = all[r].split(" ");
            if (parts.length != 3 || !parts[0].equals(String.valueOf(r))) {
                throw new RingException("rank " + rank + ": malformed rendezvous entry " + r + ": '" + all[r] + "'");
            }
            Peer p = Peer.parse(parts[1]);
            if (!auth.checkRendezvousToken(r, p, parts[2])) {
                throw new RingException("rank " + rank + ": rendezvous entry of rank " + r + " (" + p
                        + ") carries a token that does not match this job's secret");
            }
            peers.add(p);
        }
        return new BarrierRendezvous(rank, peers);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return peers.size();
    }

    @Override
    public List<Peer> peers() {
        return peers;
    }
}
