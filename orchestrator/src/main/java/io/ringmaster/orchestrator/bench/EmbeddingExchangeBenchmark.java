package io.ringmaster.orchestrator.bench;

import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.gradient.GradientLayout;
import io.ringmaster.workers.gradient.SparseRows;
import io.ringmaster.workers.ring.LoopbackRing;
import io.ringmaster.workers.ring.RingAuth;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.ring.Transport;
import io.ringmaster.workers.train.Collective;
import io.ringmaster.workers.train.EmbeddingExchange;
import io.ringmaster.workers.train.GradientExchange;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code ringmaster bench embeddings}: where summing a whole embedding table (dense) starts to cost less
 * than exchanging the rows the ranks touched (sparse), per transport and gang size: the crossover
 * {@code allreduce.embeddings: auto} goes by. Each rank touches a share of one table's rows (its own
 * random rows, so shares overlap as random batches do) beside NeuMF's dense block, and the gang times
 * the step exchange ({@link GradientExchange}) both ways; ranks are threads of this JVM, connected as
 * Spark tasks are.
 */
public final class EmbeddingExchangeBenchmark {

    private final List<Integer> workers;
    private final int rows;
    private final int width;
    private final List<Double> shares;
    private final List<Transport> transports;
    private final int iterations;

    public EmbeddingExchangeBenchmark(List<Integer> workers, int rows, int width, List<Double> shares,
                                      List<Transport> transports, int iterations) {
        for (int n : workers) {
            if (n < 2 || n > 16) {
                throw new IllegalArgumentException("bench embeddings: --workers must be between 2 and 16, got " + n);
            }
        }
        if (rows < 1 || width < 1 || iterations < 1 || shares.isEmpty()) {
            throw new IllegalArgumentException("bench embeddings: --rows, --width, --iterations and --shares must be"
                    + " given and positive");
        }
        for (double s : shares) {
            if (!(s > 0 && s <= 1)) {
                throw new IllegalArgumentException("bench embeddings: --shares must be in (0, 1], got " + s);
            }
        }
        this.workers = workers;
        this.rows = rows;
        this.width = width;
        this.shares = shares;
        this.transports = transports;
        this.iterations = iterations;
    }

    public void run(PrintStream out) throws IOException {
        out.printf("embedding exchange: one table of %,d rows x %d values beside a dense block of 2,761; each rank"
                        + " touches a share of the rows; ms per step exchange, median of 3 rounds of %d; %d cores%n",
                                rows,
                width, iterations, Runtime.getRuntime().availableProcessors());
        out.printf("%-14s %7s %7s %11s %11s %12s%n", "transport", "workers", "share", "rows ms", "dense ms",
                "dense/rows");
        EmbeddingTable table = new EmbeddingTable("t", 0, rows, width);
        GradientLayout layout = new GradientLayout(table.size() + 2761, table.size(), 2761, List.of(table));
        for (Transport transport : transports) {
            for (int n : workers) {
                List<Collective> gang = LoopbackRing.gang(n, RingAuth.newSecret(),
                        RingOptions.DEFAULT.withTransport(transport));
                String name = gang.get(0).transport();
                Double crossover = null;
                try {
                    for (double share : shares) {
                        double sparse = time(gang, layout, share, EmbeddingExchange.SPARSE);
                        double dense = time(gang, layout, share, EmbeddingExchange.DENSE);
                        out.printf("%-14s %7d %7.2f %11.3f %11.3f %11.2fx%n", name, n, share, sparse * 1e3, dense * 1e3,
                                dense / sparse);
                        if (crossover == null && dense <= sparse) {
                            crossover = share;
                        }
                    }
                } finally {
                    gang.forEach(Collective::close);
                }
                out.printf("crossover: %s, %d workers: dense costs less from a share of %s (auto uses %s)%n", name, n,
                        crossover == null ? "none measured" : String.format("%.2f", crossover),
                        describe(transport, n));
            }
        }
    }

    private static String describe(Transport transport, int n) throws IOException {
        List<Collective> gang = LoopbackRing.gang(n, RingAuth.newSecret(),
                RingOptions.DEFAULT.withTransport(transport));
        try {
            double c = gang.get(0).denseCrossover();
            return Double.isInfinite(c) ? "rows always" : String.format("%.2f", c);
        } finally {
            gang.forEach(Collective::close);
        }
    }

    /** Median seconds per exchange over three rounds, on rank 0. */
    private double time(List<Collective> gang, GradientLayout layout, double share, EmbeddingExchange mode)
            throws IOException {
        int n = gang.size();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<double[]>> fs = new ArrayList<>();
            for (Collective c : gang) {
                fs.add(pool.submit(() -> {
                    GradientExchange x = new GradientExchange(c, mode, layout);
                    Gradient g = new Gradient(layout);
                    SplittableRandom rnd = new SplittableRandom(c.rank() + 1);
                    int touched = Math.max(1, (int) Math.round(share * rows));
                    double[] rounds = new double[3];
                    for (int round = -1; round < 3; round++) { // round -1 warms up
                        double spent = 0;
                        for (int it = 0; it < iterations; it++) {
                            fill(g, rnd, touched);
                            long t0 = System.nanoTime();
                            x.average(g);
                            spent += (System.nanoTime() - t0) / 1e9;
                        }
                        if (round >= 0) {
                            rounds[round] = spent / iterations;
                        }
                    }
                    java.util.Arrays.sort(rounds);
                    return rounds;
                }));
            }
            double[] first = null;
            for (Future<double[]> f : fs) {
                double[] r = f.get();
                first = first == null ? r : first;
            }
            return first[1];
        } catch (ExecutionException e) {
            throw new IOException("bench embeddings: a rank failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code touched} distinct random rows (a random window of the table, shuffled), random values. */
    private void fill(Gradient g, SplittableRandom rnd, int touched) {
        SparseRows t = g.table(0);
        t.clear();
        t.reserve(touched);
        int start = rnd.nextInt(rows);
        for (int k = 0; k < touched; k++) {
            int at = t.add((start + (int) ((long) k * 7919 % rows)) % rows) * width;
            float[] v = t.values();
            for (int e = 0; e < width; e++) {
                v[at + e] = 1e-3f * (k % 17);
            }
        }
        java.util.Arrays.fill(g.dense(), 1e-3f);
    }
}
