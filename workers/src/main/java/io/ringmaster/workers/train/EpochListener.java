package io.ringmaster.workers.train;

/** Told about each finished epoch (metrics logging, progress). */
@FunctionalInterface
public interface EpochListener {

    EpochListener NONE = m -> {
    };

    void onEpoch(EpochMetrics metrics);
}
