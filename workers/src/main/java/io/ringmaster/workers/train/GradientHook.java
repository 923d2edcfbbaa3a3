package io.ringmaster.workers.train;

/**
 * Runs between computing a step's gradient and applying the update: the place where data-parallel
 * training averages the gradient across workers. It may rewrite {@code gradient} in place.
 */
@FunctionalInterface
public interface GradientHook {

    /** A single worker needs nothing done. */
    GradientHook NONE = gradient -> {
    };

    void onGradient(float[] gradient);
}
