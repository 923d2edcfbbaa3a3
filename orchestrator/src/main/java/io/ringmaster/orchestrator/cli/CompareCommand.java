package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.score.FullCatalogueMap;
import io.ringmaster.orchestrator.score.ModelSource;
import io.ringmaster.orchestrator.spark.SparkSessions;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.eval.RankingEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Evaluate several models on one dataset side by side with the most-popular baseline: HR, NDCG"
                + " and MAP@K on the NCF candidates, and MAP@K over the full catalogue excluding each user's training"
                + " items (a Spark job), with each model's training time.")
final class CompareCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "Dataset directory (its test split is used).")
    String data;

    @Parameters(arity = "1..*", paramLabel = "RUN_OR_BUNDLE", description = "Run directories of als, item2vec or"
            + " svd runs, or model bundles (`ringmaster export`, for NeuMF).")
    List<String> models = new ArrayList<>();

    @Option(names = "--k", defaultValue = "10", description = "Cut-off K (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--partitions", defaultValue = "4",
            description = "Tasks of the full-catalogue job (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--set", description = "Hadoop settings: --set hadoop.KEY=VALUE")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (k < 1) {
            throw new IllegalArgumentException("--k must be >= 1, got " + k);
        }
        Configuration conf = Storage.configuration();
        Map<String, String> hadoop = JobConfig.hadoopOverrides(sets);
        hadoop.forEach(conf::set);
        Dataset ds = DatasetStore.read(conf, data);
        List<ModelSource> sources = new ArrayList<>();
        sources.add(ModelSource.mostPopular(ds));
        for (String m : models) {
            sources.add(ModelSource.open(conf, hadoop, m));
        }
        RankingEvaluator ncf = new RankingEvaluator(ds.test(), k);
        try (SparkSessions.Scoped session = SparkSessions.scoped(master, "ringmaster-compare", Map.of())) {
            SparkSession spark = session.spark();
            System.out.printf("%s: %,d test users, %,d items; NCF candidates (the held-out item and its negatives) and"
                    + " the full catalogue less each user's training items%n", ds.name(), ds.test().size(),
                    ds.numItems());
            String format = "%-24s %-10s %8s %8s %8s %10s %9s%n";
            System.out.printf(format, "model", "type", "HR@" + k, "NDCG@" + k, "MAP@" + k, "full MAP@" + k, "train");
            for (ModelSource s : sources) {
                Metrics m = ncf.evaluate(s.scorer());
                double full = FullCatalogueMap.compute(spark, s, ds, k, partitions);
                double t = s.trainSeconds();
                System.out.printf(format, s.name(), s.type(), String.format("%.4f", m.get("hr")), String.format("%.4f",
                        m.get("ndcg")), String.format("%.4f", m.get("map")), String.format("%.4f", full),
                        Double.isNaN(t) ? "-" : String.format("%.1fs", t));
            }
        }
        return 0;
    }
}
