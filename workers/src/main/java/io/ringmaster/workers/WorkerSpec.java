package io.ringmaster.workers;

import io.ringmaster.workers.model.ModelSpec;
import io.ringmaster.workers.train.FaultInjection;
import io.ringmaster.workers.train.TrainingSettings;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one gang task needs to train, shipped from the driver: where the dataset and the run
 * directory are (Hadoop URIs plus Hadoop settings), the model ({@code model.type} and its settings),
 * the training settings, and an optional injected fault (tests).
 */
public record WorkerSpec(String runId, String datasetUri, String runDirUri, Map<String, String> hadoop, ModelSpec model,
                         TrainingSettings settings, FaultInjection fault, LoaderSettings loader,
                         CheckpointSettings checkpoint) implements Serializable {

    public WorkerSpec {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(datasetUri, "datasetUri");
        Objects.requireNonNull(runDirUri, "runDirUri");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(settings, "settings");
        fault = fault == null ? FaultInjection.NONE : fault;
        loader = loader == null ? LoaderSettings.MEMORY : loader;
        checkpoint = checkpoint == null ? CheckpointSettings.NONE : checkpoint;
        hadoop = hadoop == null ? Map.of() : Map.copyOf(hadoop);
    }
}
