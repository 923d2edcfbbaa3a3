package io.ringmaster.orchestrator.dl4jspark;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.spark.parameterserver.conf.SharedTrainingConfiguration;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingWorker;

/**
 * DL4J's parameter-server worker, which reads its transport settings through
 * {@link #getBroadcastConfiguration()} as its task starts: on an executor that is where the executor
 * binds the transport to its own address and sets Aeron's properties ({@link ExecutorBinding}).
 */
final class ExecutorBoundWorker extends SharedTrainingWorker {

    private static final long serialVersionUID = 1L;

    ExecutorBoundWorker(SharedTrainingWorker w) {
        super(w.getInstanceId(), w.getBroadcastModel(), w.getBroadcastConfiguration(), w.getListeners(),
                w.getRouter(), w.getWorkerTogglePeriodicGC(), w.getWorkerPeriodicGCFrequency());
    }

    @Override
    public Broadcast<SharedTrainingConfiguration> getBroadcastConfiguration() {
        Broadcast<SharedTrainingConfiguration> b = super.getBroadcastConfiguration();
        if (TaskContext.get() != null) {
            ExecutorBinding.bind(b.getValue().getVoidConfiguration());
        }
        return b;
    }
}
