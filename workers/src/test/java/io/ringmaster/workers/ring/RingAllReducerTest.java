package io.ringmaster.workers.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RingAllReducerTest {

    static final byte[] SECRET = RingAuth.newSecret();
    static final RingOptions FAST = RingOptions.DEFAULT.withTimeouts(10_000, 3_000);

    final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    interface RankBody {
        void run(RingAllReducer r) throws Exception;
    }

    /** Runs body on every rank concurrently; rethrows the first failure. */
    void onEveryRank(List<RingAllReducer> ring, RankBody body) throws Exception {
        onEveryRank(pool, ring, body);
    }

    /** Runs body on every rank concurrently on {@code pool}; rethrows the first failure. */
    static void onEveryRank(ExecutorService pool, List<RingAllReducer> ring, RankBody body) throws Exception {
        List<Future<?>> fs = new ArrayList<>();
        for (RingAllReducer r : ring) {
            fs.add(pool.submit(() -> {
                body.run(r);
                return null;
            }));
        }
        for (Future<?> f : fs) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception x) {
                    throw x;
                }
                throw e;
            }
        }
    }

    @Test
    void sumsAreExactOnIntegersForEveryGangSizeAndUnevenLengths() throws Exception {
        int[] lengths = {0, 1, 2, 3, 7, 13, 1000, 100_003, 300_001}; // 300001 floats > one 1 MiB chunk
        for (int n = 1; n <= 5; n++) {
            List<RingAllReducer> ring = LoopbackRing.form(n, SECRET, FAST);
            try {
                for (int len : lengths) {
                    float[][] bufs = new float[n][len];
                    float[] expected = new float[len];
                    for (int r = 0; r < n; r++) {
                        for (int i = 0; i < len; i++) {
                            bufs[r][i] = (i * 7 + r * 13) % 1000 - 500; // integers: float sums are exact
                            expected[i] += bufs[r][i];
                        }
                    }
                    onEveryRank(ring, r -> r.allReduce(bufs[r.rank()], 0, len, false));
                    for (int r = 0; r < n; r++) {
                        assertArrayEquals(expected, bufs[r], "n=" + n + " len=" + len + " rank " + r);
                    }
                }
            } finally {
                ring.forEach(RingAllReducer::close);
            }
        }
    }

    @Test
    void averagesASubRangeAndLeavesTheRestAlone() throws Exception {
        List<RingAllReducer> ring = LoopbackRing.form(3, SECRET, FAST);
        try {
            float[][] bufs = new float[3][10];
            for (int r = 0; r < 3; r++) {
                java.util.Arrays.fill(bufs[r], r + 1);
            }
            onEveryRank(ring, r -> r.allReduce(bufs[r.rank()], 2, 5, true));
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < 10; i++) {
                    assertEquals(i >= 2 && i < 7 ? 2f : r + 1, bufs[r][i], "rank " + r + " index " + i);
                }
            }
        } finally {
            ring.forEach(RingAllReducer::close);
        }
    }

    @Test
    void fp16IsWithinHalfPrecisionAndBitIdenticalOnEveryRank() throws Exception {
        int n = 4;
        int len = 50_001;
        List<RingAllReducer> ring = LoopbackRing.form(n, SECRET, FAST.withCompression(Compression.FP16));
        try {
            Random rnd = new Random(3);
            float[][] bufs = new float[n][len];
            double[] exact = new double[len];
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < len; i++) {
                    bufs[r][i] = (float) (rnd.nextGaussian() * 0.01);
                    exact[i] += bufs[r][i] / n;
                }
            }
            onEveryRank(ring, r -> r.allReduce(bufs[r.rank()], 0, len, true));
            double worst = 0;
            for (int i = 0; i < len; i++) {
                // n-1 partial sums and the result are each rounded to 11 significant bits
                double tol = 4 * Math.max(Math.abs(exact[i]), 0.01) * Math.pow(2, -11) * n;
                worst = Math.max(worst, Math.abs(bufs[0][i] - exact[i]) / tol);
            }
            assertTrue(worst <= 1, "fp16 error exceeded tolerance by x" + worst);
            for (int r = 1; r < n; r++) {
                assertArrayEquals(bufs[0], bufs[r], "rank " + r + " differs from rank 0");
            }
        } finally {
            ring.forEach(RingAllReducer::close);
        }
    }

    @Test
    void halfPrecisionRoundTripsEveryHalfAndRoundsToNearest() {
        for (int h = 0; h < 1 << 16; h++) {
            float f = Half.toFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals((short) h, Half.fromFloat(f), "half 0x" + Integer.toHexString(h));
            }
        }
        Random rnd = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            float f = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(40) - 26));
            float r = Half.round(f);
            short h = Half.fromFloat(f);
            float up = Half.toFloat((short) (h + 1));
            float down = Half.toFloat((short) (h - 1));
            if (Math.abs(f) < 65504) {
                // a NaN neighbour (past ±0) compares false and cannot fail the check
                assertTrue(!(Math.abs(f - r) > Math.abs(f - up)) && !(Math.abs(f - r) > Math.abs(f - down)),
                        f + " rounded to " + r);
            }
        }
        assertEquals(Float.POSITIVE_INFINITY, Half.round(1e6f));
        assertTrue(Float.isNaN(Half.round(Float.NaN)));
        assertEquals(0f, Half.round(1e-9f));
    }

    @Test
    void aPeerWithTheWrongSecretIsDroppedAndTheRightOneStillJoins() throws Exception {
        RingListener l0 = RingListener.open("127.0.0.1");
        RingListener l1 = RingListener.open("127.0.0.1");
        List<Peer> peers = List.of(l0.address(), l1.address());
        try (l0; l1) {
            // an impostor with another secret tries to be rank 1 while rank 0 waits for it
            Future<RingAllReducer> rank0 = pool.submit(() ->
                    RingAllReducer.connect(new FixedRendezvous(0, peers), l0, SECRET, FAST));
            RingListener li = RingListener.open("127.0.0.1");
            List<Peer> impostorView = List.of(l0.address(), li.address());
            RingException refused = assertThrows(RingException.class, () -> RingAllReducer.connect(
                    new FixedRendezvous(1, impostorView), li, RingAuth.newSecret(), FAST.withTimeouts(2_000, 1_000)));
            li.close();
            assertTrue(refused.getMessage().contains("failed authentication"), refused.getMessage());
            assertTrue(refused.getMessage().contains("rank 0 (" + l0.address() + ")"), refused.getMessage());

            RingAllReducer rank1 = RingAllReducer.connect(new FixedRendezvous(1, peers), l1, SECRET, FAST);
            RingAllReducer r0 = rank0.get(20, TimeUnit.SECONDS);
            try {
                float[] a = {1, 2};
                float[] b = {3, 4};
                onEveryRank(List.of(r0, rank1), r -> r.allReduce(r.rank() == 0 ? a : b, 0, 2, false));
                assertArrayEquals(new float[] {4, 6}, a);
            } finally {
                r0.close();
                rank1.close();
            }
        }
    }

    /** The formed ring of two sums 1 and 2 to 3. */
    private void addsOneAndTwo(RingAllReducer rank0, RingAllReducer rank1) throws Exception {
        float[] x = {1};
        float[] y = {2};
        onEveryRank(List.of(rank0, rank1), r -> r.allReduce(r.rank() == 0 ? x : y, 0, 1, false));
        assertEquals(3f, x[0]);
    }

    @Test
    void aSilentStrangerOnTheListenerDoesNotStopTheRingFromForming() throws Exception {
        RingListener l0 = RingListener.open("127.0.0.1");
        RingListener l1 = RingListener.open("127.0.0.1");
        List<Peer> peers = List.of(l0.address(), l1.address());
        try (l0; l1; java.net.Socket stranger = new java.net.Socket("127.0.0.1", l0.address().port())) {
            Future<RingAllReducer> r0 = pool.submit(() ->
                    RingAllReducer.connect(new FixedRendezvous(0, peers), l0, SECRET, FAST));
            Thread.sleep(300); // the stranger is accepted first and says nothing
            RingAllReducer r1 = RingAllReducer.connect(new FixedRendezvous(1, peers), l1, SECRET, FAST);
            RingAllReducer a = r0.get(30, TimeUnit.SECONDS);
            try {
                addsOneAndTwo(a, r1);
            } finally {
                a.close();
                r1.close();
            }
        }
    }

    @Test
    void manyIdleAndGarbageConnectionsOnBothListenersDoNotDelayOrStopTheRing() throws Exception {
        // found by hand: handshakes were served one at a time with 5 s each, so 16 silent connections per
        // listener made both attempts fail with "cannot connect to rank 1 ... within 60.0 s"
        RingListener l0 = RingListener.open("127.0.0.1");
        RingListener l1 = RingListener.open("127.0.0.1");
        List<Peer> peers = List.of(l0.address(), l1.address());
        List<java.net.Socket> strangers = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        try (l0; l1) {
            for (RingListener l : List.of(l0, l1)) {
                for (int i = 0; i < 16; i++) { // what the listen backlog holds before anyone accepts
                    strangers.add(new java.net.Socket("127.0.0.1", l.address().port()));
                }
            }
            strangers.get(0).getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes()); // and some that talk
            strangers.get(16).getOutputStream().write(new byte[3]);
            Future<?> more = pool.submit(() -> { // more than the acceptor keeps at once, while the ring forms
                for (int i = 0; i < 100 && !stop.get(); i++) {
                    java.net.Socket s = new java.net.Socket();
                    strangers.add(s);
                    try {
                        s.connect(new java.net.InetSocketAddress("127.0.0.1", l0.address().port()), 2_000);
                    } catch (java.io.IOException e) {
                        return null; // nobody accepts once the ring has formed: the backlog is full
                    }
                }
                return null;
            });
            RingOptions options = FAST.withTimeouts(4_000, 3_000); // well under 16 × 5 s of one-at-a-time handshakes
            Future<RingAllReducer> r0 = pool.submit(() ->
                    RingAllReducer.connect(new FixedRendezvous(0, peers), l0, SECRET, options));
            RingAllReducer r1 = RingAllReducer.connect(new FixedRendezvous(1, peers), l1, SECRET, options);
            RingAllReducer a = r0.get(30, TimeUnit.SECONDS);
            try {
                addsOneAndTwo(a, r1);
            } finally {
                a.close();
                r1.close();
                stop.set(true);
                more.get(30, TimeUnit.SECONDS);
            }
        } finally {
            for (java.net.Socket s : strangers) {
                s.close();
            }
        }
    }

    @Test
    void aRankWhosePeerNeverComesFailsWithinTheConnectTimeout() throws Exception {
        RingListener l0 = RingListener.open("127.0.0.1");
        RingListener l1 = RingListener.open("127.0.0.1");
        List<Peer> peers = List.of(l0.address(), l1.address());
        try (l0; l1) {
            long t0 = System.nanoTime();
            RingException e = assertThrows(RingException.class, () -> RingAllReducer.connect(
                    new FixedRendezvous(0, peers), l0, SECRET, FAST.withTimeouts(1_500, 1_000)));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(e.getMessage().contains("rank 1 (" + l1.address() + ")"), e.getMessage());
            assertTrue(seconds < 15, "took " + seconds + " s");
        }
    }

    @Test
    void aPeerThatStopsAnsweringFailsTheOthersWithinTheTimeoutNamingIt() throws Exception {
        List<RingAllReducer> ring = LoopbackRing.form(3, SECRET, FAST.withTimeouts(10_000, 1_500));
        CountDownLatch hung = new CountDownLatch(1);
        try {
            float[][] bufs = new float[3][200_000];
            // rank 2 takes part once, then hangs (alive, sockets open, silent)
            List<Future<Exception>> fs = new ArrayList<>();
            for (RingAllReducer r : ring) {
                fs.add(pool.submit(() -> {
                    r.allReduce(bufs[r.rank()], 0, bufs[r.rank()].length, true);
                    if (r.rank() == 2) {
                        hung.await();
                        return null;
                    }
                    long t0 = System.nanoTime();
                    try {
                        r.allReduce(bufs[r.rank()], 0, bufs[r.rank()].length, true);
                        return null;
                    } catch (IOException e) {
                        double s = (System.nanoTime() - t0) / 1e9;
                        return s < 20 ? e : new IllegalStateException("took " + s + " s", e);
                    }
                }));
            }
            Exception e0 = fs.get(0).get(60, TimeUnit.SECONDS);
            Exception e1 = fs.get(1).get(60, TimeUnit.SECONDS);
            assertTrue(e0 instanceof RingException, String.valueOf(e0));
            assertTrue(e1 instanceof RingException, String.valueOf(e1));
            // rank 0 receives from the silent rank 2; rank 1 sends to it (or sees rank 0 give up)
            assertTrue(e0.getMessage().contains("no data from rank 2"), e0.getMessage());
            assertTrue(e1.getMessage().contains("rank 2") || e1.getMessage().contains("rank 0"), e1.getMessage());
        } finally {
            hung.countDown();
            ring.forEach(RingAllReducer::close);
        }
    }

    @Test
    void aPeerThatDiesFailsItsNeighbourAtOnce() throws Exception {
        List<RingAllReducer> ring = LoopbackRing.form(2, SECRET, FAST.withTimeouts(10_000, 30_000));
        try {
            ring.get(1).close(); // a dead process closes its sockets
            long t0 = System.nanoTime();
            RingException e = assertThrows(RingException.class,
                    () -> ring.get(0).allReduce(new float[1000], 0, 1000, true));
            assertTrue((System.nanoTime() - t0) / 1e9 < 10, "should not wait for the step timeout");
            assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
        } finally {
            ring.forEach(RingAllReducer::close);
        }
    }

    @Test
    void ranksThatDisagreeOnTheLengthFailInsteadOfMixingData() throws Exception {
        List<RingAllReducer> ring = LoopbackRing.form(2, SECRET, FAST);
        try {
            Exception e = assertThrows(Exception.class, () -> onEveryRank(ring,
                    r -> r.allReduce(new float[r.rank() == 0 ? 100 : 101], 0, r.rank() == 0 ? 100 : 101, true)));
            assertTrue(e.getMessage().contains("disagree"), e.getMessage());
        } finally {
            ring.forEach(RingAllReducer::close);
        }
        List<RingAllReducer> again = LoopbackRing.form(2, SECRET, FAST);
        try {
            Exception e = assertThrows(Exception.class, () -> onEveryRank(again,
                    r -> r.allReduce(new float[10], 0, 10, r.rank() == 0)));
            assertTrue(e.getMessage().contains("mean") && e.getMessage().contains("sum"), e.getMessage());
        } finally {
            again.forEach(RingAllReducer::close);
        }
    }

    @Test
    void rendezvousTokensBindRankAndAddressToTheSecret() {
        RingAuth auth = new RingAuth(SECRET);
        Peer p = new Peer("10.0.0.5", 4242);
        String token = auth.rendezvousToken(1, p);
        assertTrue(auth.checkRendezvousToken(1, p, token));
        assertTrue(!auth.checkRendezvousToken(2, p, token));
        assertTrue(!auth.checkRendezvousToken(1, new Peer("10.0.0.6", 4242), token));
        assertTrue(!new RingAuth(RingAuth.newSecret()).checkRendezvousToken(1, p, token));
        assertTrue(!auth.checkRendezvousToken(1, p, "not hex"));
        assertEquals(p, Peer.parse(p.toString()));
    }
}
