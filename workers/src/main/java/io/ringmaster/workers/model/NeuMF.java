package io.ringmaster.workers.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * NeuMF as a DL4J {@link ComputationGraph}: a GMF branch (element-wise product of user and item
 * embeddings) and an MLP branch (concatenated embeddings through ReLU layers), concatenated into
 * one sigmoid output trained with binary cross-entropy and Adam.
 *
 * <p>Initialisation follows the reference PyTorch NeuMF: embeddings N(0, 0.01), MLP layers Glorot
 * uniform, the output layer Kaiming uniform with a=1 (U(±sqrt(3/fanIn))), biases zero.
 */
public final class NeuMF {

    public static final String INPUT_USER = "user";
    public static final String INPUT_ITEM = "item";
    public static final String GMF_USER = "gmf_user";
    public static final String GMF_ITEM = "gmf_item";
    public static final String MLP_USER = "mlp_user";
    public static final String MLP_ITEM = "mlp_item";
    public static final String OUTPUT = "prediction";
    /** The vertex joining the GMF vector and the last MLP layer, input of the output layer. */
    public static final String JOINED = "neumf";

    private NeuMF() {
    }

    /** Name of the i-th dense MLP layer (0-based). */
    public static String mlpLayer(int i) {
        return "mlp_" + i;
    }

    public static ComputationGraphConfiguration configuration(NeuMFSpec spec) {
        int[] layers = spec.mlpLayers();
        var embeddingInit = new WeightInitDistribution(new NormalDistribution(0.0, 0.01));
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(spec.learningRate()))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(INPUT_USER, INPUT_ITEM)
                .addLayer(GMF_USER, embedding(spec.numUsers(), spec.factors(), embeddingInit), INPUT_USER)
                .addLayer(GMF_ITEM, embedding(spec.numItems(), spec.factors(), embeddingInit), INPUT_ITEM)
                .addVertex("gmf", new ElementWiseVertex(ElementWiseVertex.Op.Product), GMF_USER, GMF_ITEM)
                .addLayer(MLP_USER, embedding(spec.numUsers(), spec.mlpEmbedding(), embeddingInit), INPUT_USER)
                .addLayer(MLP_ITEM, embedding(spec.numItems(), spec.mlpEmbedding(), embeddingInit), INPUT_ITEM)
                .addVertex("mlp_concat", new MergeVertex(), MLP_USER, MLP_ITEM);
        String previous = "mlp_concat";
        for (int i = 1; i < layers.length; i++) {
            g.addLayer(mlpLayer(i - 1), new DenseLayer.Builder()
                    .nIn(layers[i - 1]).nOut(layers[i])
                    .activation(Activation.RELU)
                    .weightInit(WeightInit.XAVIER_UNIFORM)
                    .biasInit(0.0)
                    .build(), previous);
            previous = mlpLayer(i - 1);
        }
        int joined = spec.factors() + spec.mlpOut();
        double bound = Math.sqrt(3.0 / joined);
        g.addVertex(JOINED, new MergeVertex(), "gmf", previous)
                .addLayer(OUTPUT, new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                        .nIn(joined).nOut(1)
                        .activation(Activation.SIGMOID)
                        .weightInit(new WeightInitDistribution(new UniformDistribution(-bound, bound)))
                        .biasInit(0.0)
                        .build(), JOINED)
                .setOutputs(OUTPUT);
        return g.build();
    }

    /** A freshly initialised network; the same spec (seed included) always gives the same parameters. */
    public static ComputationGraph build(NeuMFSpec spec) {
        ComputationGraph graph = new ComputationGraph(configuration(spec));
        graph.init();
        return graph;
    }

    /**
     * {@code values[from, from+n)} as the {@code [n, 1]} float column DL4J's embedding layers and
     * output layer take (indices for the inputs, 0/1 for the labels).
     */
    public static INDArray column(int[] values, int from, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = values[from + i];
        }
        return Nd4j.createFromArray(f).reshape(n, 1);
    }

    /** {@code values[from, from+n)} as an {@code [n, 1]} column. */
    public static INDArray column(float[] values, int from, int n) {
        return Nd4j.createFromArray(java.util.Arrays.copyOfRange(values, from, from + n)).reshape(n, 1);
    }

    private static EmbeddingLayer embedding(int rows, int width, WeightInitDistribution init) {
        return new EmbeddingLayer.Builder()
                .nIn(rows).nOut(width)
                .activation(Activation.IDENTITY)
                .hasBias(false)
                .weightInit(init)
                .build();
    }

    /** {@code graph} with its updater state as DL4J's ModelSerializer writes it (a checkpoint's model.zip). */
    public static byte[] save(ComputationGraph graph) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.deeplearning4j.util.ModelSerializer.writeModel(graph, out, true);
        return out.toByteArray();
    }

    /** A graph with its updater state from {@link #save}'s bytes. */
    public static ComputationGraph restore(byte[] saved) throws java.io.IOException {
        return org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(new java.io.ByteArrayInputStream(saved),
                true);
    }

    /** SHA-256 of a network's parameters (graph order), to compare runs bit for bit. */
    public static String paramsSha256(ComputationGraph graph) {
        float[] p = graph.params().dup().data().asFloat();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(p.length * 4);
        b.asFloatBuffer().put(p);
        return io.ringmaster.data.Storage.sha256(b.array());
    }
}
