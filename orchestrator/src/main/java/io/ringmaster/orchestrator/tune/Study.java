package io.ringmaster.orchestrator.tune;

import io.ringmaster.data.Storage;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.job.JobConfigException;
import io.ringmaster.orchestrator.report.ReportPage;
import io.ringmaster.orchestrator.run.Cancellation;
import io.ringmaster.orchestrator.run.DriverShutdown;
import io.ringmaster.orchestrator.run.JobStoppedException;
import io.ringmaster.orchestrator.run.RunRecords;
import io.ringmaster.orchestrator.run.TrainJob;
import io.ringmaster.orchestrator.spark.GangTasks;
import io.ringmaster.orchestrator.spark.GangTraining;
import io.ringmaster.orchestrator.spark.SparkSessions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ringmaster tune}: runs a study's trials, each a normal training run (its own run directory,
 * checkpoints and metrics) whose gang is a barrier stage in its own Spark job group, up to
 * min(max-concurrent, free task slots / workers) at once in one Spark application, each from its own driver
 * thread. {@link Asha} picks what runs next; a promoted trial continues from its checkpoint. A failed
 * trial is recorded with its cause and the study goes on; at the study's timeout the running trials are
 * cancelled through their job groups (their tasks stop at their next step, freeing the slots) and
 * recorded as cancelled, which {@code tune --resume} continues.
 */
public final class Study {

    /** The outcome: the best trial and what the study spent; {@code figure} names the metric (HR@10). */
    public record Result(String dir, String bestTrial, Map<String, Object> bestParams, double best,
                         int bestEpochs, String bestRunDir, int epochsTrained, int epochsFull, double wallSeconds,
                         Map<String, Integer> statuses, boolean finished, String figure) {
    }

    /** A trial's rung ended: trained to its target, cancelled or failed. */
    private record Done(Trial trial, Throwable failure, double seconds) {
    }

    /** The Spark session a study runs in, and how many of its gangs it holds at once. */
    private record Cluster(SparkSession spark, boolean own, int concurrency) implements AutoCloseable {
        @Override
        public void close() {
            if (own) {
                SparkSessions.stop(spark);
            }
        }
    }

    /** After this many failures in one tune with no trial through a rung, no more start: they would fail alike. */
    static final int FAILURES_WITH_NO_SUCCESS = 3;
    private static final String HOPELESS = "every trial so far failed";
    /** How long a study with nothing running waits for the task slots its next gang needs. */
    private static final long SLOT_WAIT_MILLIS = 120_000;

    private final StudySpec spec;
    private final StudyDirectory dir;
    private final Configuration conf;
    private final PrintStream out;
    private final Asha asha;
    private final List<Trial> trials;
    private final Map<Trial, Cancellation> running = new LinkedHashMap<>();
    private final LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
    /** Why the study stops launching trials and cancels the running ones; null while it goes on. */
    private String stopping;
    /** Trials that failed in this tune (a resumed study's earlier failures may have been fixed since). */
    private int failedHere;

    private Study(StudySpec spec, StudyDirectory dir, Configuration conf, PrintStream out, List<Trial> trials) {
        this.spec = spec;
        this.dir = dir;
        this.conf = conf;
        this.out = out;
        this.asha = new Asha(spec.rungs(), spec.eta(), spec.trials());
        this.trials = trials;
    }

    /** Starts the study of {@code spec} in the new study directory {@code uri}. */
    public static Result start(StudySpec spec, String uri, Configuration conf, PrintStream out) throws IOException {
        checkData(spec);
        // what the cluster cannot run is refused before the study directory is written
        try (Cluster cluster = cluster(spec, Storage.path(uri).getName());
             StudyDirectory sd = StudyDirectory.create(conf, uri, spec)) {
            return new Study(spec, sd, conf, out, new ArrayList<>()).run(cluster);
        }
    }

