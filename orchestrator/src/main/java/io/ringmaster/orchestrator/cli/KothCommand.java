package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.score.KingOfTheHill;
import io.ringmaster.orchestrator.score.ModelSource;
import io.ringmaster.orchestrator.spark.SparkSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "koth", mixinStandardHelpOptions = true,
        description = "King of the hill: score every model on each user's validation item (full-catalogue AP@K),"
                + " route each user to the model best for that user (ties to the best overall; users without a"
                + " validation item to the best overall), write the routing table, and report the routed test"
                + " MAP@K beside every model's alone. The dataset needs a validation split (`holdout`), and the"
                + " models must be trained on it.")
final class KothCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "Dataset with a validation split (`ringmaster holdout`).")
    String data;

    @Option(names = "--models", required = true, split = ",", description = "Model bundles or run directories of"
            + " Spark MLlib families, comma-separated (at least two).")
    List<String> models = new ArrayList<>();

    @Option(names = "--out", required = true, description = "Directory for routing.parquet and koth.json.")
    String out;

    @Option(names = "--k", defaultValue = "10", description = "Cut-off K (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--partitions", defaultValue = "4", description = "Tasks per scoring job (default:"
            + " ${DEFAULT-VALUE}).")
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
        String checksum = DatasetStore.manifest(conf, data).checksum();
        List<ModelSource> sources = new ArrayList<>();
        for (String m : models) {
            sources.add(ModelSource.open(conf, hadoop, m));
        }
        KingOfTheHill.Result r;
        try (SparkSessions.Scoped session = SparkSessions.scoped(master, "ringmaster-koth", Map.of())) {
            r = KingOfTheHill.run(session.spark(), ds, checksum, sources, k, partitions);
        }
        KingOfTheHill.write(conf, ds, data, r, out);
        String format = "%-26s %-10s %16s %12s %8s%n";
        System.out.printf("%s: %,d users, %,d with a validation item; full-catalogue MAP@%d%n", ds.name(),
                ds.numUsers(), ds.validation().size(), k);
        System.out.printf(format, "model", "type", "validation MAP@" + k, "test MAP@" + k, "users");
        for (int m = 0; m < r.models().size(); m++) {
            System.out.printf(format, r.models().get(m).name() + (m == r.best() ? " (best overall)" : ""),
                    r.models().get(m).type(), String.format("%.4f", r.validationMap()[m]),
                    String.format("%.4f", r.testMap()[m]), String.format("%,d", r.served()[m]));
        }
        double bestAlone = java.util.Arrays.stream(r.testMap()).max().orElse(Double.NaN);
        System.out.printf(format, "king of the hill (routed)", "-", "-", String.format("%.4f", r.routedTestMap()),
                String.format("%,d", ds.numUsers()));
        System.out.printf("routed test MAP@%d %.4f vs the best single model's %.4f (%+.1f%%); %,d user(s) without a"
                        + " validation item go to the best overall model%n", k, r.routedTestMap(), bestAlone,
                100 * (r.routedTestMap() / bestAlone - 1), r.fallbackUsers());
        System.out.println("routing " + Storage.display(Storage.path(out)) + "/" + KingOfTheHill.ROUTING);
        return 0;
    }
}
