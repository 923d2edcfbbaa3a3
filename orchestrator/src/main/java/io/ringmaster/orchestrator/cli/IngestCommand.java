package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.DatasetManifest;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Ingest;
import io.ringmaster.data.InputFormat;
import io.ringmaster.data.Storage;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Read MovieLens u.data / ratings.dat, headed CSV, or an NCF split (NAME.train.rating +"
                + " NAME.test.negative) and write a dataset: training Parquet, id maps, test split, manifest.json.")
final class IngestCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, description = "Source file or directory (any Hadoop URI).")
    String input;

    @Option(names = "--out", required = true, description = "Dataset directory to write.")
    String out;

    @Option(names = "--format", defaultValue = "auto",
            description = "auto, udata, dat, csv or ncf (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--eval-negatives", defaultValue = "99",
            description = "Negatives per test user when Ringmaster builds the leave-one-out split (default:"
                    + " ${DEFAULT-VALUE}).")
    int evalNegatives;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed of the leave-one-out split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--overwrite", description = "Replace an existing dataset at --out.")
    boolean overwrite;

    @Option(names = "--strict", description = "Fail, writing nothing, where ingest would only warn (an empty test"
            + " split, most users without a test item).")
    boolean strict;

    @Override
    public Integer call() throws Exception {
        Configuration conf = Storage.configuration();
        InputFormat f = "auto".equalsIgnoreCase(format) ? null : InputFormat.parse(format);
        Ingest.Result r = Ingest.ingest(conf, input, new Ingest.Options(f, evalNegatives, seed));
        String doubt = splitDoubt(r.dataset().test().size(), r.dataset().numUsers());
        if (doubt != null && strict) {
            throw new io.ringmaster.data.DataFormatException(input + ": " + doubt + " (--strict: nothing written)");
        }
        if (doubt != null) {
            System.out.println("warning: " + input + ": " + doubt + " (--strict makes this an error)");
        }
        DatasetManifest m = DatasetStore.write(conf, out, r.dataset(), r.source(), r.split(), overwrite);
        Summaries.printDataset(System.out, out, m);
        return 0;
    }

    /**
     * Why the split looks wrong, or null: every user needs two or more distinct items to have a test
     * item, so an empty or mostly empty test split usually means the columns are not (user, item, ...)
     * in that order, e.g. swapped under an unchanged header.
     */
    static String splitDoubt(int testUsers, int users) {
        if (testUsers == 0) {
            return "the test split is empty: no user has two or more distinct items, so training could evaluate"
                    + " nothing; check that the columns are user, item (, rating, timestamp) in that order";
        }
        if (testUsers * 2L < users) {
            return String.format("only %,d of %,d users have a test item (a user needs two or more distinct items);"
                    + " check that the columns are user, item (, rating, timestamp) in that order", testUsers, users);
        }
        return null;
    }
}
