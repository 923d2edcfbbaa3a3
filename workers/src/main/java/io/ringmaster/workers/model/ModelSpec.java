package io.ringmaster.workers.model;

import io.ringmaster.workers.train.TrainingEngine;
import io.ringmaster.workers.train.TrainingSettings;
import java.io.IOException;
import java.io.Serializable;

/**
 * A model family with its settings, as a job chose it ({@code model.type}), before it meets the data:
 * what the generic layers (worker, trainer, checkpoints, Spark tasks) know of a model. It builds the
 * engine that trains it for a catalogue of {@code users} by {@code items}, fresh or from a checkpoint.
 * Evaluation is the job's (every model scores (user, item) pairs).
 */
public interface ModelSpec extends Serializable {

    /** The {@code model.type} it answers to. */
    String type();

    /** One line for the run's start record, e.g. the layer sizes. */
    String describe(int users, int items, long seed);

    /** An engine with freshly initialised parameters (from {@code settings.seed()}). */
    TrainingEngine newEngine(int users, int items, TrainingSettings settings);

    /** An engine continuing from {@code saved}, what {@link TrainingEngine#save()} wrote. */
    TrainingEngine restoreEngine(int users, int items, TrainingSettings settings, byte[] saved) throws IOException;
}
