package io.ringmaster.orchestrator.bench;

import io.ringmaster.data.Dataset;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.TrainingSettings;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ringmaster bench train --workers 1,2}: gang training throughput by gang size, as {@code train}
 * runs a gang on {@code local[N]} ({@link GangRun}), measured two ways. Strong scaling keeps the
 * global batch (Ringmaster's {@code train.batch-size}: N workers split it); weak scaling keeps the
 * batch per worker (Horovod's convention: the global batch grows with N). Rows give samples/s,
 * speed-up over one worker, efficiency (speed-up / N) and where a step's time goes; the last two lines
 * compare 2 workers with 1 at the smallest batch measured.
 */
final class GangScalingBenchmark {

    private GangScalingBenchmark() {
    }

    static void run(String datasetUri, Dataset ds, NeuMFSpec spec, List<Integer> gangSizes, List<Integer> batchSizes,
                    int epochs, int threads, PyTorchPeer peer, int peerEpochs, Path work, PrintStream out)
            throws IOException {
        TrainingSettings s = new TrainingSettings(epochs, 256, 4, spec.seed(), EngineKind.FUSED, 10, threads);
        UserItemIndex seen = new UserItemIndex(ds.numUsers(), ds.numItems(), ds.train().users(), ds.train().items());
        out.printf("gang scaling (fused engine, %s, allreduce.embeddings %s; streaming loader: each rank reads its"
                        + " row-group shard and draws its own negatives; ranks are threads of this JVM, connected as Spark"
                        + " tasks are; median of %d epochs after a warm-up epoch)%n", s.embeddingOptimizer().id(),
                s.embeddings().id(), epochs);
        out.printf("%-7s %6s %8s %7s %12s %9s %10s %8s  %8s %8s %9s %7s  %-22s %s%n", "scaling", "batch", "workers",
                "global", "samples/s", "speed-up", "efficiency", "ms/step", "compute", "exchange", "optimizer", "input",
                "sent/step", "transport");
        Map<String, GangRun.Result> results = new LinkedHashMap<>();
        for (int batch : batchSizes) {
            GangRun.Result one = null;
            for (String kind : List.of("strong", "weak")) {
                for (int n : gangSizes) {
                    if (kind.equals("strong") && batch % n != 0) {
                        out.printf("%-7s %6d %8d  (skipped: the global batch is not a multiple of the gang size)%n", kind,
                                batch, n);
                        continue;
                    }
                    GangRun.Result r;
                    if (n == 1 && one != null) {
                        r = one; // the same job either way
                    } else {
                        int global = kind.equals("strong") ? batch : batch * n;
                        r = GangRun.measure(datasetUri, ds, seen, spec, s.withBatchSize(global), RingOptions.DEFAULT, n,
                                epochs, 0);
                    }
                    if (n == 1) {
                        one = r;
                    }
                    results.put(kind + " " + batch + " " + n, r);
                    double speedup = one == null ? Double.NaN : r.samplesPerSecond() / one.samplesPerSecond();
                    print(out, kind, batch, r, speedup);
                }
            }
        }
        int smallest = batchSizes.stream().min(Integer::compare).orElseThrow();
        if (peer != null) {
            GangRun.Result mine = results.get("strong " + smallest + " 1");
            String why = peer.unavailable();
            if (why != null || mine == null) {
                out.println("(no PyTorch peer: " + (why != null ? why : "1 worker was not measured") + ")");
            } else {
                Path dir = work.resolve("pytorch-split");
                PyTorchPeer.writeSplit(ds, seen, dir);
                double theirs = peer.samplesPerSecond(dir, smallest, peerEpochs, out);
                out.printf("pytorch SparseAdam (1 thread, batch %d): %,.0f samples/s; ringmaster 1 worker: %,.0f samples/s%n",
                        smallest, theirs, mine.samplesPerSecond());
                out.printf("peer: ringmaster = %.2fx pytorch SparseAdam%n", mine.samplesPerSecond() / theirs);
            }
        }
        GangRun.Result one = results.get("strong " + smallest + " 1");
        GangRun.Result strong = results.get("strong " + smallest + " 2");
        GangRun.Result weak = results.get("weak " + smallest + " 2");
        if (one != null && strong != null && weak != null) {
            out.printf("strong: 2 workers = %.2fx 1 worker at global batch %d%n",
                    strong.samplesPerSecond() / one.samplesPerSecond(), smallest);
            out.printf("weak: 2 workers = %.2fx 1 worker at %d per worker%n",
                    weak.samplesPerSecond() / one.samplesPerSecond(), smallest);
        }
    }

    static void print(PrintStream out, String kind, int batch, GangRun.Result r, double speedup) {
        var c = r.counters();
        out.printf("%-7s %6d %8d %7d %,12.0f %8.2fx %9.0f%% %8.3f  %8.3f %8.3f %9.3f %7.3f  %-22s %s%n", kind, batch,
                r.workers(), r.globalBatch(), r.samplesPerSecond(), speedup, 100 * speedup / r.workers(), r.msPerStep(),
                r.ms(c.computeSeconds()), r.ms(c.exchangeSeconds()), r.ms(c.optimizerSeconds()), r.ms(c.inputSeconds()),
                bytes(c.denseBytesPerStep()) + " + " + bytes(c.rowBytesPerStep()), r.transport());
    }

    static String bytes(double b) {
        return b < 1024 ? String.format("%.0f B", b) : String.format("%.1f KiB", b / 1024);
    }
}
