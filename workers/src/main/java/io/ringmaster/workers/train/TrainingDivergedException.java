package io.ringmaster.workers.train;

/** The loss became NaN or infinite: training stops rather than carry on with a broken model. */
public class TrainingDivergedException extends RuntimeException {

    public TrainingDivergedException(String message) {
        super(message);
    }
}
