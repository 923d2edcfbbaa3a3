package io.ringmaster.workers.model;

import io.ringmaster.workers.eval.Scorer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A model that scores a (user, item) pair as the dot product of a user vector and an item vector: what
 * ALS (user and item factors), a truncated SVD (U·S and V rows) and item2vec (the mean of the user's recent
 * items' unit vectors, and the items' unit vectors) all come down to once trained. Rows are dense,
 * {@code dim} floats each; a user or item the training never saw has a zero row (it scores 0).
 */
public final class FactorModel implements Scorer {

    private static final int MAGIC = 0x524D4631; // "RMF1"

    private final String type;
    private final int users;
    private final int items;
    private final int dim;
    private final float[] userRows;
    private final float[] itemRows;

    /** {@code userRows} is users × dim, {@code itemRows} items × dim, row-major. */
    public FactorModel(String type, int users, int items, int dim, float[] userRows, float[] itemRows) {
        this.type = Objects.requireNonNull(type, "type");
        if (dim < 1 || userRows.length != (long) users * dim || itemRows.length != (long) items * dim) {
            throw new IllegalArgumentException("factor rows do not match " + users + " users, " + items + " items, "
                    + dim + " dimensions: " + userRows.length + " and " + itemRows.length + " values");
        }
        this.users = users;
        this.items = items;
        this.dim = dim;
        this.userRows = userRows;
        this.itemRows = itemRows;
    }

    public String type() {
        return type;
    }

    public int users() {
        return users;
    }

    public int items() {
        return items;
    }

    public int dim() {
        return dim;
    }

    /** The score of one pair. */
    public float score(int user, int item) {
        int u = user * dim;
        int i = item * dim;
        float s = 0;
        for (int d = 0; d < dim; d++) {
            s += userRows[u + d] * itemRows[i + d];
        }
        return s;
    }

    @Override
    public void score(int[] u, int[] i, int n, float[] out) {
        for (int j = 0; j < n; j++) {
            out[j] = score(u[j], i[j]);
        }
    }

    /** Writes the model: a header (type, sizes) and both row blocks, big-endian. */
    public void write(OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(stream, 1 << 16));
        out.writeInt(MAGIC);
        out.writeUTF(type);
        out.writeInt(users);
        out.writeInt(items);
        out.writeInt(dim);
        for (float f : userRows) {
            out.writeFloat(f);
        }
        for (float f : itemRows) {
            out.writeFloat(f);
        }
        out.flush();
    }

    /** Reads what {@link #write} wrote; {@code what} names the source in errors. */
    public static FactorModel read(InputStream stream, String what) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(stream, 1 << 16));
        if (in.readInt() != MAGIC) {
            throw new IOException(what + " is not a Ringmaster factor model");
        }
        String type = in.readUTF();
        int users = in.readInt();
        int items = in.readInt();
        int dim = in.readInt();
        if (users < 0 || items < 0 || dim < 1) {
            throw new IOException(what + ": bad sizes " + users + " users, " + items + " items, " + dim + " dims");
        }
        float[] u = new float[Math.multiplyExact(users, dim)];
        float[] i = new float[Math.multiplyExact(items, dim)];
        for (int j = 0; j < u.length; j++) {
            u[j] = in.readFloat();
        }
        for (int j = 0; j < i.length; j++) {
            i[j] = in.readFloat();
        }
        return new FactorModel(type, users, items, dim, u, i);
    }
}
