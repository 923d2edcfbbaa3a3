package io.ringmaster.workers;

import io.ringmaster.workers.train.TrainingSettings;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one gang task needs to train, shipped from the driver: where the dataset and the run
 * directory are (Hadoop URIs plus Hadoop settings), the model shape and the training settings.
 */
public record WorkerSpec(String runId, String datasetUri, String runDirUri, Map<String, String> hadoop, int factors,
                         int[] layers, double learningRate, TrainingSettings settings) implements Serializable {

    public WorkerSpec {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(datasetUri, "datasetUri");
        Objects.requireNonNull(runDirUri, "runDirUri");
        Objects.requireNonNull(layers, "layers");
        Objects.requireNonNull(settings, "settings");
        hadoop = hadoop == null ? Map.of() : Map.copyOf(hadoop);
        layers = layers.clone();
    }

    @Override
    public int[] layers() {
        return layers.clone();
    }
}
