package io.ringmaster.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.gradient.GradientLayout;
import io.ringmaster.workers.gradient.SparseRows;
import io.ringmaster.workers.ring.LoopbackRing;
import io.ringmaster.workers.ring.RingAuth;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.ring.Transport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code allreduce.embeddings}: rows or whole tables give the same mean gradient, and {@code auto} goes
 * dense for a table exactly when the ranks touch more of it than the transport's crossover.
 */
class GradientExchangeTest {

    static final EmbeddingTable HOT = new EmbeddingTable("hot", 0, 40, 4); // every rank touches almost all of it
    static final EmbeddingTable COLD = new EmbeddingTable("cold", 160, 5000, 4); // a few rows a step
    static final GradientLayout LAYOUT = new GradientLayout(160 + 20_000 + 9, 20_160, 9, List.of(HOT, COLD));

    final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    static Gradient gradient(int rank, int step) {
        Gradient g = new Gradient(LAYOUT);
        SplittableRandom rnd = new SplittableRandom(step * 101L + rank);
        for (int i = 0; i < g.dense().length; i++) {
            g.dense()[i] = (float) rnd.nextGaussian();
        }
        for (int id = 0; id < HOT.rows(); id++) {
            if (rnd.nextInt(10) > 0) { // ~90% of the rows on every rank
                int at = g.table(0).add(id) * 4;
                for (int k = 0; k < 4; k++) {
                    g.table(0).values()[at + k] = (float) rnd.nextGaussian();
                }
            }
        }
        for (int e = 0; e < 20; e++) {
            int at = g.table(1).add(rnd.nextInt(COLD.rows())) * 4;
            for (int k = 0; k < 4; k++) {
                g.table(1).values()[at + k] += (float) rnd.nextGaussian();
            }
        }
        return g;
    }

    record Run(List<float[]> flat, List<boolean[]> dense) {
    }

