package io.ringmaster.orchestrator.dl4jspark;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.spark.parameterserver.conf.SharedTrainingConfiguration;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingWorker;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/**
 * DL4J's parameter-server worker, which reads its transport settings through
 * {@link #getBroadcastConfiguration()} as its task starts: on an executor that is where the executor
 * binds the transport to its own address and sets Aeron's properties ({@link ExecutorBinding}), and
 * reports the address and port it will use to the driver.
 */
final class ExecutorBoundWorker extends SharedTrainingWorker {

    private static final long serialVersionUID = 1L;

    private final CollectionAccumulator<String> endpoints;
    /** Reported by this task already (each task deserializes its own worker). */
    private transient boolean reported;

    ExecutorBoundWorker(SharedTrainingWorker w, CollectionAccumulator<String> endpoints) {
        super(w.getInstanceId(), w.getBroadcastModel(), w.getBroadcastConfiguration(), w.getListeners(),
                w.getRouter(), w.getWorkerTogglePeriodicGC(), w.getWorkerPeriodicGCFrequency());
        this.endpoints = endpoints;
    }

    @Override
    public Broadcast<SharedTrainingConfiguration> getBroadcastConfiguration() {
        Broadcast<SharedTrainingConfiguration> b = super.getBroadcastConfiguration();
        if (TaskContext.get() != null && !reported) {
            // DL4J calls this after marking this JVM's trainer busy: a failure here must clear the mark, or
            // every later task of this JVM waits for a trainer that never comes
            try {
                VoidConfiguration v = b.getValue().getVoidConfiguration();
                String ip = ExecutorBinding.bind(v);
                int port = v.getPortSupplier().getPort(); // fails here, naming the range, when all are taken
                SparkEnv env = SparkEnv.get();
                endpoints.add(ip + ":" + port + " (executor " + (env == null ? "?" : env.executorId()) + ")");
                reported = true;
            } catch (RuntimeException e) {
                ParameterServerSingletons.releaseTrainer();
                throw e;
            }
        }
        return b;
    }
}
