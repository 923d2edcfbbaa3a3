package io.ringmaster.workers.model;

import io.ringmaster.data.Dataset;
import io.ringmaster.workers.export.ModelBundle;
import io.ringmaster.workers.train.TrainingEngine;
import io.ringmaster.workers.train.TrainingSettings;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code model.type: neumf}: NeuMF's shape ({@code model.factors}, {@code model.layers}) and learning
 * rate. With a catalogue and seed it is a {@link NeuMFSpec}; its engines are {@link FusedEngine} and
 * {@link Dl4jEngine} ({@code train.engine}), a checkpoint holds its DL4J graph ({@code model.zip},
 * DL4J's ModelSerializer with the updater state), and it exports as a {@link ModelBundle}.
 */
public record NeuMFSettings(int factors, int[] layers, double learningRate)
        implements GraphModelSpec, ExportableModelSpec {

    public static final String TYPE = "neumf";

    public NeuMFSettings {
        Objects.requireNonNull(layers, "layers");
        layers = layers.clone();
    }

    /** The network for a catalogue and seed. */
    public NeuMFSpec sized(int users, int items, long seed) {
        return new NeuMFSpec(users, items, factors, layers, learningRate, seed);
    }

    @Override
    public int[] layers() {
        return layers.clone();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String describe(int users, int items, long seed) {
        return sized(users, items, seed).toString();
    }

    @Override
    public TrainingEngine newEngine(int users, int items, TrainingSettings s) {
        NeuMFSpec spec = sized(users, items, s.seed());
        s.engine().check(s.embeddingOptimizer());
        NeuMFKernel.useBlasThreads(s.threads());
        return switch (s.engine()) {
            case FUSED -> new FusedEngine(spec, s.embeddingOptimizer());
            case DL4J -> new Dl4jEngine(spec);
        };
    }

    @Override
    public TrainingEngine restoreEngine(int users, int items, TrainingSettings s, byte[] saved) throws IOException {
        NeuMFSpec spec = sized(users, items, s.seed());
        s.engine().check(s.embeddingOptimizer());
        NeuMFKernel.useBlasThreads(s.threads());
        ComputationGraph graph = readGraph(saved);
        return switch (s.engine()) {
            case FUSED -> new FusedEngine(graph, spec, s.embeddingOptimizer());
            case DL4J -> new Dl4jEngine(graph);
        };
    }

    @Override
    public ComputationGraph buildGraph(int users, int items, long seed) {
        return NeuMF.build(sized(users, items, seed));
    }

    @Override
    public ComputationGraph readGraph(byte[] saved) throws IOException {
        return NeuMF.restore(saved);
    }

    @Override
    public byte[] writeGraph(ComputationGraph graph) throws IOException {
        return NeuMF.save(graph);
    }

    @Override
    public void exportBundle(Configuration conf, byte[] saved, Dataset ds, long seed, Map<String, Object> provenance,
                             String outUri) throws IOException {
        ModelBundle.write(conf, readGraph(saved), sized(ds.numUsers(), ds.numItems(), seed), ds, provenance, outUri);
    }

    @Override
    public TrainingEngine engineOn(ComputationGraph graph) {
        return new Dl4jEngine(graph);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NeuMFSettings n && n.factors == factors && Arrays.equals(n.layers, layers)
                && Double.compare(n.learningRate, learningRate) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(factors, Arrays.hashCode(layers), learningRate);
    }

    @Override
    public String toString() {
        return "neumf(factors=" + factors + ", layers=" + Arrays.toString(layers) + ", lr=" + learningRate + ")";
    }
}