    /** {@code steps} exchanges on a gang of {@code n}; per step rank 0's mean gradient (flat) and the choices. */
    Run exchange(int n, Transport transport, EmbeddingExchange mode, int steps, double[] stateIn, double[][] stateOut)
            throws Exception {
        List<Collective> gang = LoopbackRing.gang(n, RingAuth.newSecret(),
                RingOptions.DEFAULT.withTimeouts(10_000, 5_000).withTransport(transport));
        try {
            List<float[]> flat = new ArrayList<>();
            List<boolean[]> dense = new ArrayList<>();
            List<Future<?>> fs = new ArrayList<>();
            for (Collective c : gang) {
                fs.add(pool.submit(() -> {
                    GradientExchange x = new GradientExchange(c, mode, LAYOUT);
                    x.restore(stateIn);
                    for (int s = 0; s < steps; s++) {
                        Gradient g = gradient(c.rank(), s);
                        x.average(g);
                        if (c.rank() == 0) {
                            flat.add(g.toFlat());
                            dense.add(new boolean[] {x.wentDense(0), x.wentDense(1)});
                        }
                    }
                    if (c.rank() == 0 && stateOut != null) {
                        stateOut[0] = x.state();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            return new Run(flat, dense);
        } finally {
            gang.forEach(Collective::close);
        }
    }

    static float[] expectedMean(int n, int step) {
        float[] sum = new float[LAYOUT.size()];
        for (int r = 0; r < n; r++) {
            float[] f = gradient(r, step).toFlat();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += f[i];
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= n;
        }
        return sum;
    }

    @Test
    void rowsAndWholeTablesGiveTheSameMeanGradient() throws Exception {
        for (Transport t : List.of(Transport.TCP, Transport.SHM)) {
            Run sparse = exchange(3, t, EmbeddingExchange.SPARSE, 3, null, null);
            Run dense = exchange(3, t, EmbeddingExchange.DENSE, 3, null, null);
            for (int s = 0; s < 3; s++) {
                float[] want = expectedMean(3, s);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], sparse.flat().get(s)[i], 1e-5, t + " sparse, step " + s + ", value " + i);
                    assertEquals(want[i], dense.flat().get(s)[i], 1e-5, t + " dense, step " + s + ", value " + i);
                }
                assertTrue(dense.dense().get(s)[0] && dense.dense().get(s)[1]);
                assertFalse(sparse.dense().get(s)[0] || sparse.dense().get(s)[1]);
            }
        }
    }

    @Test
    void autoGoesDenseForATableTheRanksMostlyTouchWhereTheTransportSaysItIsCheaper() throws Exception {
        for (Transport t : List.of(Transport.TCP, Transport.SHM)) {
            // with 4 ranks each touching ~90% of a table, summing all of it costs less than exchanging rows
            List<Collective> probe = LoopbackRing.gang(4, RingAuth.newSecret(), RingOptions.DEFAULT.withTransport(t));
            double crossover = probe.get(0).denseCrossover();
            probe.forEach(Collective::close);
            assertTrue(crossover < 0.9 && crossover > 20 / 5000.0, t + ": the crossover with 4 ranks is " + crossover);
            Run auto = exchange(4, t, EmbeddingExchange.AUTO, 4, null, null);
            assertFalse(auto.dense().get(0)[0], t + ": the first step has nothing to go by: rows");
            for (int s = 1; s < 4; s++) {
                assertTrue(auto.dense().get(s)[0], t + ": hot table, step " + s + ": dense");
                assertFalse(auto.dense().get(s)[1], t + ": cold table (20 of 5000 rows), step " + s + ": rows");
                float[] want = expectedMean(4, s);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], auto.flat().get(s)[i], 1e-5, t + ": step " + s + ", value " + i);
                }
            }
        }
        // two ranks on the ring: rows cost less up to a share of 0.8, so ~90% goes dense, ~50% would not
        List<Collective> two = LoopbackRing.gang(2, RingAuth.newSecret(),
                RingOptions.DEFAULT.withTransport(Transport.TCP));
        assertEquals(0.8, two.get(0).denseCrossover());
        two.forEach(Collective::close);
    }

    @Test
    void autoContinuesFromItsSavedStateStepForStep() throws Exception {
        double[][] saved = new double[1][];
        Run first = exchange(4, Transport.TCP, EmbeddingExchange.AUTO, 2, null, saved);
        assertTrue(first.dense().get(1)[0]);
        Run resumed = exchange(4, Transport.TCP, EmbeddingExchange.AUTO, 1, saved[0], null);
        assertTrue(resumed.dense().get(0)[0], "a resumed gang picks as the uninterrupted one would");
        Run fresh = exchange(4, Transport.TCP, EmbeddingExchange.AUTO, 1, null, null);
        assertFalse(fresh.dense().get(0)[0]);
        GradientExchange x = new GradientExchange(Collective.single(), EmbeddingExchange.AUTO, LAYOUT);
        assertThrows(IllegalArgumentException.class, () -> x.restore(new double[] {0.5}));
        x.restore(saved[0]);
        assertArrayEquals(saved[0], x.state());
    }

    @Test
    void aRankWithNoRowsStillTakesPart() throws Exception {
        List<Collective> gang = LoopbackRing.gang(2, RingAuth.newSecret(),
                RingOptions.DEFAULT.withTransport(Transport.SHM));
        try {
            Gradient[] g = {gradient(0, 0), gradient(1, 0)};
            g[1].clear(); // rank 1 had no share of the batch
            List<Future<?>> fs = new ArrayList<>();
            for (Collective c : gang) {
                fs.add(pool.submit(() -> {
                    new GradientExchange(c, EmbeddingExchange.AUTO, LAYOUT).average(g[c.rank()]);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            float[] want = gradient(0, 0).toFlat();
            for (int i = 0; i < want.length; i++) {
                want[i] /= 2;
            }
            assertArrayEquals(want, g[0].toFlat());
            assertArrayEquals(g[0].toFlat(), g[1].toFlat());
            SparseRows rows = g[1].table(1);
            assertEquals(gradient(0, 0).table(1).count(), rows.count());
            assertArrayEquals(Arrays.copyOf(gradient(0, 0).table(1).ids(), rows.count()),
                    Arrays.copyOf(rows.ids(), rows.count()));
        }  finally {
            gang.forEach(Collective::close);
        }
    }
}
