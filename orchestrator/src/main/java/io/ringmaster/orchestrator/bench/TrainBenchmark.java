package io.ringmaster.orchestrator.bench;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Ingest;
import io.ringmaster.data.Storage;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.eval.RankingEvaluator;
import io.ringmaster.workers.eval.PopularityBaseline;
import io.ringmaster.workers.model.Dl4jEngine;
import io.ringmaster.workers.model.FusedEngine;
import io.ringmaster.workers.model.NeuMF;
import io.ringmaster.workers.model.NeuMFKernel;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.train.EpochSamples;
import io.ringmaster.workers.train.NegativeSampler;
import io.ringmaster.workers.train.TrainingEngine;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * {@code ringmaster bench train}: one worker's training throughput per batch size on the same data in
 * the same run: DL4J's own {@code fit()} (the baseline), Ringmaster's DL4J engine, and the fused engine, with a
 * breakdown of where an
 * epoch's time goes; then the wall time for a fresh model to first reach a target HR@10. The model
 * is the reference NeuMF (factors 8, layers 64-32-16-8, Adam 1e-3, 4 negatives, seed 42).
 */
public final class TrainBenchmark {

    /** A reference NeuMF in PyTorch, one thread, on the development machine (from the foundation issue). */
    private static final double PYTORCH_256 = 416_000;
    private static final double PYTORCH_2048 = 1_650_000;

    private final String data;
    private final List<Integer> batchSizes;
    private final int epochs;
    private final int dl4jSteps;
    private final double targetHr;
    private final int maxEpochs;
    private final int threads;
    private final List<Integer> workers;
    private final java.nio.file.Path peerScript;
    private final int peerEpochs;
    private final int rounds;
    private final io.ringmaster.workers.model.EmbeddingOptimizer optimizer;
    private final io.ringmaster.workers.ring.RingOptions ring;
    private final io.ringmaster.workers.train.EmbeddingExchange exchange;

