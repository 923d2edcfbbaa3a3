package io.ringmaster.orchestrator.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ringmaster.data.DatasetManifest;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.dl4jspark.Dl4jSparkOptions;
import io.ringmaster.orchestrator.dl4jspark.Dl4jSparkTraining;
import io.ringmaster.orchestrator.dl4jspark.IncompleteEpochException;
import io.ringmaster.orchestrator.dl4jspark.TrainingStalledException;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.job.Strategy;
import io.ringmaster.workers.train.EngineKind;
import org.apache.spark.SparkException;
import io.ringmaster.orchestrator.spark.GangTraining;
import io.ringmaster.orchestrator.spark.SparkSessions;
import io.ringmaster.workers.Worker;
import io.ringmaster.workers.WorkerResult;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.CheckpointSettings;
import io.ringmaster.workers.checkpoint.Checkpoint;
import io.ringmaster.workers.checkpoint.CheckpointState;
import io.ringmaster.workers.checkpoint.CheckpointStore;
import io.ringmaster.workers.train.FaultInjection;
import io.ringmaster.orchestrator.job.JobConfigException;
import io.ringmaster.orchestrator.spark.GangFailure;
import io.ringmaster.orchestrator.spark.RankLogServer;
import java.util.Optional;
import io.ringmaster.workers.ring.Compression;
import io.ringmaster.workers.ring.RingAuth;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.train.TrainingSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The driver side of {@code ringmaster train}: validate the job, create the run directory, launch the
 * gang as a Spark barrier stage, print the workers' figures as they arrive, and write the summary.
 */
public final class TrainJob {

    /** The outcome of a finished job. */
    public record Outcome(String runId, String runDir, TrainingSummary summary, Metrics baseline) {
    }

    /** Embedding values above which a dense Adam pass costs several training steps (docs/sparse-gradients.md). */
    static final long LARGE_TABLES = 1L << 22;

    private TrainJob() {
    }

    public static Outcome run(JobConfig job, PrintStream out) throws IOException {
        return run(job, out, false);
    }

    /**
     * Trains {@code job} into its run directory, continuing from the run's newest complete checkpoint.
     * A run whose checkpoints all fail verification is refused unless {@code fromScratch}: training it
     * again from step 0 is then the user's choice, not a silent fallback.
     */
    public static Outcome run(JobConfig job, PrintStream console, boolean fromScratch) throws IOException {
        return run(job, console, fromScratch, Cancellation.NONE);
    }

    /**
     * {@link #run(JobConfig, PrintStream, boolean)}, stopping with a {@link JobStoppedException} once
     * {@code cancel} is requested (its requester cancels the run's job group).
     */
    public static Outcome run(JobConfig job, PrintStream console, boolean fromScratch, Cancellation cancel)
            throws IOException {
        // on a terminal, live progress is a bar on the last line that the other output scrolls above
        PrintStream out = console == System.out && System.console() != null ? TerminalOut.over(console) : console;
        try {
            return runOn(job, out, fromScratch, cancel);
        } finally {
            TerminalOut.clear(out);
            out.flush();
        }
    }

    private static Outcome runOn(JobConfig job, PrintStream out, boolean fromScratch, Cancellation cancel)
            throws IOException {
        job.validate();
        if (job.sparkFamily()) { // ALS, item2vec, SVD: one Spark MLlib fit, no gang
            return FamilyJob.run(job, out);
        }
        Configuration conf = Storage.configuration(job.hadoop());
        DatasetManifest manifest = DatasetStore.manifest(conf, job.dataUri());
        if (manifest.counts().testUsers() == 0) { // before any Spark job or attempt: no relaunch can fix it
            throw new io.ringmaster.data.DataFormatException(job.dataUri() + ": the dataset has no test users to"
                    + " evaluate (its test split is empty: ingest it again; see ingest's warning)");
        }
        try (DriverShutdown.Running stopping = DriverShutdown.running();
             RunDirectory run = RunDirectory.openOrCreate(conf, job.run().dir(), job.run().id())) {
            try {
                return run(job, out, conf, manifest, run, fromScratch, cancel);
            } catch (IOException | RuntimeException | Error e) {
                if (!run.existing()) {
                    run.forgetIfNothingRan(); // so the same run id can be started again with other settings
                }
                throw e;
            }
        }
    }

