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
 * rendezvous, authenticated ring), for tests and benchmarks that need no Spark.
 */
public final class LoopbackRing {

    private LoopbackRing() {
    }

    /** Forms the ring; element r is rank r. */
    public static List<RingAllReducer> form(int n, byte[] secret, RingOptions options) throws IOException {
        if (n < 1) {
            throw new IllegalArgumentException("gang size must be >= 1, got " + n);
        }
        List<RingListener> listeners = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "ringmaster-loopback-connect");
            t.setDaemon(true);
            return t;
        });
        List<RingAllReducer> ring = new ArrayList<>();
        try {
            for (int r = 0; r < n; r++) {
                listeners.add(RingListener.open("127.0.0.1"));
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
}
