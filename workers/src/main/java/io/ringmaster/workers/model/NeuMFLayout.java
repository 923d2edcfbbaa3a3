package io.ringmaster.workers.model;

import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.GradientLayout;
import java.util.List;

/**
 * Where each NeuMF parameter lives in Ringmaster's flat training buffer. Embeddings are kept by
 * entity: a user's row holds its GMF vector then its MLP vector ({@code factors + layers[0]/2}
 * values), and so does an item's, so one user or item is one contiguous row, read, updated and sent
 * as one (a step touches a few rows of tables of millions: one memory access per entity, not two).
 * Dense weights are row-major {@code [in][out]}.
 *
 * <p>The DL4J graph keeps the four embedding matrices apart and column-major, so moving between the
 * two is a permutation ({@link GraphParameters}).
 */
public final class NeuMFLayout {

    /** Names of the two embedding tables in a {@link GradientLayout}. */
    public static final String USERS = "users";
    public static final String ITEMS = "items";

    private final NeuMFSpec spec;
    private final int users;
    private final int items;
    private final int width;
    private final int[] denseW;
    private final int[] denseB;
    private final int outW;
    private final int outB;
    private final int size;

    public NeuMFLayout(NeuMFSpec spec) {
        this.spec = spec;
        int[] layers = spec.mlpLayers();
        width = spec.factors() + spec.mlpEmbedding();
        long at = 0;
        users = checked(at);
        at += (long) spec.numUsers() * width;
        items = checked(at);
        at += (long) spec.numItems() * width;
        denseW = new int[layers.length - 1];
        denseB = new int[layers.length - 1];
        for (int l = 0; l < layers.length - 1; l++) {
            denseW[l] = checked(at);
            at += (long) layers[l] * layers[l + 1];
            denseB[l] = checked(at);
            at += layers[l + 1];
        }
        outW = checked(at);
        at += spec.factors() + spec.mlpOut();
        outB = checked(at);
        at += 1;
        size = checked(at);
    }

    private static int checked(long offset) {
        if (offset > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("NeuMF has more than 2^31 parameters (" + offset
                    + "): too large for one flat buffer");
        }
        return (int) offset;
    }

    public NeuMFSpec spec() {
        return spec;
    }

    /** Total number of parameters. */
    public int size() {
        return size;
    }

    /** Values in a user's or an item's row: its GMF vector, then its MLP vector. */
    public int rowWidth() {
        return width;
    }

    /** Offset of user {@code u}'s row; its GMF vector starts there, its MLP vector {@code factors} later. */
    public int user(int u) {
        return users + u * width;
    }

    /** Offset of item {@code i}'s row. */
    public int item(int i) {
        return items + i * width;
    }

    /** Where the GMF vector starts in a row. */
    public int gmf() {
        return 0;
    }

    /** Where the MLP vector starts in a row. */
    public int mlp() {
        return spec.factors();
    }

    /** Number of dense MLP layers. */
    public int denseLayers() {
        return denseW.length;
    }

    public int denseW(int layer) {
        return denseW[layer];
    }

    public int denseB(int layer) {
        return denseB[layer];
    }

    public int outW() {
        return outW;
    }

    public int outB() {
        return outB;
    }

    /** First offset after the embedding tables: everything before it is embedding rows. */
    public int embeddingEnd() {
        return denseW.length == 0 ? outW : denseW[0];
    }

    /** The user and item tables (GMF and MLP vectors side by side) and the dense block after them. */
    public GradientLayout gradientLayout() {
        return new GradientLayout(size, embeddingEnd(), size - embeddingEnd(), List.of(
                new EmbeddingTable(USERS, users, spec.numUsers(), width),
                new EmbeddingTable(ITEMS, items, spec.numItems(), width)));
    }
}