    private static Outcome run(JobConfig named, PrintStream out, Configuration conf, DatasetManifest manifest,
                               RunDirectory run, boolean fromScratch, Cancellation cancel) throws IOException {
        JobConfig job = named.withRunId(run.id());
        CheckpointStore store = new CheckpointStore(conf, run.path().toString(), job.checkpoint().keep());
        Optional<Checkpoint> newest = preflight(job, out, conf, manifest, run, store, fromScratch);
        List<String> failed = new java.util.ArrayList<>();
        List<String> gangChanges = new java.util.ArrayList<>();
        List<WorkerResult> results;
        try {
            results = attempts(job, out, conf, run, store, newest, failed, gangChanges, cancel);
        } finally {
            if (job.trace().timeline()) {
                TimelineFile.merge(run, out);
            }
        }
        return summarise(job, out, manifest, run, results, failed, gangChanges);
    }

    /**
     * What is checked and written before any attempt: the model may not change in a continued run, its
     * checkpoints are verified (once; the result serves the first attempt), job.yaml is written, the
     * set-up is printed and unfinished checkpoint writes are removed. Returns the newest checkpoint.
     */
    private static Optional<Checkpoint> preflight(JobConfig job, PrintStream out, Configuration conf,
                                                  DatasetManifest manifest, RunDirectory run, CheckpointStore store,
                                                  boolean fromScratch) throws IOException {
        if (run.existing()) {
            JobConfig before = RunDirectory.readJob(conf, run.path().toString(), List.of());
            List<String> diff = job.modelDiff(before);
            if (!diff.isEmpty()) {
                throw new JobConfigException("run " + run.id() + " cannot continue with a changed model or data: "
                        + String.join("; ", diff) + " (only run settings such as train.epochs, checkpoint.*, retry.*,"
                        + " eval.*, spark.*, hadoop may change; start a new run.id for the rest)");
            }
        }
        // verified once here, before anything in the run is rewritten, and used by the first attempt
        List<String> firstWarnings = new java.util.ArrayList<>();
        Optional<Checkpoint> firstNewest = store.newest(firstWarnings);
        if (run.existing() && !fromScratch && firstNewest.isEmpty() && !firstWarnings.isEmpty()) {
            throw new JobConfigException("run " + run.id() + " has no usable checkpoint ("
                    + String.join("; ", firstWarnings) + "); give --from-scratch to train it again from step 0"
                    + " (its checkpoint directories are kept)");
        }
        run.write(RunDirectory.JOB_FILE, job.toRedactedYaml());
        out.printf("run %s  dataset %s (%,d users, %,d items, %,d training interactions, %,d test users)%n",
                run.id(), manifest.name(), manifest.counts().users(), manifest.counts().items(),
                manifest.counts().trainInteractions(), manifest.counts().testUsers());
        RingOptions ring = job.ringOptions();
        if (job.usesRing()) {
            out.printf("gang of %d worker%s on Spark %s, global batch %d%s, embeddings: %s%n", job.workers(),
                    job.workers() == 1 ? "" : "s", job.sparkMaster(), job.train().batchSize(), job.workers() == 1 ? ""
                            : String.format(" (%d per worker), ring all-reduce (%s)",
                                    job.train().batchSize() / job.workers(),
                            ring.compression() == Compression.NONE ? "fp32" : ring.compression().id()),
                    job.embeddingOptimizer().id() + (job.workers() == 1 ? "" : ", " + job.allreduce().embeddings().id()
                            + " exchange"));
            long values = (manifest.counts().users() + manifest.counts().items())
                    * (long) (job.model().factors() + job.model().layers().get(0) / 2);
            if (job.embeddingOptimizer() == io.ringmaster.workers.model.EmbeddingOptimizer.ADAM
                    && job.engine() == EngineKind.FUSED && values > LARGE_TABLES) {
                out.printf("warning: train.embedding-optimizer adam updates all %,d embedding values every step;"
                        + " lazy-adam updates only the rows a step touches, and at a catalogue this size its steps are"
                        + " many times faster (it also learns differently; see docs/sparse-gradients.md)%n", values);
            }
        } else {
            out.printf("%d worker%s on Spark %s, global batch %d (%d per worker), strategy %s (DL4J %s)%n",
                    job.workers(), job.workers() == 1 ? "" : "s", job.sparkMaster(), job.train().batchSize(),
                    job.train().batchSize() / job.workers(), job.strategy().id(), job.strategy() == Strategy.AVERAGING
                            ? "ParameterAveragingTrainingMaster, every " + job.averaging().frequency() + " minibatches"
                            : "SharedTrainingMaster");
        }

        for (String leftover : store.removeUnfinishedWrites()) { // this job owns the run: nobody else writes there
            out.println("removed an unfinished checkpoint write: " + leftover);
        }
        firstWarnings.forEach(w -> out.println("warning: " + w));
        return firstNewest;
    }