    /**
     * Continues the study in {@code uri} whose driver stopped (killed, a signal, its timeout): trials stopped
     * mid-rung continue that rung from their newest checkpoint; finished rungs are not trained again.
     * {@code credentials} ({@code key=value}) give again what study.json keeps redacted.
     */
    public static Result resume(String uri, List<String> credentials, Configuration conf, PrintStream out)
            throws IOException {
        try (StudyDirectory sd = StudyDirectory.open(conf, uri)) {
            StudySpec spec = sd.spec(credentials);
            checkData(spec);
            List<Trial> trials = sd.trials();
            for (Trial t : trials) {
                if (t.status.equals(Trial.RUNNING)) { // its driver died with it in flight
                    t.status = Trial.CANCELLED;
                    t.error = "the study's driver stopped";
                } else if (t.status.equals(Trial.PRUNED)) {
                    t.status = Trial.PAUSED; // the scheduler may still promote it
                }
            }
            try (Cluster cluster = cluster(spec, sd.path().getName())) {
                long through = trials.stream().filter(t -> !t.rungs.isEmpty()).count();
                out.printf("resuming study %s: %d of %d trials started, %d through a rung, %d to continue mid-rung%n",
                        sd.display(), trials.size(), spec.trials(), through, trials.stream().filter(t ->
                                t.status.equals(Trial.CANCELLED)).count());
                return new Study(spec, sd, conf, out, trials).run(cluster);
            }
        }
    }

    /** The study's one dataset (unless {@code data} is searched) is there, before anything is written. */
    private static void checkData(StudySpec spec) throws IOException {
        if (spec.ranges().stream().noneMatch(r -> r.key().equals("data"))) {
            JobConfig base = spec.base();
            io.ringmaster.data.DatasetStore.manifest(Storage.configuration(base.hadoop()), base.dataUri());
        }
    }

