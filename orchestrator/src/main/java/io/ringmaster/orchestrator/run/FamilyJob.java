package io.ringmaster.orchestrator.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ringmaster.data.Dataset;
import io.ringmaster.data.DatasetManifest;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.families.SparkFamily;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.job.JobConfigException;
import io.ringmaster.orchestrator.spark.SparkSessions;
import io.ringmaster.workers.Worker;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.eval.PopularityBaseline;
import io.ringmaster.workers.eval.RankingEvaluator;
import io.ringmaster.workers.metrics.MetricsEvents;
import io.ringmaster.workers.metrics.MetricsLog;
import io.ringmaster.workers.model.FactorModel;
import io.ringmaster.workers.train.TrainingSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ringmaster train} for a family Spark MLlib trains ({@code model.type} als, item2vec, svd): one
 * fit on the driver's Spark session, then the same evaluation as NeuMF's (HR/NDCG/MAP@K on the NCF
 * candidates, beside most-popular), into a run directory of the same shape: job.yaml, metrics.jsonl
 * (start, baseline, one epoch record, done), attempts.jsonl, summary.json, and the fitted factors
 * ({@code model/factors.bin}). Such a run trains in one go: an existing run id is refused.
 */
public final class FamilyJob {

    /** The fitted model in the run directory. */
    public static final String MODEL_FILE = "model/factors.bin";

    private FamilyJob() {
    }

    public static TrainJob.Outcome run(JobConfig named, PrintStream out) throws IOException {
        named.validate();
        Configuration conf = Storage.configuration(named.hadoop());
        DatasetManifest manifest = DatasetStore.manifest(conf, named.dataUri());
        if (manifest.counts().testUsers() == 0) {
            throw new io.ringmaster.data.DataFormatException(named.dataUri() + ": the dataset has no test users to"
                    + " evaluate (its test split is empty: ingest it again; see ingest's warning)");
        }
        try (RunDirectory run = RunDirectory.openOrCreate(conf, named.run().dir(), named.run().id())) {
            if (run.existing()) {
                throw new JobConfigException("run " + run.id() + " exists: model.type " + named.model().type()
                        + " trains in one go and does not continue a run; choose a new run.id");
            }
            try {
                return train(named.withRunId(run.id()), conf, manifest, run, out);
            } catch (IOException | RuntimeException | Error e) {
                run.forgetIfNothingRan();
                throw e;
            }
        }
    }

    private static TrainJob.Outcome train(JobConfig job, Configuration conf, DatasetManifest manifest,
                                          RunDirectory run, PrintStream out) throws IOException {
        SparkFamily family = SparkFamily.of(job);
        run.write(RunDirectory.JOB_FILE, job.toRedactedYaml());
        out.printf("run %s  dataset %s (%,d users, %,d items, %,d training interactions, %,d test users)%n",
                run.id(), manifest.name(), manifest.counts().users(), manifest.counts().items(),
                manifest.counts().trainInteractions(), manifest.counts().testUsers());
        out.printf("%s: %s, on Spark %s%n", job.model().type(), family.describe(), job.sparkMaster());
        Dataset ds = DatasetStore.read(conf, job.dataUri());
        MetricsLog log = new MetricsLog(conf, run.file(Worker.METRICS_FILE));
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("event", "start");
        start.put("runId", run.id());
        start.put("modelType", job.model().type());
        start.put("model", family.describe());
        start.put("users", ds.numUsers());
        start.put("items", ds.numItems());
        start.put("trainInteractions", ds.train().size());
        start.put("workers", job.workers());
        start.put("transport", "Spark MLlib");
        log.write(start);
        int k = job.eval().k();
        RankingEvaluator evaluator = new RankingEvaluator(ds.test(), k);
        Metrics baseline = evaluator.evaluate(new PopularityBaseline(ds.numItems(), ds.train().items()));
        log.write(MetricsEvents.baseline("most-popular", baseline));
        out.println("most-popular baseline  " + baseline.line());

        AttemptLog attempts = new AttemptLog(run, out);
        long began = System.currentTimeMillis();
        FactorModel model;
        double trainSeconds;
        try (SparkSessions.Scoped session = SparkSessions.scoped(job.sparkMaster(), "ringmaster-train-" + run.id(),
                job.spark().conf())) {
            SparkSession spark = session.spark();
            spark.sparkContext().setJobGroup(io.ringmaster.orchestrator.spark.GangTraining.jobGroup(run.id()),
                    "ringmaster train " + run.id() + ": " + job.model().type(), true);
            long t0 = System.nanoTime();
            model = family.fit(spark, ds, job.train().seed());
            trainSeconds = (System.nanoTime() - t0) / 1e9;
            attempts.add(1, began, job.workers(), null);
        } catch (RuntimeException e) {
            attempts.add(1, began, job.workers(), String.valueOf(e.getMessage()));
            throw e;
        }
        long e0 = System.nanoTime();
        Metrics metrics = evaluator.evaluate(model);
        double evalSeconds = (System.nanoTime() - e0) / 1e9;
        Map<String, Object> epoch = new LinkedHashMap<>();
        epoch.put("event", "epoch");
        epoch.put("epoch", 1);
        epoch.put("step", 0);
        epoch.put("k", k);
        metrics.putInto(epoch, "");
        epoch.put("samples", ds.train().size());
        epoch.put("trainSeconds", trainSeconds);
        epoch.put("evalSeconds", evalSeconds);
        epoch.put("samplesPerSecond", ds.train().size() / trainSeconds);
        log.write(epoch);
        out.printf("%s  %s  (train %.1fs, eval %.2fs)%n", job.model().type(), metrics.line(), trainSeconds,
                evalSeconds);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        model.write(bytes);
        Storage.writeBytes(Storage.fs(run.file(MODEL_FILE), conf), run.file(MODEL_FILE), bytes.toByteArray());

        TrainingSummary s = new TrainingSummary(1, 0, 1, metrics, Double.NaN, ds.train().size() / trainSeconds,
                trainSeconds);
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("event", "done");
        done.put("epochs", 1);
        metrics.putInto(done, "best");
        done.put("trainSeconds", trainSeconds);
        log.write(done);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("runId", run.id());
        summary.put("dataset", job.dataUri());
        summary.put("datasetChecksum", manifest.checksum());
        summary.put("modelType", job.model().type());
        summary.put("model", family.describe());
        summary.put("workers", job.workers());
        summary.put("attempts", 1);
        summary.put("k", k);
        summary.put("epochs", 1);
        summary.put("bestEpoch", 1);
        metrics.putInto(summary, "best");
        summary.put("trainSeconds", trainSeconds);
        summary.put("engine", "Spark MLlib");
        summary.put("backend", job.sparkMaster());
        baseline.putInto(summary, "baseline");
        run.write(RunDirectory.SUMMARY_FILE, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(summary));
        out.printf("best  %s   most-popular: %s%n", metrics.line(), baseline.line());
        out.printf("run directory %s%n", Storage.display(run.path()));
        return new TrainJob.Outcome(run.id(), Storage.display(run.path()), s, baseline);
    }
}
