package io.ringmaster.workers.model;

import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.GradientLayout;
import java.util.List;

/**
 * Where each NeuMF parameter lives in Ringmaster's flat training buffer. Every matrix is row-major:
 * embedding tables are {@code [rows][width]} so one user's or item's vector is contiguous, and dense
 * weights are {@code [in][out]}.
 *
 * <p>The order of blocks is the order of the DL4J graph's own parameter table (GMF user, GMF item,
 * MLP user, MLP item, dense layers, output), but DL4J stores matrices column-major, so moving between
 * the two is a permutation ({@link GraphParameters}).
 */
public final class NeuMFLayout {

    private final NeuMFSpec spec;
    private final int gmfUser;
    private final int gmfItem;
    private final int mlpUser;
    private final int mlpItem;
    private final int[] denseW;
    private final int[] denseB;
    private final int outW;
    private final int outB;
    private final int size;

    public NeuMFLayout(NeuMFSpec spec) {
        this.spec = spec;
        int[] layers = spec.mlpLayers();
        long at = 0;
        gmfUser = checked(at);
        at += (long) spec.numUsers() * spec.factors();
        gmfItem = checked(at);
        at += (long) spec.numItems() * spec.factors();
        mlpUser = checked(at);
        at += (long) spec.numUsers() * spec.mlpEmbedding();
        mlpItem = checked(at);
        at += (long) spec.numItems() * spec.mlpEmbedding();
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

    public int gmfUser() {
        return gmfUser;
    }

    public int gmfItem() {
        return gmfItem;
    }

    public int mlpUser() {
        return mlpUser;
    }

    public int mlpItem() {
        return mlpItem;
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

    /** First offset after the four embedding tables: everything before it is embedding rows. */
    public int embeddingEnd() {
        return denseW.length == 0 ? outW : denseW[0];
    }

    /**
     * The four embedding tables (named as the graph's layers: GMF user, GMF item, MLP user, MLP item) and
     * the dense block after them (dense layers and output layer).
     */
    public GradientLayout gradientLayout() {
        return new GradientLayout(size, embeddingEnd(), size - embeddingEnd(), List.of(
                new EmbeddingTable(NeuMF.GMF_USER, gmfUser, spec.numUsers(), spec.factors()),
                new EmbeddingTable(NeuMF.GMF_ITEM, gmfItem, spec.numItems(), spec.factors()),
                new EmbeddingTable(NeuMF.MLP_USER, mlpUser, spec.numUsers(), spec.mlpEmbedding()),
                new EmbeddingTable(NeuMF.MLP_ITEM, mlpItem, spec.numItems(), spec.mlpEmbedding())));
    }
}
