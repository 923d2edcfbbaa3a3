package io.ringmaster.orchestrator.spark;

import io.ringmaster.workers.Worker;
import io.ringmaster.workers.WorkerResult;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.ring.RingAllReducer;
import io.ringmaster.workers.ring.RingException;
import io.ringmaster.workers.ring.RingIntegrityException;
import io.ringmaster.workers.ring.RingListener;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.ring.SharedMemoryCollective;
import io.ringmaster.workers.train.StepListener;
import io.ringmaster.workers.train.Timeline;
import io.ringmaster.workers.train.Collective;
import java.io.Serializable;
import org.apache.spark.util.LongAccumulator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one task of the barrier stage: listen on the executor's address, rendezvous with the
 * gang, form the authenticated ring (and over it shared memory, where the ranks share a host and
 * {@code allreduce.transport} allows) and run the worker. The partition's input (its rank number) is
 * ignored; the rank is the barrier context's partition id. A failure leaves as a
 * {@link GangTaskException} naming rank and host.
 */
final class GangTask extends AbstractFunction1<Iterator<Integer>, Iterator<WorkerResult>> implements Serializable {

    private static final long serialVersionUID = 3L;
    /** How long a failed rank keeps its ring sockets open, so Spark records its error before the others'. */
    private static final long CLOSE_DELAY_MILLIS = 2_000;

    private final WorkerSpec spec;
    private final RingOptions ring;
    private final byte[] secret;
    private final LongAccumulator steps;
    private final LongAccumulator samples;
    private final org.apache.spark.util.DoubleAccumulator lossSum;
    private final RankLogStream.Endpoint logs;
    private final int tracedAttempt;

    /**
     * {@code steps} counts the gang's steps (rank 0 adds them), {@code samples} every rank's examples and
     * {@code lossSum} their summed loss;
     * {@code logs} is where the driver hears the rank's log (null: nowhere); unless {@code tracedAttempt} is
     * 0 the rank writes its spans to {@code timeline/attempt-<tracedAttempt>-rank-<r>.json} in the run
     * directory.
     */
    GangTask(WorkerSpec spec, RingOptions ring, byte[] secret, LongAccumulator steps, LongAccumulator samples,
             org.apache.spark.util.DoubleAccumulator lossSum, RankLogStream.Endpoint logs, int tracedAttempt) {
        this.lossSum = lossSum;
        this.spec = spec;
        this.logs = logs;
        this.tracedAttempt = tracedAttempt;
        this.ring = ring;
        this.secret = secret.clone();
        this.steps = steps;
        this.samples = samples;
    }

    @Override
    public Iterator<WorkerResult> apply(Iterator<Integer> partition) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        String host = BarrierRendezvous.host(ctx);
        RingAllReducer formed = null;
        Collective gang = null;
        RankLogStream log = logs == null ? null : RankLogStream.open(logs, rank, host);
        Timeline spans = tracedAttempt > 0 ? Timeline.recording() : Timeline.OFF;
        try {
            try (RingListener listener = RingListener.open(host)) {
                formed = RingAllReducer.connect(BarrierRendezvous.exchange(ctx, listener, secret), listener, secret,
                        ring);
            }
            gang = SharedMemoryCollective.over(formed);
            scala.Option<org.apache.spark.resource.ResourceInformation> gpu = ctx.resources().get("gpu");
            String address = gpu.isDefined() && gpu.get().addresses().length > 0 ? gpu.get().addresses()[0] : null;
            StepListener counted = (step, examples, loss) -> {
                ctx.killTaskIfInterrupted(); // a cancelled job group (a stopped study trial) frees its slots now
                if (rank == 0) {
                    steps.add(1);
                }
                samples.add(examples);
                lossSum.add(loss * examples);
            };
            WorkerResult r = Worker.run(spec, gang, address, counted, spans).withHost(host);
            gang.close();
            return JavaConverters.asScalaIterator(List.of(r).iterator());
        } catch (Throwable t) {
            if (log != null && !(t instanceof org.apache.spark.TaskKilledException)) {
                log.failed(t);
            }
            if (gang == null && formed != null) {
                formed.close();
            } else if (gang != null) {
                if (t instanceof RingException && !(t instanceof RingIntegrityException)) {
                    gang.close(); // a consequence of another rank's failure: nothing to hold back
                } else {
                    closeLater(gang);
                }
            }
            if (t instanceof org.apache.spark.TaskKilledException killed) {
                throw killed; // Spark counts it killed, not failed
            }
            // an UncheckedIOException (a metrics write) carries the I/O error that explains the failure
            throw new GangTaskException(rank, host, t instanceof java.io.UncheckedIOException u && u.getCause() != null
                    ? u.getCause() : t);
        } finally {
            if (spans.on()) {
                writeTimeline(spans, rank, host);
            }
            if (log != null) {
                log.close();
            }
        }
    }

    /** Writes the spans of a finished or failed attempt; a failure to write is logged, not thrown. */
    private void writeTimeline(Timeline spans, int rank, String host) {
        try {
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(io.ringmaster.data.Storage.path(
                    spec.runDirUri()), GangTraining.TIMELINE_DIR + "/attempt-" + tracedAttempt + "-rank-" + rank
                    + ".json");
            org.apache.hadoop.conf.Configuration conf = io.ringmaster.data.Storage.configuration(spec.hadoop());
            io.ringmaster.data.Storage.writeBytes(io.ringmaster.data.Storage.fs(file, conf), file, spans.toJson(
                    tracedAttempt, "attempt " + tracedAttempt, rank, "rank " + rank + " (" + host + ")").getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(GangTask.class).warn("rank {}: could not write its timeline: {}", rank,
                    e.toString());
        }
    }

    /**
     * Closing at once would make the neighbours fail within milliseconds, and Spark could then report
     * their "peer closed the connection" instead of this rank's error as the cause.
     */
    private static void closeLater(Collective gang) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(CLOSE_DELAY_MILLIS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            gang.close();
        }, "ringmaster-ring-close");
        t.setDaemon(true);
        t.start();
    }
}
