package io.ringmaster.orchestrator.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** Recovering the worker's failure from the text Spark reports for a failed barrier stage. */
class GangFailureTest {

    static String sparkText(String cause) {
        return "Job aborted due to stage failure: Could not recover from a failed barrier ResultStage. Most recent"
                + " failure reason: Stage failed because barrier task ResultTask(0, 1) finished unsuccessfully.\n"
                + "io.ringmaster.orchestrator.spark.GangTaskException: rank 1 on host-7: disk full\n"
                + "\tat io.ringmaster.orchestrator.spark.GangTask.apply(GangTask.java:63)\n"
                + "\tat org.apache.spark.rdd.RDDBarrier.$anonfun$mapPartitions$2(RDDBarrier.scala:51)\n"
                + cause
                + "Caused by: java.lang.IllegalArgumentException: deeper\n"
                + "\tat io.ringmaster.workers.Worker.run(Worker.java:10)\n"
                + "\nDriver stacktrace:\n\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages";
    }

    @Test
    void takesRankHostAndMessageFromTheTaskAndClassFromItsDirectCause() {
        GangFailure g = GangFailure.from(new SparkException(sparkText(
                "Caused by: java.lang.Exception: disk full\n\tat org.apache.hadoop.fs.Foo.write(Foo.java:1)\n")));
        assertEquals("rank 1 on host-7: disk full", g.getMessage());
        assertEquals("java.lang.Exception", g.taskExceptionClass());
        assertFalse(g.thrownByRingmaster());
        assertTrue(g.workerTrace().startsWith("io.ringmaster.orchestrator.spark.GangTaskException"));
        assertFalse(g.workerTrace().contains("Driver stacktrace"));
    }

    @Test
    void recognisesRingmastersOwnErrors() {
        GangFailure g = GangFailure.from(new SparkException(sparkText(
                "Caused by: io.ringmaster.workers.train.FaultInjection$InjectedFault: disk full\n"
                        + "\tat io.ringmaster.workers.train.FaultInjection.check(FaultInjection.java:19)\n")));
        assertEquals("io.ringmaster.workers.train.FaultInjection$InjectedFault", g.taskExceptionClass());
        assertTrue(g.thrownByRingmaster());
    }

    @Test
    void withoutAnExceptionLineKeepsSparksFirstLine() {
        GangFailure g = GangFailure.from(new SparkException("Job 3 cancelled because SparkContext was shut down"));
        assertEquals("training gang failed: Job 3 cancelled because SparkContext was shut down", g.getMessage());
        assertEquals(null, g.taskExceptionClass());
    }

    @Test
    void aLostExecutorIsExplainedWithRankExecutorAndHost() {
        // found by hand: kill -9 of an executor was recorded as Spark's generic "barrier task ResultTask(0, 1)
        // finished unsuccessfully", with no rank or host
        GangFailure g = GangFailure.from(new SparkException("Job aborted due to stage failure: Could not recover from a"
                + " failed barrier ResultStage. Most recent failure reason: Stage failed because barrier task"
                + " ResultTask(0, 1) finished unsuccessfully.\nExecutorLostFailure (executor 1 exited caused by one of"
                + " the running tasks) Reason: Command exited with code 137\nDriver stacktrace:\n\tat x.y(Z.scala:1)"));
        GangTasks tasks = new GangTasks();
        tasks.onExecutorAdded(new org.apache.spark.scheduler.SparkListenerExecutorAdded(0L, "1",
                new org.apache.spark.scheduler.cluster.ExecutorInfo("10.0.0.7", 1,
                        scala.collection.immutable.Map$.MODULE$.<String, String>empty())));
        assertEquals("rank 1 on 10.0.0.7 (executor 1) was lost: its JVM exited: Command exited with code 137",
                tasks.explain(g));
        GangFailure other = GangFailure.from(new SparkException("Job 3 cancelled because SparkContext was shut down"));
        assertEquals(other.getMessage(), tasks.explain(other));
    }
}
