package io.ringmaster.orchestrator.bench;

import io.ringmaster.data.Dataset;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.train.EmbeddingExchange;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.TrainingSettings;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ringmaster bench train --workers 1,2}: gang training throughput by gang size, as {@code train}
 * runs a gang on {@code local[N]} ({@link GangRun}), measured two ways. Strong scaling keeps the
 * global batch (Ringmaster's {@code train.batch-size}: N workers split it); weak scaling keeps the
 * batch per worker (Horovod's convention: the global batch grows with N). Rows give samples/s,
 * speed-up over one worker, efficiency (speed-up / N) and where a step's time goes; the last two lines
 * compare 2 workers with 1 at the smallest batch measured. The configurations are measured in turn,
 * round after round, and a speed-up is the median over rounds of the ratio within a round, so a
 * machine that slows down for a while slows both sides of a ratio.
 */
final class GangScalingBenchmark {

    private GangScalingBenchmark() {
    }

    static void run(String datasetUri, Dataset ds, NeuMFSpec spec, List<Integer> gangSizes, List<Integer> batchSizes,
                    int epochs, int rounds, int threads, EmbeddingOptimizer optimizer, EmbeddingExchange exchange,
                    RingOptions ring, PyTorchPeer peer,
                    int peerEpochs, Path work, PrintStream out) throws IOException {
        TrainingSettings s = new TrainingSettings(epochs, 256, 4, spec.seed(), EngineKind.FUSED, 10, threads)
                .withEmbeddingOptimizer(optimizer).withEmbeddings(exchange);
        UserItemIndex seen = new UserItemIndex(ds.numUsers(), ds.numItems(), ds.train().users(), ds.train().items());
        out.printf("gang scaling (fused engine, %s, allreduce.embeddings %s; streaming loader: each rank reads its"
                        + " row-group shard and draws its own negatives; ranks are threads of this JVM, connected as"
                        + " Spark tasks are; each row the median of %d rounds, taken in turn with the others, of the"
                        + " median of %d epochs after a warm-up epoch)%n", s.embeddingOptimizer().id(),
                s.embeddings().id(), rounds, epochs);
        List<String> keys = new ArrayList<>();
        Map<String, Integer> globals = new LinkedHashMap<>();
        for (int batch : batchSizes) {
            for (String kind : List.of("strong", "weak")) {
                for (int n : gangSizes) {
                    if (kind.equals("strong") && batch % n != 0) {
                        out.printf("(strong scaling at %d skips %d workers: the global batch is not a multiple of the"
                                + " gang size)%n", batch, n);
                    } else if (!(n == 1 && kind.equals("weak"))) { // one worker: the same job either way
                        String key = kind + " " + batch + " " + n;
                        keys.add(key);
                        globals.put(key, kind.equals("strong") ? batch : batch * n);
                    }
                }
            }
        }
        int smallest = batchSizes.stream().min(Integer::compare).orElseThrow();
        for (int n : gangSizes) {
            if (n > 1) { // n gangs of one at once: the weak-scaling ceiling of this machine, with no exchange
                keys.add("apart " + smallest + " " + n);
                globals.put("apart " + smallest + " " + n, smallest * n);
            }
        }
        // the JIT compiles the training path once, before anything is timed
        GangRun.measure(datasetUri, ds, seen, spec, s.withBatchSize(batchSizes.get(0)), ring,
                Math.min(2, gangSizes.stream().max(Integer::compare).orElse(1)), 1, 0);
        Map<String, List<GangRun.Result>> runs = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String key : keys) {
                int n = Integer.parseInt(key.substring(key.lastIndexOf(' ') + 1));
                runs.computeIfAbsent(key, k -> new ArrayList<>()).add(key.startsWith("apart")
                        ? GangRun.apart(datasetUri, ds, seen, spec, s.withBatchSize(smallest), ring, GangRun.STREAM, n,
                        epochs, 0)
                        : GangRun.measure(datasetUri, ds, seen, spec, s.withBatchSize(globals.get(key)), ring, n,
                                epochs,
                        0));
            }
        }
        out.printf("%-7s %6s %8s %7s %12s %9s %10s %8s  %8s %8s %9s %7s  %-22s %s%n", "scaling", "batch", "workers",
                "global", "samples/s", "speed-up", "efficiency", "ms/step", "compute", "exchange", "optimizer", "input",
                "sent/step", "transport");
        Map<String, GangRun.Result> median = new LinkedHashMap<>();
        runs.forEach((k, v) -> median.put(k, GangRun.median(v)));
        for (int batch : batchSizes) {
            GangRun.Result one = median.get("strong " + batch + " 1");
            for (String kind : List.of("strong", "weak")) {
                for (int n : gangSizes) {
                    GangRun.Result r = n == 1 ? one : median.get(kind + " " + batch + " " + n);
                    if (r != null) {
                        String key = n == 1 ? "strong " + batch + " 1" : kind + " " + batch + " " + n;
                        print(out, kind, batch, r,
                                one == null ? Double.NaN : ratio(runs, key, "strong " + batch + " 1"));
                    }
                }
            }
        }
        String base = "strong " + smallest + " 1";
        for (int n : gangSizes) {
            GangRun.Result r = median.get("apart " + smallest + " " + n);
            if (r != null) {
                print(out, "apart", smallest, r, ratio(runs, "apart " + smallest + " " + n, base));
            }
        }
        if (runs.containsKey(base) && runs.containsKey("apart " + smallest + " 2")) {
            out.printf("ceiling: 2 workers apart = %.2fx 1 worker at %d per worker (two gangs of one at once: no"
                    + " exchange, no waiting; the most weak scaling can reach on this machine)%n",
                    ratio(runs, "apart " + smallest + " 2", base), smallest);
        }
        if (peer != null) {
            GangRun.Result mine = median.get("strong " + smallest + " 1");
            String why = peer.unavailable();
            if (why != null || mine == null) {
                out.println("(no PyTorch peer: " + (why != null ? why : "1 worker was not measured") + ")");
            } else {
                Path dir = work.resolve("pytorch-split");
                PyTorchPeer.writeSplit(ds, seen, dir);
                double theirs = peer.samplesPerSecond(dir, smallest, peerEpochs, out);
                out.printf("pytorch SparseAdam (1 thread, batch %d): %,.0f samples/s; ringmaster 1 worker: %,.0f"
                        + " samples/s%n", smallest, theirs, mine.samplesPerSecond());
                out.printf("peer: ringmaster = %.2fx pytorch SparseAdam%n", mine.samplesPerSecond() / theirs);
            }
        }
        String one = "strong " + smallest + " 1";
        String strong2 = "strong " + smallest + " 2";
        if (runs.containsKey(one) && runs.containsKey(strong2) && runs.containsKey("weak " + smallest + " 2")) {
            out.printf("strong: 2 workers = %.2fx 1 worker at global batch %d%n", ratio(runs, strong2, one),
                    smallest);
            out.printf("weak: 2 workers = %.2fx 1 worker at %d per worker%n", ratio(runs, "weak " + smallest + " 2",
                    one),
                    smallest);
        }
    }

    /** The median over rounds of {@code key}'s samples/s over {@code base}'s in the same round. */
    static double ratio(Map<String, List<GangRun.Result>> runs, String key, String base) {
        List<GangRun.Result> a = runs.get(key);
        List<GangRun.Result> b = runs.get(base);
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).samplesPerSecond() / b.get(i).samplesPerSecond();
        }
        return TrainBenchmark.median(r);
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
