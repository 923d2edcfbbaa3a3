package io.ringmaster.orchestrator.run;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The driver JVM being stopped (SIGTERM, SIGINT, SIGHUP: its shutdown hooks run). A training job that
 * fails while this is under way was stopped, not broken: it is not relaunched, it says so in one line,
 * and the hook waits (briefly) for it to release its run, so checkpoints and the run lock are left in
 * order.
 */
public final class DriverShutdown {

    /** How long the hook gives running jobs to wind down before the JVM halts. */
    static final long GRACE_MILLIS = 15_000;

    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static volatile boolean underway;
    private static volatile CountDownLatch idle = new CountDownLatch(0);
    private static boolean installed;

    private DriverShutdown() {
    }

    /** True once the JVM has begun to shut down. */
    public static boolean underway() {
        return underway;
    }

    /** A running job's mark; closing it tells the hook the job has let go of its run. */
    public interface Running extends AutoCloseable {
        @Override
        void close();
    }

    /** Marks a job as running until the returned handle is closed; installs the hook on first use. */
    public static synchronized Running running() {
        if (!installed) {
            installed = true;
            Runtime.getRuntime().addShutdownHook(new Thread(DriverShutdown::onShutdown, "ringmaster-shutdown"));
        }
        if (RUNNING.getAndIncrement() == 0) {
            idle = new CountDownLatch(1);
        }
        return () -> {
            if (RUNNING.decrementAndGet() == 0) {
                idle.countDown();
            }
        };
    }

    private static void onShutdown() {
        underway = true;
        try {
            idle.await(GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
