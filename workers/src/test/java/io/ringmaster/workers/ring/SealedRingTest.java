package io.ringmaster.workers.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ring's messages sealed ({@code allreduce.integrity}): the same sums as plain messages, on by
 * default only when ranks listen on more than one address, and a byte flipped or a record replayed by a
 * host on the path fails the step on the receiving rank, naming the peer it came from.
 */
class SealedRingTest {

    static final byte[] SECRET = RingAuth.newSecret();
    static final RingOptions SEALED = RingOptions.DEFAULT.withTimeouts(10_000, 3_000).withIntegrity(Integrity.ON);

    final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void sealedMessagesGiveExactlyThePlainSumsRowsAndGathers() throws Exception {
        int[] lengths = {1, 7, 1000, 300_001}; // 300001 floats: more than one 1 MiB record per segment
        for (int n = 2; n <= 4; n++) {
            for (Compression c : Compression.values()) {
                List<RingAllReducer> sealed = LoopbackRing.form(n, SECRET, SEALED.withCompression(c));
                List<RingAllReducer> plain = LoopbackRing.form(n, SECRET, SEALED.withCompression(c)
                        .withIntegrity(Integrity.OFF));
                try {
                    assertTrue(sealed.get(0).sealed());
                    assertFalse(plain.get(0).sealed());
                    for (int len : lengths) {
                        float[][] a = inputs(n, len, 1);
                        float[][] b = inputs(n, len, 1);
                        onEveryRank(sealed, r -> r.allReduce(a[r.rank()], 0, len, true));
                        onEveryRank(plain, r -> r.allReduce(b[r.rank()], 0, len, true));
                        for (int r = 0; r < n; r++) {
                            assertArrayEquals(b[r], a[r], "n=" + n + " " + c.id() + " len=" + len + " rank " + r);
                        }
                    }
                    int finalN = n;
                    onEveryRank(sealed, r -> {
                        byte[][] got = r.allGather(("rank " + r.rank()).getBytes(), 64);
                        for (int q = 0; q < finalN; q++) {
                            assertEquals("rank " + q, new String(got[q]));
                        }
                    });
                } finally {
                    sealed.forEach(RingAllReducer::close);
                    plain.forEach(RingAllReducer::close);
                }
            }
        }
    }

    @Test
    void sealedRowsAndDenseValuesInRecordsOfOneKibAgreeWithTheirSum() throws Exception {
        SparseExchangeTest.severalRoundsAgree(new RingOptions(Compression.NONE, 10_000, 5_000, 1024, Transport.TCP,
                Integrity.ON), pool);
    }

    @Test
    void autoSealsOnlyWhenTheRanksListenOnMoreThanOneAddress() throws Exception {
        RingOptions auto = SEALED.withIntegrity(Integrity.AUTO);
        List<RingAllReducer> oneHost = LoopbackRing.form(2, SECRET, auto);
        List<RingAllReducer> twoHosts = LoopbackRing.form(List.of("127.0.0.1", "127.0.0.2"), SECRET, auto);
        try {
            assertFalse(oneHost.get(0).sealed() || oneHost.get(1).sealed());
            assertTrue(twoHosts.get(0).sealed() && twoHosts.get(1).sealed());
            float[][] x = inputs(2, 5000, 3);
            float[] expected = x[0].clone();
            for (int i = 0; i < expected.length; i++) {
                expected[i] += x[1][i];
            }
            onEveryRank(twoHosts, r -> r.allReduce(x[r.rank()], 0, 5000, false));
            assertArrayEquals(expected, x[1]);
        } finally {
            oneHost.forEach(RingAllReducer::close);
            twoHosts.forEach(RingAllReducer::close);
        }
    }

    @Test
    void aByteFlippedOnThePathFailsTheStepNamingThePeerWhereAPlainRingAddsItIn() throws Exception {
        String failure = throughProxy(TamperingProxy.Tamper.FLIP_A_BYTE, Integrity.ON);
        assertTrue(failure.contains("message #1 from rank 0 (127.0.0.1:"), failure);
        assertTrue(failure.contains("failed its integrity check"), failure);
        assertTrue(failure.startsWith("rank 1: "), failure);
        // the same flip in a plain stream goes unnoticed: the sum is silently wrong
        assertEquals("wrong sum", throughProxy(TamperingProxy.Tamper.FLIP_A_BYTE, Integrity.OFF));
    }

    @Test
    void aRecordReplayedOnThePathFailsTheStepNamingThePeer() throws Exception {
        String failure = throughProxy(TamperingProxy.Tamper.REPLAY_A_RECORD, Integrity.ON);
        assertTrue(failure.contains("message #2 from rank 0 (127.0.0.1:"), failure);
        assertTrue(failure.contains("failed its integrity check"), failure);
    }

    /**
     * Two ranks, rank 0 sending to rank 1 through a tampering proxy, one all-reduce of 1000 values:
     * rank 1's error, "wrong sum" when both finished with a wrong sum, or "right sum".
     */
    private String throughProxy(TamperingProxy.Tamper tamper, Integrity integrity) throws Exception {
        RingListener l0 = RingListener.open("127.0.0.1");
        RingListener l1 = RingListener.open("127.0.0.1");
        RingOptions options = SEALED.withIntegrity(integrity);
        try (l0; l1; TamperingProxy proxy = new TamperingProxy(l1.address(), tamper)) {
            List<Peer> truth = List.of(l0.address(), l1.address());
            List<Peer> viaProxy = List.of(l0.address(), proxy.address());
            Future<RingAllReducer> r0 = pool.submit(() ->
                    RingAllReducer.connect(new FixedRendezvous(0, viaProxy), l0, SECRET, options));
            RingAllReducer rank1 = RingAllReducer.connect(new FixedRendezvous(1, truth), l1, SECRET, options);
            RingAllReducer rank0 = r0.get(30, TimeUnit.SECONDS);
            float[][] x = inputs(2, 1000, 4);
            float[] expected = x[0].clone();
            for (int i = 0; i < expected.length; i++) {
                expected[i] += x[1][i];
            }
            Future<Object> zero = pool.submit(() -> {
                rank0.allReduce(x[0], 0, 1000, false);
                return null;
            });
            try {
                rank1.allReduce(x[1], 0, 1000, false);
            } catch (RingException e) {
                return e.getMessage();
            } finally {
                try {
                    zero.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException ignored) {
                    // rank 0 fails once rank 1 has dropped the ring
                }
                rank0.close();
                rank1.close();
            }
            return java.util.Arrays.equals(expected, x[1]) ? "right sum" : "wrong sum";
        }
    }

    private static float[][] inputs(int n, int len, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        float[][] x = new float[n][len];
        for (float[] row : x) {
            for (int i = 0; i < len; i++) {
                row[i] = rnd.nextInt(2000) - 1000;
            }
        }
        return x;
    }

    private void onEveryRank(List<RingAllReducer> ring, RingAllReducerTest.RankBody body) throws Exception {
        RingAllReducerTest.onEveryRank(pool, ring, body);
    }
}