    /**
     * Launches the gang until an attempt finishes, each from the newest checkpoint; a failure a relaunch
     * may fix ({@link GangFailure}) is recorded in {@code failed} and relaunched, up to retry.max-attempts.
     * A relaunch waits retry.wait-for-slots for the whole gang's task slots, and with fewer (at least
     * workers-min) continues with a smaller gang from the newest checkpoint it can continue (an epoch end,
     * or one it wrote itself), recorded in {@code gangChanges}.
     */
    private static List<WorkerResult> attempts(JobConfig job, PrintStream out, Configuration conf, RunDirectory run,
                                               CheckpointStore store, Optional<Checkpoint> firstNewest,
                                               List<String> failed, List<String> gangChanges, Cancellation cancel)
            throws IOException {
        RingOptions ring = job.ringOptions();
        CheckpointSettings checkpoints = new CheckpointSettings(job.checkpoint().everySteps(),
                job.checkpoint().everyEpochs(),
                job.checkpoint().keep(), job.toRedactedYaml(), job.configHash(), null);
        // a session someone else started is theirs to stop; a stopped one left behind in this thread is nobody's
        boolean ownSession = SparkSessions.noneInUse();
        Map<String, String> localCluster = SparkSessions.localClusterSetUp(job.sparkMaster(), job.spark().conf(),
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "ringmaster-local-cluster-home"));
        if (!localCluster.isEmpty()) {
            out.println("local-cluster: executor JVMs start from this JVM's classpath (Spark home "
                    + System.getProperty("spark.test.home") + ")");
            job = job.withSparkConf(localCluster); // not in job.yaml: written above, and set again on every start
        }
        SparkSession spark = SparkSessions.create(job.sparkMaster(), "ringmaster-train-" + run.id(),
                job.spark().conf());
        List<WorkerResult> results = null;
        int gang = job.workers();
        // the ranks' logs: warnings on this console (unless the executors are this JVM), tails in errors, files
        RankLogServer logs = null;
        int tracedBefore = job.trace().timeline() ? TimelineFile.attemptsBefore(run) : -1; // -1: no timeline
        Map<String, String> earlierLogs = new java.util.HashMap<>(); // what earlier jobs of this run logged
        AttemptLog attemptLog = new AttemptLog(run, out);
        try {
            logs = job.usesRing() ? RankLogServer.start(spark.sparkContext().getConf().get("spark.driver.host",
                    "127.0.0.1"), SparkSessions.executorIsDriverJvm(spark.sparkContext()) ? null : out) : null;
            for (int attempt = 1; results == null; attempt++) {
                run.checkOwned();
                if (cancel.requested()) {
                    throw cancelled(run, cancel, attempt);
                }
                if (attempt > 1 && job.usesRing()) {
                    int slots = GangTraining.awaitGang(spark.sparkContext(), job.workers(), job.workersMin(),
                            job.retry().waitForSlots() * 1000L, out);
                    if (slots != gang) {
                        String change = String.format("attempt %d: a gang of %d instead of %d (%d task slot%s within"
                                + " retry.wait-for-slots %d s, workers-min %d), global batch %d, %d per worker",
                                attempt, slots, gang, slots, slots == 1 ? "" : "s", job.retry().waitForSlots(),
                                job.workersMin(), job.train().batchSize(), job.train().batchSize() / slots);
                        out.println("continuing with " + change.substring(change.indexOf(": ") + 2)
                                + ", from the newest checkpoint such a gang can continue (an epoch end unless it wrote"
                                + " it); from here the run is not bit-identical to one that kept its gang");
                        gangChanges.add(change);
                        gang = slots;
                    }
                }
                int size = gang;
                java.util.function.Predicate<CheckpointState> usable = st -> st.workers() == size
                        || st.stepInEpoch() == 0;
                List<String> warnings = new java.util.ArrayList<>();
                Optional<Checkpoint> newest = attempt == 1 && firstNewest.map(c -> usable.test(c.state())).orElse(true)
                        ? firstNewest : store.newest(warnings, usable);
                warnings.forEach(w -> out.println("warning: " + w));
                if (newest.isPresent()) {
                    CheckpointState st = newest.get().state();
                    if (!job.configHash().equals(st.configHash())) {
                        throw new JobConfigException("checkpoint " + Storage.display(newest.get().dir())
                                + " was written with other model settings (config hash " + st.configHash()
                                + ", this job " + job.configHash() + ")");
                    }
                    out.printf("continuing from checkpoint step %d (epoch %d, step %d of it)%n", st.globalStep(),
                            st.epoch() + 1, st.stepInEpoch());
                    int again = run.supersedeEpochsAfter(st.epoch()); // no gang runs now: the file is ours to rewrite
                    if (again > 0) {
                        out.printf("%d epoch record(s) after epoch %d are trained again; metrics.jsonl marks the"
                                + " earlier ones \"superseded\"%n", again, st.epoch());
                    }
                } else if (run.existing() || attempt > 1) {
                    out.println("no complete checkpoint: starting from the beginning");
                }
                WorkerSpec spec = new WorkerSpec(run.id(), job.dataUri(), run.path().toString(), job.hadoop(),
                        job.modelSpec(), job.settings(), attempt == 1 ? job.faultInjection() : FaultInjection.NONE,
                        job.loaderSettings(), checkpoints.resumingFrom(newest.map(c ->
                                c.dir().toString()).orElse(null)));
                long fromStep = newest.map(c -> c.state().globalStep()).orElse(0L);
                try (MetricsTail tail = new MetricsTail(conf, run.file(Worker.METRICS_FILE), out);
                     LiveProgress progress = job.usesRing() && job.run().progressSeconds() > 0 ? new LiveProgress(
                             spark.sparkContext(), out, fromStep, job.run().progressSeconds()) : null) {
                    if (progress != null) {
                        int epochs = job.train().epochs();
                        tail.onStart(m -> progress.shape(m.get("stepsPerEpoch") instanceof Number n ? n.longValue()
                                : 0, epochs));
                    }
                    // what the Spark UI shows for this attempt's job(s)
                    String label = String.format("ringmaster train %s attempt %d/%d, gang of %d", run.id(), attempt,
                            job.retry().maxAttempts(), gang);
                    int fromEpoch = newest.map(c -> c.state().epoch() + 1).orElse(1);
                    long began = System.currentTimeMillis();
                    try {
                        results = launch(gang == job.workers() ? job : job.withWorkers(gang), spark, spec, ring, label,
                                fromEpoch, logs, attempt, tracedBefore);
                        attemptLog.add(attempt, began, gang, null);
                    } catch (RuntimeException e) {
                        attemptLog.add(attempt, began, gang, e instanceof GangFailure f
                                ? io.ringmaster.orchestrator.spark.GangTasks.of(spark.sparkContext()).explain(f)
                                : String.valueOf(e.getMessage()));
                        throw e;
                    } finally {
                        keepLogs(run, logs, earlierLogs, out);
                    }
                } catch (RuntimeException e) {
                    if (DriverShutdown.underway()) { // a signal stopped the driver: nothing to relaunch or report
                        throw new JobStoppedException("run " + run.id() + ": stopped by a signal to the driver during"
                                + " attempt " + attempt + "; its checkpoints are intact: `ringmaster resume "
                                + Storage.display(run.path()) + "` continues it");
                    }
                    if (cancel.requested()) { // its job group was cancelled: stopped, not broken
                        throw cancelled(run, cancel, attempt);
                    }
                    if (!(e instanceof GangFailure f)) {
                        throw e;
                    }
                    String cause = io.ringmaster.orchestrator.spark.GangTasks.of(spark.sparkContext())
                            .explain(f);
                    failed.add("attempt " + attempt + ": " + cause);
                    boolean permanent = f.thrownByRingmaster() && FailureKinds.PERMANENT.contains(
                            f.taskExceptionClass());
                    // a failure a relaunch may fix is told with the failed rank's last lines (bad input: one line)
                    String told = permanent ? cause : cause + rankTail(logs, attempt, cause);
                    if (attempt >= job.retry().maxAttempts() || permanent) {
                        if (attempt > 1) {
                            out.println("giving up after " + attempt + " attempts:");
                            failed.forEach(a -> out.println("  " + a));
                        }
                        throw told.equals(f.getMessage()) ? f : f.withMessage(told);
                    }
                    out.printf("attempt %d of %d failed: %s%n", attempt, job.retry().maxAttempts(), told);
                    if (job.usesRing()) {
                        // a frozen executor keeps its slot until Spark's heartbeat timeout: wait for the attempt's
                        // tasks to end, saying so, and after allreduce.timeout have Spark remove its executor
                        io.ringmaster.orchestrator.spark.GangTasks.of(spark.sparkContext())
                                .awaitAttemptEnded(spark.sparkContext(), GangTraining.jobGroup(run.id()),
                                        job.allreduce().timeout() * 1000L, out);
                    }
                    out.printf("relaunching the gang (retry.max-attempts %d)%n", job.retry().maxAttempts());
                    if (job.needsFreshExecutorsToRetry() && !SparkSessions.executorIsDriverJvm(spark.sparkContext())) {
                        // DL4J's parameter-server client is a per-JVM singleton that outlives the attempt
                        if (!ownSession) {
                            out.println("cannot relaunch strategy " + job.strategy().id() + " in executors that ran it"
                                    + " (their DL4J client keeps its state) inside a Spark session this job did not"
                                    + " start");
                            throw f;
                        }
                        out.println("restarting the Spark application, so the next attempt gets executor JVMs"
                                + " without the last attempt's DL4J parameter-server client");
                        SparkSessions.stop(spark);
                        spark = SparkSessions.create(job.sparkMaster(), "ringmaster-train-" + run.id(),
                                job.spark().conf());
                    }
                }
            }
        } finally {
            if (logs != null) {
                logs.close();
            }
            if (ownSession) {
                SparkSessions.stop(spark); // the next job may want another master or gang size
            }
        }
        return results;
    }

    private static JobStoppedException cancelled(RunDirectory run, Cancellation cancel, int attempt) {
        return new JobStoppedException("run " + run.id() + ": cancelled during attempt " + attempt + " ("
                + cancel.reason() + "); its checkpoints are intact");
    }

    /** Prints the best epoch and throughput and writes summary.json from the lead rank's result. */
    private static Outcome summarise(JobConfig job, PrintStream out, DatasetManifest manifest, RunDirectory run,
                                     List<WorkerResult> results, List<String> failed, List<String> gangChanges)
            throws IOException {
        run.checkOwned();
        WorkerResult lead = results.get(0);
        TrainingSummary s = lead.summary();
        out.printf("best  epoch %d  %s   most-popular: %s%n", s.bestEpoch(), s.best(), lead.baseline());
        out.printf("trained %d steps in %.1fs (%,.0f samples/s)%n", s.steps(), s.trainSeconds(),
                s.meanSamplesPerSecond());
        out.printf("run directory %s%n", Storage.display(run.path()));

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("runId", run.id());
        summary.put("dataset", job.dataUri());
        summary.put("datasetChecksum", manifest.checksum());
        summary.put("workers", job.workers());
        summary.put("workerProcesses", results.stream().map(WorkerResult::process).toList());
        if (job.usesRing()) {
            summary.put("workerHosts", results.stream().map(WorkerResult::host).toList());
        } else if (job.strategy() == Strategy.PARAMETER_SERVER) {
            summary.put("workerHosts", run.transportWorkers()); // where each executor's transport listened
        }
        summary.put("workerDevices", results.stream().map(WorkerResult::backend).toList());
        summary.put("attempts", failed.size() + 1);
        summary.put("gangChanges", gangChanges); // a relaunch that continued with fewer workers (workers-min)
        summary.put("failedAttempts", failed);
        summary.put("resumedFromStep", lead.resumedFromStep());
        summary.put("paramsSha256", lead.paramsSha256());
        summary.put("strategy", job.strategy().id());
        if (job.usesRing()) {
            summary.put("allreduce", job.ringOptions().compression().id());
        }
        summary.put("engine", lead.engine());
        summary.put("backend", lead.backend());
        summary.put("k", job.eval().k());
        summary.putAll(s.toMap());
        lead.baseline().putInto(summary, "baseline");
        run.write(RunDirectory.SUMMARY_FILE, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(summary));
        return new Outcome(run.id(), Storage.display(run.path()), s, lead.baseline());
    }

    /** Lines of a failed rank's log that go with its attempt's failure. */
    static final int TAIL_LINES = 50;
    private static final java.util.regex.Pattern FAILED_RANK = java.util.regex.Pattern.compile("^rank (\\d+) ");

    /**
     * The last lines of the rank {@code cause} names (its failure starts "rank r ..."), indented under a
     * heading; empty when no rank is named or it sent nothing.
     */
    private static String rankTail(RankLogServer logs, int attempt, String cause) {
        java.util.regex.Matcher m = FAILED_RANK.matcher(cause);
        if (logs == null || !m.find()) {
            return "";
        }
        int rank = Integer.parseInt(m.group(1));
        List<String> tail = logs.tail(attempt, rank, TAIL_LINES, 3_000);
        if (tail.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(String.format("%n  last %d line%s of rank %d's log (%s/rank-%d.log):",
                tail.size(), tail.size() == 1 ? "" : "s", rank, RankLogServer.DIR, rank));
        tail.forEach(l -> b.append(System.lineSeparator()).append("    ").append(l));
        return b.toString();
    }

    /**
     * Writes the ranks' logs so far into the run directory after what earlier jobs of the run left there
     * ({@code earlier}, read once per file); a failure to do so is said, not thrown.
     */
    private static void keepLogs(RunDirectory run, RankLogServer logs, Map<String, String> earlier, PrintStream out) {
        if (logs == null) {
            return;
        }
        try {
            for (Map.Entry<String, String> f : logs.files().entrySet()) {
                if (!earlier.containsKey(f.getKey())) {
                    earlier.put(f.getKey(), run.readIfExists(f.getKey()));
                }
                run.write(f.getKey(), earlier.get(f.getKey()) + f.getValue());
            }
        } catch (IOException | RuntimeException e) {
            out.println("warning: could not keep the ranks' logs in the run directory: " + e.getMessage());
        }
    }

    /**
     * One training attempt with the job's strategy: the ring's gang, or a DL4J training master. Failures
     * a relaunch may fix come back as {@link GangFailure}.
     */
    private static List<WorkerResult> launch(JobConfig job, SparkSession spark, WorkerSpec spec, RingOptions ring,
                                             String label, int fromEpoch, RankLogServer logs, int attempt,
                                             int tracedBefore) throws IOException {
        if (job.usesRing()) { // one barrier stage trains every epoch left
            return GangTraining.run(spark, spec, ring, RingAuth.newSecret(), job.workers(), String.format(
                    "%s, epochs %d-%d", label, fromEpoch, job.train().epochs()), logs, attempt,
                    tracedBefore < 0 ? 0 : tracedBefore + attempt);
        }
        GangTraining.requireSlots(spark.sparkContext(), job.workers());
        int[] ports = job.strategy() == Strategy.PARAMETER_SERVER ? job.portRange() : new int[] {0, 0};
        Dl4jSparkOptions options = new Dl4jSparkOptions(Dl4jSparkOptions.Kind.parse(job.strategy().id()), ports[0],
                ports[1],
                job.parameterServer().masterAddress(), job.parameterServer().threshold(),
                        job.parameterServer().connectTimeout(),
                job.parameterServer().trainersPerExecutor(),
                job.averaging().frequency(), job.stallTimeout());
        try {
            return Dl4jSparkTraining.run(spark, spec, options, job.workers(), label);
        } catch (TrainingStalledException | IncompleteEpochException e) {
            throw GangFailure.stoppedByDriver(e);
        } catch (SparkException e) {
            throw GangFailure.from(e);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

}
