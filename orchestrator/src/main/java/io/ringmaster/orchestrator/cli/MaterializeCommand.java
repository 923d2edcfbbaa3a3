package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.Storage;
import io.ringmaster.data.loader.LoaderManifest;
import io.ringmaster.data.loader.Materializer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "materialize", mixinStandardHelpOptions = true,
        description = "Write a dataset's training interactions as Parquet for the streaming loader, in row groups"
                + " sized so every worker gets several (the row group is the unit of sharding).")
final class MaterializeCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "Dataset directory (from ingest or generate).")
    String data;

    @Option(names = "--out", required = true, description = "Output directory (any Hadoop URI).")
    String out;

    @Option(names = "--row-group-mb", defaultValue = "8", description = "Row group size, MB before encoding"
            + " (default: ${DEFAULT-VALUE}); lowered when it would give fewer than workers x 4 row groups.")
    double rowGroupMb;

    @Option(names = "--workers", defaultValue = "8",
            description = "Largest gang this copy must serve (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--overwrite", description = "Replace an existing output (kept until the new one is complete).")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        Materializer.Result r = Materializer.fromDataset(Storage.configuration(), data, out,
                new Materializer.Options(rowGroupMb, workers, overwrite), System.out);
        LoaderManifest m = r.manifest();
        System.out.printf("materialized %,d rows in %d row groups (%,d KB each before encoding) -> %s%n", m.rows(),
                m.rowGroups(), m.rowGroupBytes() / 1024, r.uri());
        return 0;
    }
}
