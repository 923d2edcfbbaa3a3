package io.ringmaster.orchestrator.dl4jspark;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs one epoch of a DL4J training master in its own Spark job group and stops it when it makes no
 * progress ({@link TrainingProgress}) for the configured time: DL4J's {@code SharedTrainingMaster}
 * hangs now and then, and a job that hangs forever is worse than one that fails and can be resumed.
 */
final class Watchdog {

    /** How long a stalled epoch's work gets to end after its Spark jobs are cancelled. */
    private static final int CANCEL_WAIT_SECONDS = 30;

    private Watchdog() {
    }

    /** Runs {@code work} as job group {@code group} shown as {@code uiDescription}; errors name {@code description}. */
    static <T> T run(JavaSparkContext jsc, String group, String uiDescription, String description,
                     TrainingProgress progress, int stallSeconds, Callable<T> work) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ringmaster-" + group);
            t.setDaemon(true);
            return t;
        });
        progress.startEpoch();
        Future<T> f = pool.submit(() -> {
            jsc.setJobGroup(group, uiDescription, true);
            try {
                return work.call();
            } finally {
                jsc.clearJobGroup();
            }
        });
        pool.shutdown();
        long limit = TimeUnit.SECONDS.toNanos(stallSeconds);
        while (true) {
            try {
                return f.get(1, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception ex) {
                    throw ex;
                }
                throw e;
            } catch (TimeoutException e) {
                long idle = System.nanoTime() - progress.lastProgressNanos();
                if (idle > limit) {
                    jsc.cancelJobGroup(group);
                    try {
                        f.get(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS); // let the cancelled jobs end their tasks
                    } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException ended) {
                        // cancelled (as asked) or still stuck inside DL4J: interrupt it below
                    }
                    f.cancel(true);
                    throw new TrainingStalledException(description + " made no progress for " + stallSeconds + " s ("
                            + progress.iterationsSeen() + " iterations reported before that); its Spark jobs were"
                            + " cancelled");
                }
            }
        }
    }
}
