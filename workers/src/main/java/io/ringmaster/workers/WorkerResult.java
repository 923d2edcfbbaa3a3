package io.ringmaster.workers;

import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.train.TrainingSummary;
import java.io.Serializable;

/**
 * What one gang task hands back to the driver. {@code baseline} (the most-popular ranking's figures) is
 * null on ranks that do not evaluate; {@code process} is the worker's {@code pid@hostname}, and
 * {@code host} the address its ring listened on (null where no ring formed, e.g. DL4J's strategies):
 * hosts that share a hostname (containers, network namespaces) still differ there.
 */
public record WorkerResult(int rank, TrainingSummary summary, Metrics baseline, String engine, String backend,
                           String process, String paramsSha256, long resumedFromStep, String host)
        implements Serializable {

    /** The same result from a worker whose ring listened on {@code address}. */
    public WorkerResult withHost(String address) {
        return new WorkerResult(rank, summary, baseline, engine, backend, process, paramsSha256, resumedFromStep,
                address);
    }

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
