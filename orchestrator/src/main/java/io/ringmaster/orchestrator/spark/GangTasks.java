package io.ringmaster.orchestrator.spark;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * Which gang tasks Spark still counts as running, on which executor and host (rank = partition), and
 * where each executor ran: what the driver needs to say who a lost executor was, and to wait for, or
 * remove, an executor whose task did not end after its attempt failed (a frozen JVM keeps its slot
 * until Spark's heartbeat timeout, 120 s by default, and the next attempt cannot be scheduled).
 */
public final class GangTasks extends SparkListener {

    /** A running task: its rank (partition), executor, host, and its job's group (null: none). */
    public record Running(int rank, String executor, String host, String group) {
    }

    private static final Map<SparkContext, GangTasks> BY_CONTEXT = new WeakHashMap<>();

    private final Map<Long, Running> running = new ConcurrentHashMap<>();
    private final Map<String, String> hosts = new ConcurrentHashMap<>();
    /** Each stage's job group: several gangs (a study's trials) share one application. */
    private final Map<Integer, String> groups = new ConcurrentHashMap<>();

    GangTasks() {
    }

    /** The tracker of {@code sc}, registered on first use (before the first gang is launched). */
    public static synchronized GangTasks of(SparkContext sc) {
        return BY_CONTEXT.computeIfAbsent(sc, c -> {
            GangTasks t = new GangTasks();
            c.addSparkListener(t);
            return t;
        });
    }

    @Override
    public void onJobStart(SparkListenerJobStart e) {
        String group = e.properties() == null ? null : e.properties().getProperty("spark.jobGroup.id");
        if (group != null) {
            scala.collection.Iterator<Object> stages = e.stageIds().iterator();
            while (stages.hasNext()) {
                groups.put((Integer) stages.next(), group);
            }
        }
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted e) {
        groups.remove(e.stageInfo().stageId()); // its tasks carry their group in their Running record
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
        running.put(e.taskInfo().taskId(), new Running(e.taskInfo().index(), e.taskInfo().executorId(),
                e.taskInfo().host(), groups.get(e.stageId())));
        hosts.put(e.taskInfo().executorId(), e.taskInfo().host());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        running.remove(e.taskInfo().taskId());
    }

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded e) {
        hosts.put(e.executorId(), e.executorInfo().executorHost());
    }

    /** Tasks Spark still counts as running. */
    public List<Running> running() {
        return new ArrayList<>(running.values());
    }

    /** Tasks of job group {@code group} that Spark still counts as running. */
    public List<Running> running(String group) {
        return running.values().stream().filter(r -> group.equals(r.group())).toList();
    }

    /** The host an executor ran on, or "?" if it never registered here. */
    public String host(String executor) {
        return hosts.getOrDefault(executor, "?");
    }

    /**
     * Before a relaunch: waits until the failed attempt's tasks (those of job group {@code group}; other gangs
     * may share the application) have ended, saying what it waits for
     * every 10 s. Tasks still running {@code boundMillis} after the failure get their executors removed
     * (Spark kills the JVM; a cluster manager starts another), and the wait goes on for as long again.
     * Returns true when no task of the attempt is left.
     */
    public boolean awaitAttemptEnded(SparkContext sc, String group, long boundMillis, PrintStream out) {
        long start = System.currentTimeMillis();
        long nextReport = start + 2_000;
        boolean removed = false;
        while (true) {
            List<Running> left = running(group);
            if (left.isEmpty()) {
                return true;
            }
            long now = System.currentTimeMillis();
            if (!removed && now - start >= boundMillis) {
                removed = true;
                int executors = sc.getExecutorIds().size();
                for (Running r : left) {
                    boolean asked = !SparkSessions.executorIsDriverJvm(sc) && sc.killExecutor(r.executor());
                    if (asked) { // killing lowered the application's executor target: keep it where it was
                        scala.collection.immutable.Map<String, Object> none = scala.collection.immutable.Map$.MODULE$
                                .empty();
                        sc.requestTotalExecutors(executors, 0, none);
                    }
                    out.printf("rank %d's task on executor %s (%s) did not end %d s after the attempt failed: %s%n",
                            r.rank(), r.executor(), r.host(), boundMillis / 1000, asked
                                    ? "asked Spark to remove that executor (its JVM is killed; the cluster starts"
                                    + " another)"
                                    : "Spark cannot remove the driver's own executor; waiting for it");
                }
            } else if (now - start >= 2 * boundMillis + 60_000) {
                out.printf("giving up waiting for %d task(s) of the failed attempt; relaunching anyway%n", left.size());
                return false;
            }
            if (now >= nextReport) {
                StringBuilder who = new StringBuilder();
                for (Running r : left) {
                    who.append(who.length() == 0 ? "" : ", ").append("rank ").append(r.rank()).append(" on executor ")
                            .append(r.executor()).append(" (").append(r.host()).append(')');
                }
                out.printf("waiting for the failed attempt's task(s) to end before relaunching: %s (frozen or slow to"
                        + " stop?)%s%n", who, removed ? "" : "; after " + boundMillis / 1000
                        + " s Ringmaster asks Spark to remove the executor");
                nextReport = now + 10_000;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static final java.util.regex.Pattern TASK = java.util.regex.Pattern.compile("ResultTask\\(\\d+, (\\d+)\\)");
    private static final java.util.regex.Pattern LOST = java.util.regex.Pattern.compile(
            "ExecutorLostFailure \\(executor (\\S+) exited[^)]*\\)(?:\\s*Reason: ([^\\n]*))?");

    /**
     * Spark's message for a gang whose executor was lost ({@code barrier task ResultTask(0, 1) finished
     * unsuccessfully ... ExecutorLostFailure (executor 1 exited ...) Reason: ...}) as one that names the
     * rank, executor and host; any other message as it is.
     */
    public String explain(GangFailure f) {
        String message = f.getMessage();
        String spark = f.getCause() == null || f.getCause().getMessage() == null ? message : f.getCause().getMessage();
        java.util.regex.Matcher lost = LOST.matcher(spark);
        if (!lost.find()) {
            return message;
        }
        java.util.regex.Matcher task = TASK.matcher(spark);
        String rank = task.find() ? "rank " + task.group(1) : "a rank";
        String why = lost.group(2) == null ? "" : ": " + lost.group(2).strip();
        return rank + " on " + host(lost.group(1)) + " (executor " + lost.group(1) + ") was lost: its JVM exited" + why;
    }
}
