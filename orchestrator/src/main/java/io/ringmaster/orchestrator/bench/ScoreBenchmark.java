package io.ringmaster.orchestrator.bench;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.score.BundleCache;
import io.ringmaster.orchestrator.score.ScoreJob;
import io.ringmaster.orchestrator.score.UnknownIdPolicy;
import io.ringmaster.orchestrator.spark.SparkSessions;
import io.ringmaster.workers.export.BundleScorer;
import io.ringmaster.workers.export.ModelBundle;
import io.ringmaster.workers.model.NeuMF;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code ringmaster bench score}: the Spark top-K scoring job on local[2] (every user against the
 * whole catalogue, Parquet written), beside a plain single-JVM loop that calls the DL4J network's
 * {@code output()} on the same per-user batches, and a single-thread loop over the fused kernel the
 * job uses; all in the same run, in scores (user-item pairs) per second and per core.
 */
public final class ScoreBenchmark {

    private final String bundleUri;

    public ScoreBenchmark(String bundleUri) {
        this.bundleUri = bundleUri;
    }

    public void run(PrintStream out) throws IOException {
        Configuration conf = Storage.configuration();
        ModelBundle b = ModelBundle.load(conf, bundleUri);
        int users = b.numUsers();
        int items = b.numItems();
        out.printf("bench score: %s, %,d users x %,d items = %,d scores per full pass; %d cores%n", bundleUri, users,
                items, (long) users * items, Runtime.getRuntime().availableProcessors());

        ComputationGraph graph;
        try (InputStream in = Storage.fs(Storage.path(bundleUri), conf)
                .open(new Path(Storage.path(bundleUri), "model.zip"))) {
            graph = ModelSerializer.restoreComputationGraph(in, false);
        }
        int[] uCol = new int[items];
        int[] iCol = new int[items];
        for (int i = 0; i < items; i++) {
            iCol[i] = i;
        }
        INDArray itemArr = NeuMF.column(iCol, 0, items);
        long scores = 0;
        long t0 = System.nanoTime();
        for (int u = 0; System.nanoTime() - t0 < 3_000_000_000L; u = (u + 1) % users) {
            java.util.Arrays.fill(uCol, u);
            graph.output(NeuMF.column(uCol, 0, items), itemArr);
            scores += items;
        }
        double dl4j = scores / ((System.nanoTime() - t0) / 1e9);

        int[] top = new int[10];
        float[] topL = new float[10];
        scores = 0;
        t0 = System.nanoTime();
        try (BundleScorer s = b.newScorer()) {
            for (int u = 0; System.nanoTime() - t0 < 3_000_000_000L; u = (u + 1) % users) {
                s.topK(u, 10, i -> false, top, topL);
                scores += items;
            }
        }
        double fused = scores / ((System.nanoTime() - t0) / 1e9);

        java.nio.file.Path tmp = Files.createTempDirectory("ringmaster-bench-score");
        SparkSession spark = SparkSessions.create("local[2]", "ringmaster-bench-score", Map.of());
        double job;
        try {
            BundleCache.get(bundleUri, Map.of()); // loaded once per JVM, as on an executor
            ScoreJob.topK(spark, bundleUri, "all", tmp.resolve("warm").toString(), 10, null, UnknownIdPolicy.SKIP,
                    Map.of());
            long j0 = System.nanoTime();
            ScoreJob.topK(spark, bundleUri, "all", tmp.resolve("run").toString(), 10, null, UnknownIdPolicy.SKIP,
                    Map.of());
            job = (double) users * items / ((System.nanoTime() - j0) / 1e9);
        } finally {
            spark.stop();
        }
        out.printf("%-58s %,14.0f scores/s%n", "plain loop: DL4J ComputationGraph.output(), 1 JVM", dl4j);
        out.printf("%-58s %,14.0f scores/s%n", "plain loop: the fused kernel the job uses, 1 thread", fused);
        out.printf("%-58s %,14.0f scores/s  = %,.0f per core%n", "Spark job on local[2] (top-10 per user, Parquet"
                + " written)", job, job / 2);
        out.printf("per core, the job reaches %.2fx the DL4J output() loop and %.2fx the fused loop (goal: >= 0.8x)%n",
                job / 2 / dl4j, job / 2 / fused);
    }
}
