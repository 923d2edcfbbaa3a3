package io.ringmaster.orchestrator.dl4jspark;

import java.lang.reflect.Field;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.deeplearning4j.spark.parameterserver.pw.SharedTrainingWrapper;
import org.nd4j.parameterserver.distributed.v2.ModelParameterServer;
import org.nd4j.parameterserver.distributed.v2.transport.Transport;
import org.nd4j.parameterserver.distributed.v2.transport.impl.AeronUdpTransport;
import org.nd4j.parameterserver.distributed.v2.transport.impl.BaseTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-JVM state of DL4J's parameter server that outlives a job, put right between attempts and jobs.
 * DL4J keeps one parameter server and one trainer wrapper per JVM (static singletons), and two of their
 * defects matter to a JVM that trains more than once (tests, benchmarks, retries, the Java API):
 * <ul>
 * <li>the trainer wrapper marks "a task of this JVM trains now" before it reads its settings, and
 * clears the mark only when training returns; a failure in between (an unusable port or address, an
 * interrupted start-up) leaves it set, and every later task of the JVM then waits forever for a trainer
 * that does not exist;</li>
 * <li>a shut-down Aeron transport keeps its subscription poller running ({@code while (true)} around a
 * poll that a closed subscription answers with nothing), about 15% of a core here, for the life of the
 * JVM;</li>
 * <li>the master's transport keeps its heartbeat task too (its pool is shut down, not interrupted): every
 * two minutes it pings the nodes of the finished job over closed publications and logs "Connection was
 * closed" for each, for the life of the JVM.</li>
 * </ul>
 * Both are private fields of DL4J 1.0.0-M2.x classes, reached by reflection; if a later DL4J renames
 * them, this says so in the log and does nothing.
 */
final class ParameterServerSingletons {

    private static final Logger LOG = LoggerFactory.getLogger(ParameterServerSingletons.class);

    private ParameterServerSingletons() {
    }

    /** Clears the trainer wrapper's "training now" mark, so the next task of this JVM may train. */
    static void releaseTrainer() {
        try {
            Field instance = SharedTrainingWrapper.class.getDeclaredField("INSTANCE");
            instance.setAccessible(true);
            Object wrapper = instance.get(null);
            Field first = SharedTrainingWrapper.class.getDeclaredField("isFirst");
            first.setAccessible(true);
            ((AtomicBoolean) first.get(wrapper)).set(false);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("cannot reset DL4J's SharedTrainingWrapper ({}); a later parameter-server task in this JVM may"
                    + " wait for a trainer that is gone", e.toString());
        }
    }

    /**
     * Shuts down this JVM's parameter server and ends the threads its transport leaves behind: the
     * heartbeat task is interrupted (its pool shut down now), and the subscription poller thread is given
     * a silent exception handler, then the subscription it polls is taken away, so its next poll throws
     * and the thread ends.
     */
    static void shutDown() {
        ModelParameterServer mps = ModelParameterServer.getInstance();
        Transport transport = null;
        try {
            Field t = ModelParameterServer.class.getDeclaredField("transport");
            t.setAccessible(true);
            transport = (Transport) t.get(mps);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("cannot reach DL4J's parameter-server transport ({}); its poller thread may keep running",
                    e.toString());
        }
        try {
            mps.shutdown();
        } catch (RuntimeException e) {
            LOG.warn("parameter server shutdown: {}", e.toString());
        }
        if (transport instanceof BaseTransport) {
            try {
                Field pool = BaseTransport.class.getDeclaredField("executorService");
                pool.setAccessible(true);
                ((ExecutorService) pool.get(transport)).shutdownNow();
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("cannot stop DL4J's parameter-server heartbeat ({}); it keeps pinging the finished job's"
                        + " nodes every two minutes", e.toString());
            }
        }
        if (transport instanceof AeronUdpTransport) {
            for (Thread th : leftoverThreads()) {
                th.setUncaughtExceptionHandler((thread, error) -> { });
            }
            try {
                Field s = AeronUdpTransport.class.getDeclaredField("ownSubscription");
                s.setAccessible(true);
                s.set(transport, null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("cannot stop DL4J's Aeron subscription poller ({}); it keeps polling", e.toString());
            }
        }
    }

    /**
     * Live threads running an Aeron transport's subscription poller ({@code AeronUdpTransport$2}) or a
     * transport's heartbeat ({@code BaseTransport$HeartbeatThread}).
     */
    static java.util.List<Thread> leftoverThreads() {
        java.util.List<Thread> out = new java.util.ArrayList<>();
        String poller = AeronUdpTransport.class.getName() + "$2";
        String heartbeat = BaseTransport.class.getName() + "$HeartbeatThread";
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            for (StackTraceElement f : stack) {
                if (f.getClassName().equals(poller) || f.getClassName().equals(heartbeat)) {
                    out.add(thread);
                    break;
                }
            }
        });
        return out;
    }
}
