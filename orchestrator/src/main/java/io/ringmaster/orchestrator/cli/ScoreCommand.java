package io.ringmaster.orchestrator.cli;

import io.ringmaster.orchestrator.score.ScoreJob;
import io.ringmaster.orchestrator.score.UnknownIdPolicy;
import io.ringmaster.orchestrator.spark.SparkSessions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Batch scoring in Spark with an exported model: top-K items per user (--users), or a score"
                + " for given (user, item) rows (--pairs). Writes Parquet with raw ids.")
final class ScoreCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** One model, or a king-of-the-hill routing of several. */
    static final class Source {
        @Option(names = "--model", description = "Model bundle from `ringmaster export`.")
        String model;

        @Option(names = "--koth", description = "A routing from `ringmaster koth --out`: each user's top K from the"
                + " model routed to that user (with --users).")
        String koth;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--users", description = "'all', or Parquet/CSV with a 'user' column of raw ids: write the"
                + " top-K items of each (user, rank, item, score, title).")
        String users;

        @Option(names = "--pairs", description = "Parquet/CSV with 'user' and 'item' columns of raw ids: write its"
                + " rows with 'score' (probability) and 'logit' appended.")
        String pairs;
    }

    @Option(names = "--out", required = true, description = "Output Parquet directory (refused if it exists).")
    String out;

    @Option(names = "--top-k", defaultValue = "10", description = "Items per user (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--exclude-seen", description = "Leave out items the user already has: the model's dataset"
            + " directory, or Parquet/CSV with raw 'user', 'item' columns.")
    String excludeSeen;

    @Option(names = "--unknown", defaultValue = "skip",
            description = "Ids the model never saw: skip (default) or popular (unknown users get popular items).")
    String unknown;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--hadoop", description = "Hadoop setting key=value (repeatable).")
    Map<String, String> hadoop = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        UnknownIdPolicy policy = UnknownIdPolicy.parse(unknown);
        SparkSession spark = SparkSessions.create(master, "ringmaster-score", Map.of());
        try {
            if (source.koth != null && input.users == null) {
                throw new IllegalArgumentException("--koth scores top-K per user: give --users, not --pairs");
            }
            ScoreJob.Report r = source.koth != null
                    ? ScoreJob.topKRouted(spark, source.koth, input.users, out, topK, excludeSeen, policy, hadoop)
                    : input.users != null
                    ? ScoreJob.topK(spark, source.model, input.users, out, topK, excludeSeen, policy, hadoop)
                    : ScoreJob.pairs(spark, source.model, input.pairs, out, policy, hadoop);
            if (r.note() != null) {
                System.out.println("note: " + r.note());
            }
            System.out.printf("wrote %,d rows -> %s%n", r.rows(), out);
            if (r.unknownUsers() > 0) {
                System.out.printf("%,d rows with users the model does not know (e.g. %s): %s%n", r.unknownUsers(),
                        r.unknownUserExamples(), policy == UnknownIdPolicy.SKIP ? "skipped" : "scored by popularity");
            }
            if (r.unknownItems() > 0) {
                System.out.printf("%,d rows with items the model does not know (e.g. %s): skipped%n",
                        r.unknownItems(), r.unknownItemExamples());
            }
        } finally {
            spark.stop();
        }
        return 0;
    }
}
