package io.ringmaster.orchestrator.spark;

import io.ringmaster.workers.WorkerResult;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.ring.RingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Launches one training gang as a Spark barrier stage: {@code workers} tasks scheduled together,
 * one per partition, each running {@link GangTask}; returns their results by rank. It first checks
 * that the cluster has a task slot for every worker (Spark itself would retry for minutes before
 * giving up). A failed task fails the whole stage, reported as a {@link GangFailure}; Spark does not
 * retry a failed barrier result stage.
 */
public final class GangTraining {

    /** The run directory's folder for the ranks' timelines. */
    public static final String TIMELINE_DIR = "timeline";

    /** How long a cluster master may take to register enough executors. */
    private static final long SLOT_WAIT_MILLIS = 60_000;

    private GangTraining() {
    }

    /**
     * Trains the gang as one barrier stage; {@code description} is what the Spark UI shows for its job (the
     * run, attempt, epochs and gang size); the ranks send their logs to {@code logs} (null: nowhere) as
     * attempt {@code attempt}, and unless {@code tracedAttempt} is 0 write their spans into the run
     * directory as that attempt of the run ({@code timeline/attempt-<a>-rank-<r>.json}).
     */
    public static List<WorkerResult> run(SparkSession spark, WorkerSpec spec, RingOptions ring, byte[] secret,
                                         int workers, String description, RankLogServer logs, int attempt,
                                         int tracedAttempt) {
        SparkContext sc = spark.sparkContext();
        GangTasks.of(sc); // watches the tasks from the first launch on
        requireSlots(sc, workers);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        List<Integer> ranks = IntStream.range(0, workers).boxed().toList();
        RDD<Integer> seeds = jsc.parallelize(ranks, workers).rdd();
        ClassTag<WorkerResult> tag = ClassTag$.MODULE$.apply(WorkerResult.class);
        // named: the Spark UI (and its REST API) shows the gang's steps and samples as they are trained
        org.apache.spark.util.LongAccumulator steps = sc.longAccumulator("ringmaster.steps");
        org.apache.spark.util.LongAccumulator samples = sc.longAccumulator("ringmaster.samples");
        org.apache.spark.util.DoubleAccumulator loss = sc.doubleAccumulator("ringmaster.lossSum");
        RDD<WorkerResult> results = seeds.barrier().mapPartitions(new GangTask(spec, ring, secret, steps, samples, loss,
                logs == null ? null : logs.endpoint(attempt), tracedAttempt), false, tag);
        jsc.setJobGroup(jobGroup(spec.runId()), description, true); // true: cancelling it interrupts the ranks
        List<WorkerResult> out;
        try {
            out = new ArrayList<>(results.toJavaRDD().collect());
        } catch (Exception e) {
            if (e instanceof SparkException se) {
                throw GangFailure.from(se);
            }
            throw e;
        }
        out.sort((a, b) -> Integer.compare(a.rank(), b.rank()));
        return out;
    }

    /** The Spark job group of run {@code runId}'s gangs: the Spark UI groups them by it, a study cancels by it. */
    public static String jobGroup(String runId) {
        return "ringmaster-" + runId;
    }

    /** Concurrent task slots the cluster offers now. */
    public static int slots(SparkContext sc) {
        return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
    }

    /**
     * Before a relaunch: the gang size to relaunch with. Waits up to {@code waitMillis} for {@code workers}
     * task slots (a replacement executor or worker registering), saying so every 10 s; if fewer came back by
     * then, the slots there are when that is at least {@code min}; else fails naming both numbers.
     */
    public static int awaitGang(SparkContext sc, int workers, int min, long waitMillis, java.io.PrintStream out) {
        long start = System.currentTimeMillis();
        long[] nextReport = {start};
        int slots = pollSlots(sc, workers, waitMillis, (now, left) -> {
            if (System.currentTimeMillis() >= nextReport[0]) {
                out.printf("waiting up to %d s for %d task slots to relaunch the gang: %d now (retry.wait-for-slots)%n",
                        Math.max(0, left / 1000), workers, now);
                nextReport[0] = System.currentTimeMillis() + 10_000;
            }
        });
        if (slots >= workers) {
            return workers;
        }
        if (slots >= min && slots > 0) {
            return slots;
        }
        throw new IllegalArgumentException("cannot relaunch the gang: Spark master " + sc.master() + " offers " + slots
                + " task slot(s) " + (System.currentTimeMillis() - start) / 1000 + " s after the attempt failed, the"
                + " gang needs " + workers + (min < workers ? " (at least " + min + ", workers-min)" : "")
                + " (retry.wait-for-slots " + waitMillis / 1000 + " s)");
    }

    /** Told at each poll of {@link #pollSlots} how many slots there are and how many milliseconds are left. */
    private interface SlotPoll {
        void poll(int slots, long millisLeft);
    }

    /**
     * Polls the cluster's task slots until it offers {@code workers}, {@code waitMillis} have passed or the
     * application has ended, telling {@code waiting} before each wait; returns the last count.
     */
    private static int pollSlots(SparkContext sc, int workers, long waitMillis, SlotPoll waiting) {
        long deadline = System.currentTimeMillis() + waitMillis;
        int slots = slots(sc);
        while (slots < workers && System.currentTimeMillis() < deadline && !sc.isStopped()) {
            waiting.poll(slots, deadline - System.currentTimeMillis());
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            slots = slots(sc);
        }
        return slots;
    }

    /**
     * Fails fast, naming both numbers, when the gang cannot be scheduled at once. Local masters have
     * all their slots from the start; a cluster master gets a short wait for executors to register.
     */
    public static void requireSlots(SparkContext sc, int workers) {
        boolean local = SparkSessions.executorIsDriverJvm(sc);
        int slots = pollSlots(sc, workers, local ? 0 : SLOT_WAIT_MILLIS, (now, left) -> { });
        if (slots < workers && sc.isStopped()) {
            throw new IllegalArgumentException("Spark master " + sc.master() + " ended the application while"
                    + " Ringmaster waited for " + workers + " task slots (it had " + slots + "): the master dropped"
                    + " it, usually because its executors could not start; see the master's and workers' logs");
        }
        if (slots < workers) {
            throw new IllegalArgumentException("a gang of " + workers + " workers needs " + workers
                    + " task slots at once (barrier stage), but Spark master " + sc.master() + " offers " + slots
                    + (local ? "" : " after waiting " + SLOT_WAIT_MILLIS / 1000 + " s for executors")
                    + ": lower 'workers' or give Spark more executor cores");
        }
    }
}
