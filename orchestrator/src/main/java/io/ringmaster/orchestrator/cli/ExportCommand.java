package io.ringmaster.orchestrator.cli;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.score.Exporter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a run's checkpoint (newest, or --checkpoint STEP) as a self-contained model bundle:"
                + " network, id maps, schema, provenance, SHA-256 manifest.")
final class ExportCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "The run directory (runs/<run-id>, any Hadoop URI), or with --best a"
            + " study directory.")
    String runDir;

    @Option(names = "--best", description = "Export the best trial of the study directory given (best.json): the"
            + " checkpoint of its best epoch, the model its figure was measured on.")
    boolean best;

    @Option(names = "--checkpoint", description = "Global step of the checkpoint (default: the newest complete one).")
    Long step;

    @Option(names = "--out", required = true, description = "Bundle directory to write (any Hadoop URI).")
    String out;

    @Option(names = "--hadoop", description = "Hadoop setting key=value (repeatable).")
    Map<String, String> hadoop = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        org.apache.hadoop.conf.Configuration conf = Storage.configuration(hadoop);
        String run = runDir;
        if (best) {
            if (step != null) {
                throw new IllegalArgumentException("--best exports the best trial's newest checkpoint: leave out"
                        + " --checkpoint");
            }
            io.ringmaster.orchestrator.tune.Study.BestModel b = io.ringmaster.orchestrator.tune.Study.bestModel(conf,
                    runDir);
            System.out.printf("best trial of study %s: %s, epoch %d (%s)%n", runDir, b.trial(), b.epoch(),
                    Storage.display(Storage.path(b.runDir())));
            run = b.runDir();
            step = b.step();
        }
        Exporter.Result r = Exporter.export(conf, run, step, out);
        Object m = r.provenance().get("metricsAtExport");
        if (r.provenance().containsKey("runStillTraining")) {
            System.out.println("warning: run " + r.provenance().get("runId") + " is still training ("
                    + r.provenance().get("runStillTraining") + "): this is its newest complete checkpoint so far");
        }
        if (r.provenance().get("modelType") instanceof String type) { // a Spark MLlib family's one model
            System.out.printf("exported the %s model of run %s -> %s%n", type, r.provenance().get("runId"), r.bundle());
        } else {
            System.out.printf("exported checkpoint step %d of run %s -> %s%n", r.step(), r.provenance().get("runId"),
                    r.bundle());
        }
        if (m instanceof Map<?, ?> metrics && !metrics.isEmpty()) {
            System.out.printf("metrics at export: epoch %s  HR@%s %.4f  NDCG@%s %.4f%n", metrics.get("epoch"),
                    metrics.get("k"), ((Number) metrics.get("hr")).doubleValue(), metrics.get("k"),
                    ((Number) metrics.get("ndcg")).doubleValue());
        }
        return 0;
    }
}