    /**
     * {@code workers}: gang sizes for the scaling benchmark; empty runs the single-worker benchmark.
     * {@code peerScript}: the PyTorch reference to run beside the scaling benchmark, or null.
     */
    public TrainBenchmark(String data, List<Integer> batchSizes, int epochs, int dl4jSteps, double targetHr,
                          int maxEpochs, int threads, List<Integer> workers, int rounds,
                          io.ringmaster.workers.model.EmbeddingOptimizer optimizer,
                          io.ringmaster.workers.ring.RingOptions ring,
                                  io.ringmaster.workers.train.EmbeddingExchange exchange,
                          java.nio.file.Path peerScript, int peerEpochs) {
        if (epochs < 1 || maxEpochs < 1 || dl4jSteps < 0 || batchSizes.isEmpty()) {
            throw new IllegalArgumentException("bench train: --epochs and --max-epochs must be >= 1, --dl4j-steps >= 0,"
                    + " and at least one batch size");
        }
        this.data = data;
        this.batchSizes = batchSizes;
        this.epochs = epochs;
        this.dl4jSteps = dl4jSteps;
        this.targetHr = targetHr;
        this.maxEpochs = maxEpochs;
        this.threads = threads;
        this.workers = workers;
        this.peerScript = peerScript;
        this.peerEpochs = peerEpochs;
        this.rounds = rounds;
        this.optimizer = optimizer;
        this.ring = ring;
        this.exchange = exchange;
        if (rounds < 1) {
            throw new IllegalArgumentException("bench train: --rounds must be >= 1, got " + rounds);
        }
        for (int n : workers) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("bench train: --workers must be between 1 and 64, got " + n);
            }
        }
    }

    public void run(PrintStream out) throws IOException {
        Configuration conf = Storage.configuration();
        Path p = Storage.path(data);
        Dataset ds;
        Ingest.Result ingested = null;
        if (Storage.fs(p, conf).exists(new Path(p, DatasetStore.MANIFEST))) {
            ds = DatasetStore.read(conf, data);
        } else {
            out.println("(no manifest.json in " + data + ": ingesting it in memory)");
            ingested = Ingest.ingest(conf, data, Ingest.Options.defaults());
            ds = ingested.dataset();
        }
        NeuMFKernel.useBlasThreads(threads);
        NeuMFSpec spec = new NeuMFSpec(ds.numUsers(), ds.numItems(), 8, new int[] {64, 32, 16, 8}, 1e-3, 42);
        UserItemIndex seen = new UserItemIndex(ds.numUsers(), ds.numItems(), ds.train().users(), ds.train().items());
        NegativeSampler sampler = new NegativeSampler(ds.train().users(), ds.train().items(), seen, 4, 42);
        for (int b : batchSizes) {
            if (b < 1 || b > sampler.epochSize()) {
                throw new IllegalArgumentException("bench train: batch size " + b + " must be between 1 and the "
                        + sampler.epochSize() + " samples of an epoch");
            }
        }
        out.printf("bench train: %s, %,d users, %,d items, %,d training interactions -> %,d samples/epoch; %s;"
                        + " %d BLAS thread(s), %d cores%n", ds.name(), ds.numUsers(), ds.numItems(), ds.train().size(),
                sampler.epochSize(), spec, threads, Runtime.getRuntime().availableProcessors());
        out.println();
        if (!workers.isEmpty()) {
            java.nio.file.Path work = java.nio.file.Files.createTempDirectory("ringmaster-bench-train");
            try {
                String uri = data;
                if (ingested != null) { // the gang streams training Parquet, as train does
                    uri = work.resolve("dataset").toString();
                    DatasetStore.write(conf, uri, ds, ingested.source(), ingested.split(), false);
                }
                GangScalingBenchmark.run(Storage.path(uri).toString(), ds, spec, workers, batchSizes, epochs, rounds,
                        threads, optimizer, exchange, ring,
                        peerScript == null ? null : new PyTorchPeer(peerScript), peerEpochs, work, out);
            } finally {
                Path w = Storage.path(work.toString());
                Storage.fs(w, conf).delete(w, true);
            }
            return;
        }
        out.println("throughput (samples/s; 'step' = gradient + update, 'epoch' adds negative sampling and shuffling)");
        out.printf("%6s  %-10s %13s %13s  %8s  %-28s  %s%n", "batch", "engine", "step", "epoch", "vs fit()",
                "vs PyTorch 1-thread reference", "time split of an epoch");
        for (int batch : batchSizes) {
            double fit = Double.NaN;
            if (dl4jSteps > 0) {
                fit = measureDl4jFit(spec, sampler, batch, out);
                measureDl4jEngine(spec, sampler, batch, fit, out);
            }
            measureFused(spec, sampler, batch, fit, EmbeddingOptimizer.ADAM, out);
            measureFused(spec, sampler, batch, fit, EmbeddingOptimizer.LAZY_ADAM, out);
        }
        out.println();
        timeToTarget(ds, spec, sampler, out);
    }

    /** DL4J's standard training call, {@code ComputationGraph.fit(MultiDataSet)}: the baseline. */
    private double measureDl4jFit(NeuMFSpec spec, NegativeSampler sampler, int batch, PrintStream out) {
        EpochSamples s = sampler.sample(0);
        int warm = Math.min(20, dl4jSteps);
        ComputationGraph graph = NeuMF.build(spec);
        double seconds = 0;
        int from = 0;
        for (int i = 0; i < warm + dl4jSteps; i++) {
            if (from + batch > s.size()) {
                from = 0;
            }
            MultiDataSet mds = new MultiDataSet(new INDArray[] {NeuMF.column(s.users(), from, batch),
                    NeuMF.column(s.items(), from, batch)}, new INDArray[] {NeuMF.column(s.labels(), from, batch)});
            long t0 = System.nanoTime();
            graph.fit(mds);
            if (i >= warm) {
                seconds += (System.nanoTime() - t0) / 1e9;
            }
            from += batch;
        }
        double rate = (double) dl4jSteps * batch / seconds;
        out.printf("%6d  %-10s %,13.0f %13s  %8s  %-28s  DL4J's own fit(), %d steps%n", batch, "dl4j-fit", rate, "-",
                "1.0x", "", dl4jSteps);
        return rate;
    }

    /** Ringmaster's DL4J engine: the same graph, gradient and update as separate steps (hook in between). */
    private void measureDl4jEngine(NeuMFSpec spec, NegativeSampler sampler, int batch, double fit, PrintStream out) {
        EpochSamples s = sampler.sample(0);
        int warm = Math.min(20, dl4jSteps);
        double grad = 0;
        double upd = 0;
        try (Dl4jEngine e = new Dl4jEngine(spec)) {
            int from = 0;
            for (int i = 0; i < warm + dl4jSteps; i++) {
                if (from + batch > s.size()) {
                    from = 0;
                }
                long t0 = System.nanoTime();
                e.computeGradient(s.examples(), from, batch);
                long t1 = System.nanoTime();
                e.applyUpdate();
                long t2 = System.nanoTime();
                if (i >= warm) {
                    grad += (t1 - t0) / 1e9;
                    upd += (t2 - t1) / 1e9;
                }
                from += batch;
            }
        }
        double rate = (double) dl4jSteps * batch / (grad + upd);
        out.printf("%6d  %-10s %,13.0f %13s  %7.1fx  %-28s  gradient %.0f%%, update %.0f%% (%d steps)%n", batch, "dl4j",
                rate, "-", rate / fit, "", 100 * grad / (grad + upd), 100 * upd / (grad + upd), dl4jSteps);
    }

    private void measureFused(NeuMFSpec spec, NegativeSampler sampler, int batch, double fit, EmbeddingOptimizer adam,
                              PrintStream out) {
        double sampling = 0;
        double grad = 0;
        double upd = 0;
        double[] stepRates = new double[epochs];
        double[] epochRates = new double[epochs];
        try (FusedEngine e = new FusedEngine(spec, adam)) {
            for (int epoch = 0; epoch <= epochs; epoch++) {
                long t0 = System.nanoTime();
                EpochSamples s = sampler.sample(epoch);
                long t1 = System.nanoTime();
                double g = 0;
                double u = 0;
                for (int from = 0; from < s.size(); from += batch) {
                    int n = Math.min(batch, s.size() - from);
                    long a = System.nanoTime();
                    e.computeGradient(s.examples(), from, n);
                    long b = System.nanoTime();
                    e.applyUpdate();
                    long c = System.nanoTime();
                    g += (b - a) / 1e9;
                    u += (c - b) / 1e9;
                }
                if (epoch > 0) { // epoch 0 warms up the JIT
                    double sm = (t1 - t0) / 1e9;
                    sampling += sm;
                    grad += g;
                    upd += u;
                    stepRates[epoch - 1] = s.size() / (g + u);
                    epochRates[epoch - 1] = s.size() / (sm + g + u);
                }
            }
        }
        double step = median(stepRates);
        double epoch = median(epochRates);
        double total = sampling + grad + upd;
        double ref = batch == 256 ? PYTORCH_256 : batch == 2048 ? PYTORCH_2048 : Double.NaN;
        String vsRef = Double.isNaN(ref) ? "(no reference at this batch)"
                : String.format("%.2fx step, %.2fx epoch (%s)", step / ref, epoch / ref,
                batch == 256 ? "416k" : "1.65M");
        out.printf("%6d  %-10s %,13.0f %,13.0f  %8s  %-28s  sampling %.0f%%, gradient %.0f%%, Adam %.0f%%;"
                        + " median of %d epochs, step range %,.0f-%,.0f%n",
                batch, adam == EmbeddingOptimizer.ADAM ? "fused" : "fused-lazy", step, epoch, Double.isNaN(fit) ? "-"
                        : String.format("%.1fx", step / fit), vsRef,
                100 * sampling / total, 100 * grad / total, 100 * upd / total, epochs, min(stepRates),
                max(stepRates));
    }

    /** The median of {@code v}; NaN when it is empty. */
    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }

    private void timeToTarget(Dataset ds, NeuMFSpec spec, NegativeSampler sampler, PrintStream out) {
        int batch = batchSizes.get(0);
        RankingEvaluator evaluator = new RankingEvaluator(ds.test(), 10);
        Metrics pop = evaluator.evaluate(new PopularityBaseline(ds.numItems(), ds.train().items()));
        out.printf("time to HR@10 >= %.2f (fused, batch %d, fresh model, wall clock incl. sampling and evaluation):%n",
                targetHr, batch);
        long t0 = System.nanoTime();
        double best = -1;
        double bestNdcg = 0;
        int bestEpoch = 0;
        double reached = Double.NaN;
        int reachedEpoch = 0;
        try (TrainingEngine e = new FusedEngine(spec, EmbeddingOptimizer.DEFAULT)) {
            for (int epoch = 1; epoch <= maxEpochs; epoch++) {
                EpochSamples s = sampler.sample(epoch - 1);
                for (int from = 0; from < s.size(); from += batch) {
                    int n = Math.min(batch, s.size() - from);
                    e.computeGradient(s.examples(), from, n);
                    e.applyUpdate();
                }
                Metrics r = evaluator.evaluate(e::scores);
                if (r.get("hr") > best) {
                    best = r.get("hr");
                    bestNdcg = r.get("ndcg");
                    bestEpoch = epoch;
                }
                if (Double.isNaN(reached) && r.get("hr") >= targetHr) {
                    reached = (System.nanoTime() - t0) / 1e9;
                    reachedEpoch = epoch;
                }
            }
        }
        double all = (System.nanoTime() - t0) / 1e9;
        if (Double.isNaN(reached)) {
            out.printf("  not reached in %d epochs (%.1fs)%n", maxEpochs, all);
        } else {
            out.printf("  reached at epoch %d after %.1fs%n", reachedEpoch, reached);
        }
        out.printf("  best over %d epochs: HR@10 %.4f NDCG@10 %.4f (epoch %d), %.1fs in all; most-popular HR@10 %.4f"
                + " NDCG@10 %.4f%n", maxEpochs, best, bestNdcg, bestEpoch, all, pop.get("hr"), pop.get("ndcg"));
    }
}
