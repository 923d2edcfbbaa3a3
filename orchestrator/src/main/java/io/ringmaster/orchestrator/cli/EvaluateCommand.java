package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.score.BundleEvaluation;
import io.ringmaster.orchestrator.spark.SparkSessions;
import io.ringmaster.workers.export.ModelBundle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "HR/NDCG@K of an exported model on a dataset's test split, computed from Spark batch-scoring"
                + " output, beside the figures the run recorded for that checkpoint.")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model bundle from `ringmaster export`.")
    String model;

    @Option(names = "--data", required = true, description = "Dataset directory with the test split.")
    String data;

    @Option(names = "--k", defaultValue = "10", description = "K (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--hadoop", description = "Hadoop setting key=value (repeatable).")
    Map<String, String> hadoop = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        ModelBundle b = ModelBundle.load(Storage.configuration(hadoop), model);
        SparkSession spark = SparkSessions.create(master, "ringmaster-evaluate", Map.of());
        try {
            BundleEvaluation.Result r = BundleEvaluation.run(spark, model, data, k, hadoop);
            System.out.printf("from score output: HR@%d %.4f  NDCG@%d %.4f  (%,d test users)%n", k, r.hr(), k,
                    r.ndcg(), r.users());
            if (b.provenance().get("metricsAtExport") instanceof Map<?, ?> m && !m.isEmpty()) {
                System.out.printf("recorded in training at epoch %s (step %s): HR@%s %.4f  NDCG@%s %.4f%n",
                        m.get("epoch"), m.get("step"), m.get("k"), ((Number) m.get("hr")).doubleValue(), m.get("k"),
                        ((Number) m.get("ndcg")).doubleValue());
            }
        } finally {
            spark.stop();
        }
        return 0;
    }
}
