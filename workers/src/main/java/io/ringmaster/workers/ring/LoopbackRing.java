package io.ringmaster.workers.ring;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A gang of N ranks inside one JVM on 127.0.0.1, connected exactly as Spark tasks connect (listeners,
 * rendezvous, authenticated ring, then the transport {@code allreduce.transport} picks), for tests and
 * benchmarks that need no Spark.
 */
public final class LoopbackRing {

    private LoopbackRing() {
    }

    /** Forms the ring; element r is rank r. */
    public static List<RingAllReducer> form(int n, byte[] secret, RingOptions options) throws IOException {
        if (n < 1) {
            throw new IllegalArgumentException("gang size must be >= 1, got " + n);
        }
        return form(java.util.Collections.nCopies(n, "127.0.0.1"), secret, options);
    }

    /** Forms the ring with rank r listening on {@code hosts.get(r)} (names of this machine); element r is rank r. */
    public static List<RingAllReducer> form(List<String> hosts, byte[] secret, RingOptions options) throws IOException {
        int n = hosts.size();
        List<RingListener> listeners = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "ringmaster-loopback-connect");
            t.setDaemon(true);
            return t;
        });
        List<RingAllReducer> ring = new ArrayList<>();
        try {
            for (int r = 0; r < n; r++) {
                listeners.add(RingListener.open(hosts.get(r)));
            }
            List<Peer> peers = listeners.stream().map(RingListener::address).toList();
            List<Future<RingAllReducer>> forming = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                forming.add(pool.submit(() -> RingAllReducer.connect(new FixedRendezvous(rank, peers),
                        listeners.get(rank), secret, options)));
            }
            IOException failure = null;
            for (Future<RingAllReducer> f : forming) {
                try {
                    ring.add(f.get());
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof IOException io ? io
                                : new RingException("forming the ring failed: " + e.getCause(), e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RingException("interrupted while forming the ring", e);
                }
            }
            if (failure != null) {
                ring.forEach(RingAllReducer::close);
                throw failure;
            }
            return ring;
        } finally {
            pool.shutdownNow();
            for (RingListener l : listeners) {
                l.close();
            }
        }
    }

    /**
     * Forms the ring, then on every rank at once the collective its options ask for
     * ({@link SharedMemoryCollective#over}); element r is rank r.
     */
    public static List<io.ringmaster.workers.train.Collective> gang(int n, byte[] secret, RingOptions options)
            throws IOException {
        List<RingAllReducer> ring = form(n, secret, options);
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "ringmaster-loopback-transport");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<io.ringmaster.workers.train.Collective>> fs = new ArrayList<>();
            for (RingAllReducer r : ring) {
                fs.add(pool.submit(() -> SharedMemoryCollective.over(r)));
            }
            List<io.ringmaster.workers.train.Collective> out = new ArrayList<>();
            for (Future<io.ringmaster.workers.train.Collective> f : fs) {
                out.add(f.get());
            }
            return out;
        } catch (ExecutionException e) {
            ring.forEach(RingAllReducer::close);
            throw e.getCause() instanceof IOException io ? io
                    : new RingException("choosing the transport failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            ring.forEach(RingAllReducer::close);
            Thread.currentThread().interrupt();
            throw new RingException("interrupted while choosing the transport", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
