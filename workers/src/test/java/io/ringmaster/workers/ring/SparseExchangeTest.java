package io.ringmaster.workers.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.gradient.GradientLayout;
import io.ringmaster.workers.gradient.SparseRows;
import io.ringmaster.workers.train.Collective;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The step exchange (dense block plus embedding rows) on both transports gives what a dense
 * all-reduce of the same gradients gives, row sets of every shape, 1 to 5 ranks, fp32 and fp16, and
 * every rank ends with the same rows in the same order and bit-identical values.
 */
class SparseExchangeTest {

    static final byte[] SECRET = RingAuth.newSecret();
    static final EmbeddingTable NARROW = new EmbeddingTable("narrow", 0, 300, 4);
    static final EmbeddingTable WIDE = new EmbeddingTable("wide", 1200, 50, 16);
    static final GradientLayout LAYOUT = new GradientLayout(1200 + 800 + 37, 2000, 37, List.of(NARROW, WIDE));

    final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    enum Rows { OVERLAPPING, DISJOINT, REPEATED, EMPTY, SOME_EMPTY }

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Transport t : List.of(Transport.TCP, Transport.SHM)) {
            for (Compression c : Compression.values()) {
                for (int n = 1; n <= 5; n++) {
                    out.add(Arguments.of(t, c, n));
                }
            }
        }
        return out;
    }

    /** Rank r's gradient for {@code shape}: rows added example by example (so ids repeat within a rank). */
    static Gradient gradient(int rank, int ranks, Rows shape, long seed) {
        Gradient g = new Gradient(LAYOUT);
        SplittableRandom rnd = new SplittableRandom(seed * 31 + rank);
        for (int i = 0; i < g.dense().length; i++) {
            g.dense()[i] = (float) (rnd.nextDouble() - 0.5);
        }
        for (SparseRows t : g.tables()) {
            int rows = t.table().rows();
            int examples = switch (shape) {
                case EMPTY -> 0;
                case SOME_EMPTY -> rank % 2 == 0 ? 0 : 40;
                default -> 40;
            };
            for (int e = 0; e < examples; e++) {
                int id = switch (shape) {
                    case OVERLAPPING, SOME_EMPTY -> rnd.nextInt(rows / 2);
                    case DISJOINT -> rank * (rows / ranks) + rnd.nextInt(rows / ranks);
                    case REPEATED -> e % 7; // every rank the same few rows, each several times
                    case EMPTY -> throw new AssertionError();
                };
                int at = t.add(id) * t.width();
                for (int k = 0; k < t.width(); k++) {
                    t.values()[at + k] += (float) (rnd.nextDouble() - 0.5);
                }
            }
        }
        return g;
    }

    @ParameterizedTest(name = "{0} {1}, {2} ranks")
    @MethodSource("cases")
    void theRowsExchangeSumsAsTheDenseAllReduceDoes(Transport transport, Compression compression, int n)
            throws Exception {
        RingOptions options = RingOptions.DEFAULT.withTimeouts(10_000, 5_000).withCompression(compression)
                .withTransport(transport);
        List<Collective> gang = LoopbackRing.gang(n, SECRET, options);
        try {
            if (n > 1) {
                assertEquals(transport == Transport.SHM ? "shared memory" : "tcp ring", gang.get(0).transport());
            }
            long seed = 1;
            for (Rows shape : Rows.values()) {
                Gradient[] g = new Gradient[n];
                float[][] dense = new float[n][];
                for (int r = 0; r < n; r++) {
                    g[r] = gradient(r, n, shape, seed);
                    dense[r] = g[r].toFlat();
                }
                float[] expected = new float[LAYOUT.size()];
                float[] magnitude = new float[LAYOUT.size()];
                for (int r = 0; r < n; r++) {
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] += dense[r][i];
                        magnitude[i] += Math.abs(dense[r][i]);
                    }
                }
                long[][] sent = new long[n][];
                List<Future<?>> fs = new ArrayList<>();
                for (Collective c : gang) {
                    fs.add(pool.submit(() -> {
                        Gradient mine = g[c.rank()];
                        sent[c.rank()] = c.allReduce(mine.dense(), 0, mine.dense().length, mine.tables());
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    get(f);
                }
                float[] got = g[0].toFlat();
                // fp16 rounds what goes on the wire to 11 significant bits (the ring: partial sums, once a hop)
                double rel = compression == Compression.FP16 ? 5e-4 * n : 1e-6;
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], got[i], rel * magnitude[i] + 1e-7, shape + ": value " + i);
                }
                for (int r = 1; r < n; r++) {
                    assertArrayEquals(g[0].dense(), g[r].dense(), shape + ": dense block of rank " + r);
                    for (int t = 0; t < g[0].tableCount(); t++) {
                        SparseRows a = g[0].table(t);
                        SparseRows b = g[r].table(t);
                        assertArrayEquals(Arrays.copyOf(a.ids(), a.count()), Arrays.copyOf(b.ids(), b.count()),
                                shape + ": rows of rank " + r + ", same ids in the same order");
                        assertArrayEquals(Arrays.copyOf(a.values(), a.count() * a.width()),
                                Arrays.copyOf(b.values(), b.count() * b.width()), shape + ": row values of rank " + r);
                    }
                    assertArrayEquals(sent[0], sent[r], "every rank counts the rows sent the same");
                }
                for (int t = 0; t < g[0].tableCount(); t++) {
                    long union = 0;
                    long total = 0;
                    boolean[] touched = new boolean[LAYOUT.tables().get(t).rows()];
                    for (int r = 0; r < n; r++) {
                        Gradient fresh = gradient(r, n, shape, seed);
                        total += fresh.table(t).count();
                        for (int s = 0; s < fresh.table(t).count(); s++) {
                            touched[fresh.table(t).ids()[s]] = true;
                        }
                    }
                    for (boolean b : touched) {
                        union += b ? 1 : 0;
                    }
                    assertEquals(union, g[0].table(t).count(), shape + ": the union of the ranks' rows");
                    assertEquals(total, sent[0][t], shape + ": rows sent in all");
                }
                if (shape == Rows.EMPTY) {
                    assertEquals(0, g[0].table(0).count());
                }
                seed++;
            }
        } finally {
            gang.forEach(Collective::close);
        }
    }

    static void get(Future<?> f) throws Exception {
        try {
            f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void stepsLargerThanASlotOrAChunkGoInSeveralRoundsAndStillAgree(Transport transport) throws Exception {
        // 1 KiB chunks: the dense block and the rows both take several rounds (shared memory) or chunks (ring)
        severalRoundsAgree(new RingOptions(Compression.NONE, 10_000, 5_000, 1024, transport), pool);
    }

    /** Three ranks exchange a dense block and rows that need several rounds or chunks under {@code options}. */
    static void severalRoundsAgree(RingOptions options, ExecutorService pool) throws Exception {
        EmbeddingTable big = new EmbeddingTable("big", 0, 5000, 8);
        GradientLayout layout = new GradientLayout(40_000 + 3000, 40_000, 3000, List.of(big));
        List<Collective> gang = LoopbackRing.gang(3, SECRET, options);
        try {
            Gradient[] g = new Gradient[3];
            float[] expected = new float[layout.size()];
            for (int r = 0; r < 3; r++) {
                g[r] = new Gradient(layout);
                for (int i = 0; i < 3000; i++) {
                    g[r].dense()[i] = (i * 7 + r * 13) % 1000 - 500; // integers: sums are exact in any order
                }
                SparseRows t = g[r].table(0);
                for (int id = r; id < 5000; id += 3 + r) {
                    int at = t.add(id) * 8;
                    for (int k = 0; k < 8; k++) {
                        t.values()[at + k] = id % 100 + k;
                    }
                }
                float[] flat = g[r].toFlat();
                for (int i = 0; i < flat.length; i++) {
                    expected[i] += flat[i];
                }
            }
            List<Future<?>> fs = new ArrayList<>();
            for (Collective c : gang) {
                fs.add(pool.submit(() -> c.allReduce(g[c.rank()].dense(), 0, 3000, g[c.rank()].tables())));
            }
            for (Future<?> f : fs) {
                get(f);
            }
            for (int r = 0; r < 3; r++) {
                assertArrayEquals(expected, g[r].toFlat(), "rank " + r);
            }
            assertTrue(gang.get(0).rowBytesSent() > 1024, "the rows needed more than one chunk");
        } finally {
            gang.forEach(Collective::close);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void ranksWhoseStepsFitASlotAndRanksWhoseDoNotStillAgree(Transport transport) throws Exception {
        // 1 KiB slots: rank 0's few rows fit one, rank 2's many rows need ten, rank 1 has none
        RingOptions options = new RingOptions(Compression.NONE, 10_000, 5_000, 1024, transport);
        EmbeddingTable t8 = new EmbeddingTable("t", 0, 1000, 8);
        GradientLayout layout = new GradientLayout(8000 + 4, 8000, 4, List.of(t8));
        List<Collective> gang = LoopbackRing.gang(3, SECRET, options);
        try {
            Gradient[] g = new Gradient[3];
            float[] expected = new float[layout.size()];
            int[] rowsOf = {2, 0, 300};
            for (int r = 0; r < 3; r++) {
                g[r] = new Gradient(layout);
                java.util.Arrays.fill(g[r].dense(), r + 1);
                for (int k = 0; k < rowsOf[r]; k++) {
                    int at = g[r].table(0).add((k * 3 + r) % 1000) * 8;
                    for (int e = 0; e < 8; e++) {
                        g[r].table(0).values()[at + e] = k % 50 + e;
                    }
                }
                float[] flat = g[r].toFlat();
                for (int i = 0; i < flat.length; i++) {
                    expected[i] += flat[i];
                }
            }
            for (int step = 0; step < 2; step++) { // twice: the rounds after a multi-round step line up too
                Gradient[] mine = new Gradient[3];
                List<Future<?>> fs = new ArrayList<>();
                for (Collective c : gang) {
                    mine[c.rank()] = copy(g[c.rank()], layout);
                    fs.add(pool.submit(() -> c.allReduce(mine[c.rank()].dense(), 0, 4, mine[c.rank()].tables())));
                }
                for (Future<?> f : fs) {
                    get(f);
                }
                for (int r = 0; r < 3; r++) {
                    assertArrayEquals(expected, mine[r].toFlat(), "step " + step + ", rank " + r);
                }
            }
        } finally {
            gang.forEach(Collective::close);
        }
    }

    static Gradient copy(Gradient g, GradientLayout layout) {
        Gradient c = new Gradient(layout);
        System.arraycopy(g.dense(), 0, c.dense(), 0, g.dense().length);
        SparseRows from = g.table(0);
        for (int s = 0; s < from.count(); s++) {
            c.table(0).accumulate(from.ids()[s], from.values(), s * from.width());
        }
        return c;
    }

    static List<Transport> transports() {
        return List.of(Transport.TCP, Transport.SHM);
    }
}
