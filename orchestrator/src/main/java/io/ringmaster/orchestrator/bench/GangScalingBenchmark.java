package io.ringmaster.orchestrator.bench;

import io.ringmaster.data.Dataset;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.NeuMFKernel;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.ring.LoopbackRing;
import io.ringmaster.workers.ring.RingAllReducer;
import io.ringmaster.workers.ring.RingAuth;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.EpochMetrics;
import io.ringmaster.workers.train.EpochListener;
import io.ringmaster.workers.train.FaultInjection;
import io.ringmaster.workers.train.FusedEngine;
import io.ringmaster.workers.train.NegativeSampler;
import io.ringmaster.workers.train.Trainer;
import io.ringmaster.workers.train.TrainingSettings;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code ringmaster bench train --workers 1,2}: gang training throughput by gang size, at a fixed
 * global batch, with the real ring between worker threads of one JVM (as Spark {@code local[N]} runs
 * them): samples/s (median of the measured epochs, after one warm-up epoch), speed-up over one
 * worker, and scaling efficiency (speed-up / N).
 */
final class GangScalingBenchmark {

    private GangScalingBenchmark() {
    }

    static void run(Dataset ds, NeuMFSpec spec, List<Integer> gangSizes, List<Integer> batchSizes, int epochs,
                    int threads, PrintStream out) throws IOException {
        out.println("gang scaling (fused engine, ring all-reduce between worker threads, global batch fixed;"
                + " every rank samples the whole epoch)");
        out.printf("%6s %8s %14s %9s %11s %12s%n", "batch", "workers", "samples/s", "speed-up", "efficiency",
                "ms/step");
        NeuMFKernel.useBlasThreads(threads);
        for (int batch : batchSizes) {
            double single = Double.NaN;
            for (int n : gangSizes) {
                if (batch % n != 0) {
                    out.printf("%6d %8d  (skipped: batch not a multiple of the gang size)%n", batch, n);
                    continue;
                }
                double[] r = measure(ds, spec, n, batch, epochs, threads);
                if (n == 1) {
                    single = r[0];
                }
                double speedup = r[0] / single;
                out.printf("%6d %8d %,14.0f %8.2fx %10.0f%% %12.3f%n", batch, n, r[0], speedup, 100 * speedup / n,
                        r[1] * 1e3);
            }
        }
    }

    /** Median samples/s and seconds per step over the measured epochs. */
    private static double[] measure(Dataset ds, NeuMFSpec spec, int n, int batch, int epochs, int threads)
            throws IOException {
        TrainingSettings s = new TrainingSettings(epochs + 1, batch, 4, spec.seed(), EngineKind.FUSED, 10, threads);
        List<RingAllReducer> ring = LoopbackRing.form(n, RingAuth.newSecret(), RingOptions.DEFAULT);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<EpochMetrics> metrics = new CopyOnWriteArrayList<>();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (RingAllReducer gang : ring) {
                fs.add(pool.submit(() -> {
                    UserItemIndex seen = new UserItemIndex(ds.numUsers(), ds.numItems(), ds.train().users(),
                            ds.train().items());
                    NegativeSampler sampler = new NegativeSampler(ds.train().users(), ds.train().items(), seen, 4,
                            spec.seed());
                    try (FusedEngine e = new FusedEngine(spec, EmbeddingOptimizer.DEFAULT)) {
                        EpochListener l = gang.rank() == 0 ? metrics::add : EpochListener.NONE;
                        new Trainer(e, sampler, s, gang, null, l, FaultInjection.NONE).run();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IOException("gang of " + n + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            pool.shutdownNow();
            ring.forEach(RingAllReducer::close);
        }
        double[] rates = metrics.stream().skip(1).mapToDouble(EpochMetrics::samplesPerSecond).sorted().toArray();
        double median = rates[rates.length / 2];
        long stepsPerEpoch = (metrics.get(0).samples() + batch - 1) / batch;
        return new double[] {median, metrics.get(0).samples() / median / stepsPerEpoch};
    }
}
