package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.DatasetManifest;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Ingest;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.TrainJob;
import io.ringmaster.orchestrator.score.Exporter;
import io.ringmaster.orchestrator.score.ScoreJob;
import io.ringmaster.orchestrator.score.UnknownIdPolicy;
import io.ringmaster.orchestrator.spark.SparkSessions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "End to end on embedded local Spark: generate a synthetic dataset (or ingest --input), train"
                + " NeuMF with a gang of workers, evaluate against the most-popular baseline, checkpoint, export the"
                + " model and batch-score every user's top 10 in Spark.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--dir", defaultValue = "demo",
            description = "Working directory for data and runs (default: ${DEFAULT-VALUE}).")
    String dir;

    @Option(names = "--input",
            description = "Ingest this source instead of generating data (e.g. ../shared/data/ml-100k).")
    String input;

    @Option(names = "--users", defaultValue = "2000", description = "Synthetic users (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--items", defaultValue = "1000", description = "Synthetic items (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--workers", defaultValue = "2", description = "Gang size (default: ${DEFAULT-VALUE}).")
    int workers;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        long t0 = System.nanoTime();
        Configuration conf = Storage.configuration();
        String data = dir + "/data";
        DatasetManifest m;
        if (input != null) {
            out.println("[1/3] ingest " + input + " -> " + data);
            Ingest.Result r = Ingest.ingest(conf, input, Ingest.Options.defaults());
            m = DatasetStore.write(conf, data, r.dataset(), r.source(), r.split(), true);
        } else {
            out.println("[1/3] generate a synthetic dataset -> " + data);
            SyntheticDataset.Params d = SyntheticDataset.Params.defaults();
            SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(users, items,
                    d.meanInteractions(), d.latentDim(), d.popularityExponent(), d.tasteStrength(), d.seed(),
                    d.evalNegatives()));
            m = DatasetStore.write(conf, data, r.dataset(), r.source(), r.split(), true);
        }
        Summaries.printDataset(out, data, m);
        out.println("[2/3] train NeuMF with a gang of " + workers + " (ring all-reduce), evaluate HR/NDCG/MAP@10 every"
                + " epoch");
        JobConfig job = JobConfig.parse("", "demo", List.of(
                JobConfig.override("data", data), JobConfig.override("workers", workers),
                JobConfig.override("train.epochs", epochs), JobConfig.override("run.dir", dir + "/runs")));
        TrainJob.Outcome o = TrainJob.run(job, out);
        Summaries.report(job, o, out);

        String runDir = dir + "/runs/" + o.runId();
        String bundle = runDir + "/model";
        String recs = runDir + "/recommendations";
        out.println("[3/3] export the model, score every user's top 10 unseen items in Spark");
        Exporter.Result ex = Exporter.export(conf, runDir, null, bundle);
        out.printf("exported checkpoint step %d -> %s%n", ex.step(), ex.bundle());
        SparkSession spark = SparkSessions.create("local[2]", "ringmaster-demo-score", java.util.Map.of());
        try {
            ScoreJob.Report r = ScoreJob.topK(spark, bundle, "all", recs, 10, data, UnknownIdPolicy.SKIP,
                    java.util.Map.of());
            out.printf("wrote %,d recommendations -> %s%n", r.rows(), Storage.display(Storage.path(recs)));
            List<Row> rows = spark.read().parquet(recs).orderBy("user", "rank").limit(30).collectAsList();
            long current = Long.MIN_VALUE;
            for (Row row : rows) {
                long user = row.getLong(row.fieldIndex("user"));
                if (user != current) {
                    current = user;
                    out.printf("user %d:%n", user);
                }
                String title = row.isNullAt(row.fieldIndex("title")) ? "item " + row.getLong(row.fieldIndex("item"))
                        : row.getString(row.fieldIndex("title"));
                out.printf("  %2d. %-50s %.3f%n", row.getInt(row.fieldIndex("rank")), title,
                        row.getFloat(row.fieldIndex("score")));
            }
        } finally {
            spark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
        out.printf("demo finished in %.1fs: best HR@10 %.4f vs most-popular %.4f; figures in %s/metrics.jsonl%n",
                (System.nanoTime() - t0) / 1e9, o.summary().best("hr"), o.baseline().get("hr"), o.runDir());
        return 0;
    }
}
