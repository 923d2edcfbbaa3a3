package io.ringmaster.workers.seam;

import io.ringmaster.data.Storage;
import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.gradient.GradientLayout;
import io.ringmaster.workers.gradient.SparseRows;
import io.ringmaster.workers.model.ModelSpec;
import io.ringmaster.workers.train.Examples;
import io.ringmaster.workers.train.TrainingEngine;
import io.ringmaster.workers.train.TrainingSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A second model type that lives in test code only: logistic matrix factorisation, score =
 * bias + user vector · item vector, trained with plain SGD. Its parameters are one dense value (the
 * bias) and two embedding tables, so the gang exchanges its gradient as rows, like NeuMF's.
 */
record MatrixFactorisation(int factors, double learningRate) implements ModelSpec {

    static final String TYPE = "test-mf";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String describe(int users, int items, long seed) {
        return "MF(users=" + users + ", items=" + items + ", factors=" + factors + ")";
    }

    @Override
    public TrainingEngine newEngine(int users, int items, TrainingSettings settings) {
        Engine e = new Engine(users, items, factors, (float) learningRate);
        SplittableRandom rng = new SplittableRandom(settings.seed());
        for (int i = 1; i < e.params.length; i++) {
            e.params[i] = (float) (rng.nextGaussian() * 0.1);
        }
        return e;
    }

    @Override
    public TrainingEngine restoreEngine(int users, int items, TrainingSettings settings, byte[] saved)
            throws IOException {
        Engine e = new Engine(users, items, factors, (float) learningRate);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(saved));
        if (in.readInt() != e.params.length) {
            throw new IOException("saved MF model has another shape");
        }
        e.step = in.readLong();
        for (int i = 0; i < e.params.length; i++) {
            e.params[i] = in.readFloat();
        }
        return e;
    }

    static final class Engine implements TrainingEngine {

        private final int factors;
        private final float lr;
        private final float[] params;
        private final EmbeddingTable users;
        private final EmbeddingTable items;
        private final Gradient grad;
        private long step;

        Engine(int numUsers, int numItems, int factors, float lr) {
            this.factors = factors;
            this.lr = lr;
            this.users = new EmbeddingTable("users", 1, numUsers, factors);
            this.items = new EmbeddingTable("items", users.end(), numItems, factors);
            this.params = new float[items.end()];
            this.grad = new Gradient(new GradientLayout(params.length, 0, 1, List.of(users, items)));
        }

        @Override
        public String name() {
            return "sgd";
        }

        private float score(int u, int i) {
            float s = params[0];
            int pu = users.offset() + u * factors;
            int qi = items.offset() + i * factors;
            for (int f = 0; f < factors; f++) {
                s += params[pu + f] * params[qi + f];
            }
            return s;
        }

        @Override
        public double computeGradient(Examples batch, int from, int n) {
            int[] us = batch.column(Examples.USER);
            int[] is = batch.column(Examples.ITEM);
            float[] y = batch.labels();
            grad.clear();
            SparseRows gu = grad.table(0);
            SparseRows gi = grad.table(1);
            double loss = 0;
            for (int k = from; k < from + n; k++) {
                float s = score(us[k], is[k]);
                double p = 1 / (1 + Math.exp(-s));
                loss -= y[k] > 0 ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12));
                float g = (float) ((p - y[k]) / n);
                grad.dense()[0] += g;
                int su = gu.add(us[k]) * factors;
                int si = gi.add(is[k]) * factors;
                int pu = users.offset() + us[k] * factors;
                int qi = items.offset() + is[k] * factors;
                float[] vu = gu.values();
                float[] vi = gi.values();
                for (int f = 0; f < factors; f++) {
                    vu[su + f] += g * params[qi + f];
                    vi[si + f] += g * params[pu + f];
                }
            }
            return loss / n;
        }

        @Override
        public Gradient gradient() {
            return grad;
        }

        @Override
        public void applyUpdate() {
            params[0] -= lr * grad.dense()[0];
            for (SparseRows rows : grad.tables()) {
                for (int slot = 0; slot < rows.count(); slot++) {
                    int at = rows.table().offset() + rows.ids()[slot] * factors;
                    for (int f = 0; f < factors; f++) {
                        params[at + f] -= lr * rows.values()[slot * factors + f];
                    }
                }
            }
            step++;
        }

        @Override
        public void scores(int[] us, int[] is, int n, float[] out) {
            for (int k = 0; k < n; k++) {
                out[k] = score(us[k], is[k]);
            }
        }

        @Override
        public long step() {
            return step;
        }

        @Override
        public byte[] save() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(params.length);
                out.writeLong(step);
                for (float p : params) {
                    out.writeFloat(p);
                }
            }
            return bytes.toByteArray();
        }

        @Override
        public String paramsSha256() {
            ByteBuffer b = ByteBuffer.allocate(params.length * 4);
            b.asFloatBuffer().put(params);
            return Storage.sha256(b.array());
        }

        @Override
        public void close() {
        }
    }
}
