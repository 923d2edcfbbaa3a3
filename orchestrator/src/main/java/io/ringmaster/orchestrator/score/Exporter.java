package io.ringmaster.orchestrator.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetManifest;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.RunDirectory;
import io.ringmaster.workers.Worker;
import io.ringmaster.workers.checkpoint.Checkpoint;
import io.ringmaster.workers.checkpoint.CheckpointStore;
import io.ringmaster.workers.export.ModelBundle;
import io.ringmaster.workers.model.ExportableModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code ringmaster export}: a run's checkpoint (the newest, or a given step) as a {@link ModelBundle},
 * with provenance: run id, checkpoint, config hash, dataset name and checksum, and the metrics the
 * run recorded for that checkpoint's epoch.
 */
public final class Exporter {

    private Exporter() {
    }

    public record Result(String bundle, long step, Map<String, Object> provenance) {
    }

    public static Result export(Configuration conf, String runDirUri, Long step, String outUri) throws IOException {
        Path runDir = Storage.path(runDirUri);
        FileSystem fs = Storage.fs(runDir, conf);
        JobConfig job = RunDirectory.readJob(conf, runDirUri, List.of());
        if (job.sparkFamily()) {
            return exportFactors(conf, fs, runDir, job, step, outUri);
        }
        java.util.Optional<io.ringmaster.orchestrator.run.RunLock.Owner> live
                = io.ringmaster.orchestrator.run.RunLock.owner(fs, runDir);
        CheckpointStore store = new CheckpointStore(conf, runDir.toString(), Integer.MAX_VALUE);
        Checkpoint cp;
        if (step == null) {
            List<String> warnings = new ArrayList<>();
            cp = store.newest(warnings).orElseThrow(() -> new IllegalArgumentException(Storage.display(runDir)
                    + " has no complete checkpoint to export" + (warnings.isEmpty() ? "" : " ("
                    + String.join("; ", warnings) + ")")));
            warnings.forEach(w -> System.err.println("warning: " + w)); // an older checkpoint is exported instead
        } else {
            cp = store.open(new Path(new Path(runDir, CheckpointStore.DIR), String.valueOf(step)).toString());
        }
        Dataset ds = DatasetStore.read(conf, job.dataUri());
        DatasetManifest manifest = DatasetStore.manifest(conf, job.dataUri());
        if (!(job.modelSpec() instanceof ExportableModelSpec model)) {
            throw new IllegalArgumentException("run " + runDir.getName() + ": model.type " + job.model().type()
                    + " has no export");
        }
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("runId", runDir.getName());
        provenance.put("runDir", Storage.display(runDir));
        provenance.put("checkpointStep", cp.step());
        provenance.put("checkpointEpoch", cp.state().epoch());
        provenance.put("configHash", cp.state().configHash());
        provenance.put("dataset", job.dataUri());
        provenance.put("datasetName", manifest.name());
        provenance.put("datasetChecksum", manifest.checksum());
        provenance.put("metricsAtExport", metricsAt(fs, runDir, cp.step()));
        provenance.put("bestHrSoFar", cp.state().best() == null ? -1 : cp.state().best().get("hr"));
        provenance.put("trainSeconds", cp.state().trainSeconds()); // training up to this checkpoint (compare shows it)
        if (live.isPresent()) { // exporting while a job trains: the newest checkpoint so far, said so
            provenance.put("runStillTraining", live.get().describe());
        }
        model.exportBundle(conf, store.loadModel(cp), ds, job.train().seed(), provenance, outUri);
        return new Result(Storage.display(Storage.path(outUri)), cp.step(), provenance);
    }

    /**
     * A Spark MLlib family's run (als, item2vec, svd): its one fitted model, {@code model/factors.bin}, as a
     * factor bundle (there are no checkpoints to choose from).
     */
    private static Result exportFactors(Configuration conf, FileSystem fs, Path runDir, JobConfig job, Long step,
                                        String outUri) throws IOException {
        if (step != null) {
            throw new IllegalArgumentException("run " + runDir.getName() + " (model.type " + job.model().type()
                    + ") has one fitted model and no checkpoints: leave out --checkpoint");
        }
        Path file = new Path(runDir, io.ringmaster.orchestrator.run.FamilyJob.MODEL_FILE);
        if (!fs.exists(file)) {
            throw new IllegalArgumentException(Storage.display(runDir) + " has no fitted model ("
                    + io.ringmaster.orchestrator.run.FamilyJob.MODEL_FILE + "): its training did not finish");
        }
        io.ringmaster.workers.model.FactorModel model = io.ringmaster.workers.model.FactorModel.read(
                new java.io.ByteArrayInputStream(Storage.readBytes(fs, file)), Storage.display(file));
        Dataset ds = DatasetStore.read(conf, job.dataUri());
        DatasetManifest manifest = DatasetStore.manifest(conf, job.dataUri());
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("runId", runDir.getName());
        provenance.put("runDir", Storage.display(runDir));
        provenance.put("modelType", job.model().type());
        provenance.put("configHash", job.configHash());
        provenance.put("dataset", job.dataUri());
        provenance.put("datasetName", manifest.name());
        provenance.put("datasetChecksum", manifest.checksum());
        Map<String, Object> metrics = metricsAt(fs, runDir, 0);
        provenance.put("metricsAtExport", metrics);
        if (metrics.get("trainSeconds") instanceof Number t) {
            provenance.put("trainSeconds", t);
        }
        ModelBundle.writeFactors(conf, model, ds, provenance, outUri);
        return new Result(Storage.display(Storage.path(outUri)), 0, provenance);
    }

    /** The last epoch record at or before {@code step} in the run's metrics.jsonl, or an empty map. */
    private static Map<String, Object> metricsAt(FileSystem fs, Path runDir, long step) throws IOException {
        Path metrics = new Path(runDir, Worker.METRICS_FILE);
        Map<String, Object> found = new LinkedHashMap<>();
        if (!fs.exists(metrics)) {
            return found;
        }
        String text;
        try (InputStream in = fs.open(metrics)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ObjectMapper json = new ObjectMapper();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = json.readValue(line, Map.class);
            if ("epoch".equals(m.get("event")) && ((Number) m.get("step")).longValue() <= step) {
                found = m;
            }
        }
        return found;
    }
}
