package io.ringmaster.workers.model;

/**
 * How Adam treats embedding tables ({@code train.embedding-optimizer}). {@code lazy-adam} (PyTorch's
 * {@code SparseAdam}, TensorFlow's {@code LazyAdam}): only the rows with a gradient this step update
 * their moments and parameters, with bias correction from the global step, so a step costs the rows
 * it touched. {@code adam}: every row every step, untouched rows with a zero gradient (their moments
 * decay and they keep moving), the arithmetic of DL4J's Adam and of Ringmaster before lazy Adam; a
 * step then costs the whole tables once.
 */
public enum EmbeddingOptimizer {
    LAZY_ADAM("lazy-adam"),
    ADAM("adam");

    /**
     * The default: at the reference learning rate dense Adam reached the ml-100k quality bar (HR@10 0.645)
     * with every gang size and lazy Adam did not with 1 or 2 workers (docs/sparse-gradients.md).
     */
    public static final EmbeddingOptimizer DEFAULT = ADAM;

    private final String id;

    EmbeddingOptimizer(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static EmbeddingOptimizer parse(String text) {
        for (EmbeddingOptimizer o : values()) {
            if (o.id.equals(text)) {
                return o;
            }
        }
        throw new IllegalArgumentException("train.embedding-optimizer must be lazy-adam or adam, got '" + text + "'");
    }
}
