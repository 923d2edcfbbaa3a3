package io.ringmaster.workers.train;

/**
 * Told about each finished training step on this rank (live progress: the orchestrator feeds Spark
 * accumulators, which travel to the driver with the executors' heartbeats). Called on the training thread:
 * it must be cheap.
 */
@FunctionalInterface
public interface StepListener {

    StepListener NONE = (step, examples, loss) -> {
    };

    /**
     * Global step {@code step} finished; this rank trained {@code examples} examples in it at mean loss
     * {@code loss} (0 when it had none).
     */
    void onStep(long step, int examples, double loss);
}