    /**
     * The study's Spark session (created or joined) and how many gangs it holds at once: min(max-concurrent,
     * task slots / workers); a max-concurrent above that is refused, naming the key.
     */
    private static Cluster cluster(StudySpec spec, String name) throws IOException {
        JobConfig base = spec.base();
        boolean own = SparkSessions.noneInUse();
        Map<String, String> localCluster = SparkSessions.localClusterSetUp(base.sparkMaster(), base.spark().conf(),
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "ringmaster-local-cluster-home"));
        JobConfig sessionJob = localCluster.isEmpty() ? base : base.withSparkConf(localCluster);
        SparkSession spark = SparkSessions.create(sessionJob.sparkMaster(), "ringmaster-tune-" + name,
                sessionJob.spark().conf());
        try {
            SparkContext sc = spark.sparkContext();
            int workers = maxWorkers(spec, base);
            GangTraining.requireSlots(sc, workers); // a cluster master gets a while to register executors
            int slots = GangTraining.slots(sc);
            int gangs = slots / workers;
            if (spec.maxConcurrent() > gangs) {
                throw new JobConfigException("study: 'search.max-concurrent' (" + spec.maxConcurrent() + ") is above"
                        + " what Spark master " + sc.master() + " can gang-schedule: its " + slots + " task slot(s)"
                        + " hold " + gangs + " gang(s) of " + workers + " worker(s) at once; lower max-concurrent or"
                        + " give Spark more executor cores");
            }
            return new Cluster(spark, own, Math.min(spec.maxConcurrent() == 0 ? gangs : spec.maxConcurrent(),
                    spec.trials()));
        } catch (RuntimeException e) {
            if (own) {
                SparkSessions.stop(spark);
            }
            throw e;
        }
    }

    /** The largest gang a trial may have: the job's workers, or the most a search over {@code workers} draws. */
    private static int maxWorkers(StudySpec spec, JobConfig base) {
        int most = base.workers();
        for (StudySpec.Range r : spec.ranges()) {
            if (r.key().equals("workers")) {
                most = r.kind().equals("choice") ? r.choices().stream().mapToInt(c -> ((Number) c).intValue()).max()
                        .orElse(most) : (int) r.high();
            }
        }
        return most;
    }

    private Result run(Cluster cluster) throws IOException {
        long began = System.currentTimeMillis();
        JobConfig base = spec.base();
        boolean finished;
        try (DriverShutdown.Running marked = DriverShutdown.running()) {
            out.printf("study %s: %d trials over %s; scheduler %s (%s), maximising %s; up to %d at once, gangs of %d"
                    + " on Spark %s%n", dir.display(), spec.trials(), String.join(", ", spec.ranges().stream()
                            .map(StudySpec.Range::key).toList()), spec.scheduler(), spec.scheduler().equals("asha")
                            ? "rungs at " + spec.rungs().stream().map(String::valueOf).reduce((a, b) -> a + ", " + b)
                            .orElse("") + " epochs, eta " + spec.eta() : "every trial to " + spec.epochs()
                            + " epochs", spec.figure(), cluster.concurrency(), base.workers(), base.sparkMaster());
            finished = loop(cluster.spark().sparkContext(), cluster.concurrency(), began);
        }
        return outcome(began, finished);
    }

    /** Runs trials until the scheduler has nothing left; false when the study stopped before that. */
    private boolean loop(SparkContext sc, int concurrency, long began) throws IOException {
        long deadline = began + spec.timeoutSeconds() * 1000L;
        long slotsShortSince = 0;
        boolean ok = false;
        try {
            while (true) {
                dir.checkOwned();
                if (stopping == null && (DriverShutdown.underway() || sc.isStopped())) {
                    stopping = DriverShutdown.underway() ? "a signal to the driver" : "the Spark application stopped";
                }
                if (stopping == null && System.currentTimeMillis() >= deadline) {
                    stopping = "the study's timeout of " + spec.timeoutSeconds() + " s passed";
                    out.printf("%s: cancelling %d running trial(s)%n", stopping, running.size());
                }
                if (stopping != null) {
                    cancelRunning(sc);
                }
                boolean slotsShort = false;
                while (stopping == null && !hopeless() && running.size() < concurrency) {
                    Optional<Asha.Step> step = asha.next(trials);
                    if (step.isEmpty()) {
                        break;
                    }
                    JobConfig job = job(step.get());
                    if (freeSlots(sc) < job.workers()) {
                        slotsShort = true; // a gang that just ended may still hold its slots a moment
                        break;
                    }
                    launch(step.get(), job);
                }
                if (running.isEmpty()) {
                    if (!slotsShort) {
                        break;
                    }
                    long now = System.currentTimeMillis();
                    if (slotsShortSince == 0) {
                        slotsShortSince = now;
                    } else if (now - slotsShortSince > SLOT_WAIT_MILLIS) {
                        stopping = "Spark master " + sc.master() + " has offered too few free task slots for the next"
                                + " trial's gang for " + SLOT_WAIT_MILLIS / 1000 + " s";
                        break;
                    }
                } else {
                    slotsShortSince = 0;
                }
                Done d;
                try {
                    d = done.poll(running.isEmpty() ? 200 : 500, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                if (d != null) {
                    record(d);
                }
            }
            ok = true;
        } finally {
            if (!ok) { // an error of the study itself: stop its trials rather than leave them training unseen
                stopAfterError(sc);
            }
        }
        if (stopping == null && hopeless()) {
            stopping = HOPELESS;
        }
        boolean finished = stopping == null;
        if (finished) {
            trials.stream().filter(t -> t.status.equals(Trial.PAUSED)).forEach(t -> t.status = Trial.PRUNED);
        }
        save();
        long failed = trials.stream().filter(t -> t.status.equals(Trial.FAILED)).count();
        if (failed > 0 && (failed == trials.size() || HOPELESS.equals(stopping))) {
            Trial first = trials.stream().filter(t -> t.status.equals(Trial.FAILED)).findFirst().orElseThrow();
            throw new StudyFailedException("study " + dir.display() + ": " + (failed == trials.size()
                    ? "every trial failed" : failed + " trials failed before any finished a rung, so it stopped")
                    + "; the first: " + first.id + ": " + first.error);
        }
        if (!finished) {
            out.printf("study stopped (%s); `ringmaster tune --resume %s` continues it%n", DriverShutdown.underway()
                    ? "a signal to the driver" : stopping, dir.display());
        }
        return finished;
    }

    /** Asks each running trial to stop and cancels its job group (again on every pass, until its thread sees it). */
    private void cancelRunning(SparkContext sc) {
        for (Map.Entry<Trial, Cancellation> r : running.entrySet()) {
            if (!r.getValue().requested()) {
                r.getValue().request(stopping);
            }
            if (!sc.isStopped()) { // stopping the application ends every job anyway
                sc.cancelJobGroup(GangTraining.jobGroup(r.getKey().id));
            }
        }
    }

    /** After an error of the study's own: cancels the running trials, records them (for 30 s at most), saves. */
    private void stopAfterError(SparkContext sc) {
        if (stopping == null) {
            stopping = "the study failed";
        }
        long until = System.currentTimeMillis() + 30_000;
        try {
            while (!running.isEmpty() && System.currentTimeMillis() < until) {
                cancelRunning(sc);
                Done d = done.poll(500, TimeUnit.MILLISECONDS);
                if (d != null) {
                    record(d);
                }
            }
            save();
        } catch (IOException | RuntimeException | InterruptedException e) {
            out.println("warning: could not record the trials the study's failure stopped: " + e.getMessage());
        }
    }

    /**
     * The first few trials of this tune failed and none of the study's finished a rung: the cause is the job
     * or the cluster, not the settings searched, so no more start (those running may still finish a rung).
     */
    private boolean hopeless() {
        return failedHere >= Math.min(FAILURES_WITH_NO_SUCCESS, spec.trials())
                && trials.stream().allMatch(t -> t.rungs.isEmpty());
    }

    /** Task slots no trial of this study holds (a cancelled trial's tasks hold theirs until they end). */
    private int freeSlots(SparkContext sc) {
        if (sc.isStopped()) {
            return 0; // the loop sees it next and stops
        }
        int busy = 0;
        java.util.Set<String> stopped = new java.util.HashSet<>();
        for (Trial t : trials) {
            if (running.containsKey(t)) {
                busy += t.workers;
            } else {
                stopped.add(GangTraining.jobGroup(t.id));
            }
        }
        for (GangTasks.Running task : GangTasks.of(sc).running()) {
            if (stopped.contains(task.group())) {
                busy++;
            }
        }
        try {
            return GangTraining.slots(sc) - busy;
        } catch (IllegalStateException e) { // stopped since the check above (a signal)
            return 0;
        }
    }

    private String id(int index) {
        return String.format("t%0" + String.valueOf(spec.trials() - 1).length() + "d", index);
    }

    /** The job of a step: the trial's settings, its run under the study's trials/, trained to the step's epochs. */
    private JobConfig job(Asha.Step step) {
        Map<String, Object> params = step.index() < trials.size() ? trials.get(step.index()).params
                : spec.params(step.index());
        return spec.job(params, List.of(JobConfig.override("run.dir", dir.trialsDir()),
                JobConfig.override("run.id", id(step.index())), JobConfig.override("train.epochs", step.epochs()),
                JobConfig.override("run.progress-seconds", 0),
                // the run's best epoch, whose checkpoint is kept, is the best by the study's figure
                JobConfig.override("eval.select", spec.metric()),
                // a checkpoint at every epoch end: a promoted trial continues from its rung's, and the best
                // epoch's is there to export
                JobConfig.override("checkpoint.every-epochs", 1))).withoutRedactedValues();
    }

    private void launch(Asha.Step step, JobConfig job) throws IOException {
        Trial t;
        boolean fresh = step.index() >= trials.size();
        if (!fresh) {
            t = trials.get(step.index());
        } else {
            String id = id(step.index());
            t = new Trial(step.index(), id, spec.params(step.index()),
                    new org.apache.hadoop.fs.Path(dir.trialsDir(), id).toString());
            trials.add(t);
        }
        t.status = Trial.RUNNING;
        t.target = step.epochs();
        t.workers = job.workers();
        t.error = null;
        if (t.started == 0) {
            t.started = System.currentTimeMillis();
        }
        Cancellation cancel = new Cancellation();
        running.put(t, cancel);
        save();
        out.printf("%s %s to %d epoch%s (%s)%s%n", t.id, fresh ? "starts" : "continues from its checkpoints",
                step.epochs(), step.epochs() == 1 ? "" : "s", step.why(), fresh ? ": " + params(t.params) : "");
        Thread thread = new Thread(() -> {
            long t0 = System.nanoTime();
            Throwable failure = null;
            try {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                try (PrintStream log = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
                    try {
                        TrainJob.run(job, log, false, cancel);
                    } catch (Throwable e) {
                        failure = e;
                        log.println("error: " + e.getMessage());
                    }
                    try {
                        io.ringmaster.orchestrator.report.RunReport.write(conf, t.runDir);
                    } catch (IOException | RuntimeException e) {
                        log.println("no run report: " + e.getMessage()); // e.g. it failed before writing job.yaml
                    }
                }
                try {
                    dir.appendLog(t.id, buffer.toString(StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException e) {
                    out.printf("warning: could not keep %s's log: %s%n", t.id, e.getMessage());
                }
            } finally {
                done.add(new Done(t, failure, (System.nanoTime() - t0) / 1e9)); // the loop waits for it
            }
        }, "ringmaster-trial-" + t.id);
        thread.setDaemon(true);
        thread.start();
    }

    /** Records a rung that ended. */
    private void record(Done d) throws IOException {
        Trial t = d.trial();
        Cancellation cancel = running.remove(t);
        t.seconds += d.seconds();
        t.ended = System.currentTimeMillis();
        // a run the study stopped may fail in other ways than JobStoppedException (a job of a family's fit
        // cancelled, the application stopped under it): it stopped, it did not fail
        if (d.failure() instanceof JobStoppedException || d.failure() != null && (stopping != null
                || cancel != null && cancel.requested())) {
            t.status = Trial.CANCELLED;
            t.error = d.failure().getMessage();
            out.printf("%s cancelled at %s (%.1f s)%n", t.id, progress(t), d.seconds());
        } else if (d.failure() != null) {
            t.status = Trial.FAILED;
            t.error = String.valueOf(d.failure().getMessage()).lines().findFirst().orElse("");
            failedHere++;
            out.printf("%s failed: %s (%s/%s.log)%n", t.id, t.error, StudyDirectory.LOGS_DIR, t.id);
        } else {
            // trials select their best epoch by the study's metric (eval.select): the run's best epoch so far
            com.fasterxml.jackson.databind.JsonNode best = RunRecords.read(conf, t.runDir).bestEpoch();
            if (best == null) {
                t.status = Trial.FAILED;
                failedHere++;
                t.error = "its run recorded no " + spec.metric() + " by epoch " + t.target;
                out.printf("%s failed: %s%n", t.id, t.error);
            } else {
                t.rungs.put(t.target, best.get(spec.metric()).asDouble());
                t.bestEpoch = best.path("epoch").asInt();
                t.epochs = t.target;
                t.status = asha.afterRung(t.target);
                out.printf("%s  %d epochs  %s %.4f (epoch %d)  %s  (%.1f s)%n", t.id, t.epochs, spec.figure(),
                        t.last(), t.bestEpoch, t.status, d.seconds());
            }
        }
        save();
    }

    /** The epochs a cancelled trial had reached, from its run's records. */
    private String progress(Trial t) {
        try {
            List<com.fasterxml.jackson.databind.JsonNode> e = RunRecords.read(conf, t.runDir).epochs();
            return "epoch " + (e.isEmpty() ? 0 : e.get(e.size() - 1).path("epoch").asInt()) + " of " + t.target;
        } catch (IOException | RuntimeException e) {
            return "rung " + t.target;
        }
    }

    /** trials.jsonl, best.json and the report, after every change. */
    private void save() throws IOException {
        dir.writeTrials(trials);
        Optional<Trial> best = best();
        if (best.isPresent()) {
            dir.writeBest(best.get(), spec.metric());
        }
        try {
            dir.write(StudyDirectory.REPORT_FILE, StudyReport.page(spec, dir, trials, best.orElse(null), conf));
        } catch (IOException | RuntimeException e) {
            out.println("warning: could not write the study's report: " + e.getMessage());
        }
    }

    /**
     * Study {@code uri}'s best trial ({@code export STUDY --best}): its run directory and the global step of
     * the checkpoint taken at the end of its best epoch.
     */
    public static BestModel bestModel(Configuration conf, String uri) throws IOException {
        return StudyDirectory.bestModel(conf, uri);
    }

    /** Where the best trial's model is: its run directory and checkpoint step. */
    public record BestModel(String trial, String runDir, int epoch, long step) {
    }

    /** The trial whose best epoch has the best figure of the study. */
    Optional<Trial> best() {
        return trials.stream().filter(t -> !t.rungs.isEmpty() && !Double.isNaN(t.last()))
                .max(Comparator.comparingDouble(Trial::last));
    }

    private Result outcome(long began, boolean finished) {
        Map<String, Integer> statuses = new LinkedHashMap<>();
        trials.forEach(t -> statuses.merge(t.status, 1, Integer::sum));
        int trained = trials.stream().mapToInt(this::epochsTrained).sum();
        double wall = (System.currentTimeMillis() - began) / 1000.0;
        Optional<Trial> best = best();
        out.printf("study %s: %s in %s; %d epochs trained of %d for every trial to the end%n", dir.display(),
                statuses.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).reduce((a, b) -> a + ", " + b)
                        .orElse("no trials"), ReportPage.duration(wall), trained, spec.trials() * spec.epochs());
        best.ifPresent(b -> out.printf("best trial %s: %s %.4f (epoch %d of %d)  %s%n  run %s%n", b.id, spec.figure(),
                b.last(), b.bestEpoch, b.epochs, params(b.params), Storage.display(Storage.path(b.runDir))));
        out.printf("report %s/%s%n", dir.display(), StudyDirectory.REPORT_FILE);
        return new Result(dir.display(), best.map(b -> b.id).orElse(null), best.map(b -> b.params).orElse(Map.of()),
                best.map(Trial::last).orElse(Double.NaN), best.map(b -> b.epochs).orElse(0),
                best.map(b -> b.runDir).orElse(null), trained, spec.trials() * spec.epochs(), wall, statuses,
                finished, spec.figure());
    }

    /**
     * The epochs a trial's run trained, each counted once however it ended (those trained again after a
     * relaunch too): its epoch records in metrics.jsonl, superseded ones included.
     */
    private int epochsTrained(Trial t) {
        try {
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(Storage.path(t.runDir),
                    io.ringmaster.workers.Worker.METRICS_FILE);
            org.apache.hadoop.fs.FileSystem fs = Storage.fs(file, conf);
            if (!fs.exists(file)) {
                return 0;
            }
            return (int) new String(Storage.readBytes(fs, file), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("\"event\":\"epoch\"")).count();
        } catch (IOException e) {
            return t.epochs;
        }
    }

    static String params(Map<String, Object> p) {
        StringBuilder b = new StringBuilder();
        p.forEach((k, v) -> b.append(b.length() == 0 ? "" : "  ").append(k).append(' ').append(value(v)));
        return b.toString();
    }

    /** A setting as printed: a drawn real to 4 significant digits, without trailing zeros. */
    static String value(Object v) {
        return v instanceof Double d && Double.isFinite(d) ? new java.math.BigDecimal(String.format(Locale.ROOT,
                "%.4g", d)).stripTrailingZeros().toPlainString() : String.valueOf(v);
    }
}
