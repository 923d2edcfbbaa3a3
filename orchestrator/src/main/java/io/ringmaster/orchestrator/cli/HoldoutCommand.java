package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetManifest;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.ValidationSplit;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "holdout", mixinStandardHelpOptions = true,
        description = "Write a copy of a dataset with a validation split: each user's latest training interaction"
                + " (the one before the test interaction) held out of training and recorded in the manifest, for"
                + " choosing between models per user (koth) without touching the test. Train the models on the copy.")
final class HoldoutCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "Dataset directory to start from.")
    String data;

    @Option(names = "--out", required = true, description = "Where to write the dataset with a validation split.")
    String out;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for users without timestamps (default:"
            + " ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--overwrite", description = "Replace an existing dataset at --out.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        Configuration conf = Storage.configuration();
        DatasetManifest before = DatasetStore.manifest(conf, data);
        Dataset held = ValidationSplit.holdOut(DatasetStore.read(conf, data), seed);
        DatasetManifest m = DatasetStore.write(conf, out, held, before.source(), before.split()
                + "; validation: each user's latest training interaction held out (seed " + seed + ")", overwrite);
        Summaries.printDataset(System.out, Storage.display(Storage.path(out)), m);
        System.out.printf("  validation split: %,d users (%,d with a single training item have none); %,d training"
                + " interactions left of %,d%n", held.validation().size(), held.numUsers() - held.validation().size(),
                held.train().size(), before.counts().trainInteractions());
        return 0;
    }
}
