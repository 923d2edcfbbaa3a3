package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.DatasetManifest;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Write a seeded synthetic implicit-feedback dataset (power-law item popularity, latent user"
                + " tastes) in the same layout as ingest.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Dataset directory to write.")
    String out;

    @Option(names = "--users", defaultValue = "2000", description = "Users (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--items", defaultValue = "1000", description = "Items (default: ${DEFAULT-VALUE}).")
    int items;

    @Option(names = "--interactions", defaultValue = "40",
            description = "Mean interactions per user (default: ${DEFAULT-VALUE}).")
    int interactions;

    @Option(names = "--seed", defaultValue = "7", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-negatives", defaultValue = "99",
            description = "Negatives per test user (default: ${DEFAULT-VALUE}).")
    int evalNegatives;

    @Option(names = "--overwrite", description = "Replace an existing dataset at --out.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        SyntheticDataset.Params d = SyntheticDataset.Params.defaults();
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(users, items, interactions,
                d.latentDim(), d.popularityExponent(), d.tasteStrength(), seed, evalNegatives));
        Configuration conf = Storage.configuration();
        DatasetManifest m = DatasetStore.write(conf, out, r.dataset(), r.source(), r.split(), overwrite);
        Summaries.printDataset(System.out, out, m);
        return 0;
    }
}
