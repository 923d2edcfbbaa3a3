package io.ringmaster.workers;

import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.train.TrainingSummary;
import java.io.Serializable;

/**
 * What one gang task hands back to the driver. {@code baseline} (the most-popular ranking's figures) is
 * null on ranks that do not evaluate; {@code process} is the worker's {@code pid@host}.
 */
public record WorkerResult(int rank, TrainingSummary summary, Metrics baseline, String engine, String backend,
                           String process, String paramsSha256, long resumedFromStep) implements Serializable {

    /** This JVM as {@code pid@host}. */
    public static String currentProcess() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown-host";
        }
        return ProcessHandle.current().pid() + "@" + host;
    }
}
