package io.ringmaster.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded synthetic implicit-feedback dataset with the structure a recommender should learn: item
 * popularity follows a power law (Zipf exponent {@code popularityExponent}) and each user has a latent
 * taste vector, so what a user picks depends on both popularity and taste. Interactions per user vary
 * (log-normal around {@code meanInteractions}); timestamps increase per user, so the leave-one-out
 * split holds out each user's latest pick.
 *
 * <p>A user's picks are the top keys {@code log popularity + taste + Gumbel noise}: a weighted sample
 * without replacement, weights popularity × exp(taste). Up to {@value #EXHAUSTIVE_PAIRS} user-item pairs
 * every item gets a key; above, so that catalogues of millions generate in seconds, each pick first
 * draws {@value #CANDIDATES_PER_PICK} candidates from the popularity law and keys them by
 * {@code taste + Gumbel noise} (importance resampling of the same weights, exact as candidates grow).
 */
public final class SyntheticDataset {

    public record Params(int users, int items, int meanInteractions, int latentDim, double popularityExponent,
                         double tasteStrength, long seed, int evalNegatives) {

        public Params {
            if (users < 2) {
                throw new IllegalArgumentException("--users must be >= 2, got " + users);
            }
            if (items < evalNegatives + 10) {
                throw new IllegalArgumentException("--items must be at least evaluation negatives + 10 = "
                        + (evalNegatives + 10) + ", got " + items);
            }
            if (meanInteractions < 2) {
                throw new IllegalArgumentException("--interactions must be >= 2, got " + meanInteractions);
            }
            if (latentDim < 1) {
                throw new IllegalArgumentException("latent dimension must be >= 1, got " + latentDim);
            }
        }

        public static Params defaults() {
            return new Params(2000, 1000, 40, 8, 0.8, 2.5, 7, 99);
        }

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("users", users);
            m.put("items", items);
            m.put("meanInteractions", meanInteractions);
            m.put("latentDim", latentDim);
            m.put("popularityExponent", popularityExponent);
            m.put("tasteStrength", tasteStrength);
            m.put("seed", seed);
            m.put("evalNegatives", evalNegatives);
            return m;
        }
    }

    /** The generated dataset and its manifest description. */
    public record Result(Dataset dataset, DatasetManifest.Source source, String split) {
    }

    /** Users x items up to which every item gets a key for every user. */
    static final long EXHAUSTIVE_PAIRS = 20_000_000L;
    /** Candidates drawn from the popularity law per pick, above {@link #EXHAUSTIVE_PAIRS}. */
    static final int CANDIDATES_PER_PICK = 8;

    private SyntheticDataset() {
    }

    public static Result generate(Params p) {
        SplittableRandom rng = new SplittableRandom(p.seed());
        int d = p.latentDim();
        float[] itemVec = gaussian(rng, p.items() * d);
        float[] userVec = gaussian(rng, p.users() * d);
        // popularity: a random ranking of items, weight 1/(rank+1)^s
        int[] rank = new int[p.items()];
        for (int i = 0; i < rank.length; i++) {
            rank[i] = i;
        }
        for (int i = rank.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = rank[i];
            rank[i] = rank[j];
            rank[j] = t;
        }
        double[] logPop = new double[p.items()];
        for (int i = 0; i < logPop.length; i++) {
            logPop[i] = -p.popularityExponent() * Math.log(rank[i] + 1.0);
        }
        double scale = p.tasteStrength() / Math.sqrt(d);
        // every user keeps at least evalNegatives items it never picked, for the evaluation split
        int cap = Math.min(p.items() / 2, p.items() - p.evalNegatives());
        double sigma = 0.5;
        double mu = Math.log(p.meanInteractions()) - sigma * sigma / 2;

        RawInteractions raw = new RawInteractions();
        long t0 = 1_000_000_000L;
        if ((long) p.users() * p.items() > EXHAUSTIVE_PAIRS) {
            pickByCandidates(p, rng, rank, logPop, itemVec, userVec, scale, cap, mu, sigma, raw, t0);
        } else {
            pickExhaustively(p, rng, logPop, itemVec, userVec, scale, cap, mu, sigma, raw, t0);
        }
        IdMap users = IdMap.of(raw.users());
        IdMap items = IdMap.of(raw.items());
        Interactions all = Ingest.dense(raw, users, items);
        LeaveOneOutSplit.Result split = LeaveOneOutSplit.split(all, users.size(), items.size(), p.evalNegatives(),
                p.seed());
        Dataset ds = new Dataset("synthetic", users, items, null, split.train(), split.test());
        String desc = "leave-one-out (latest interaction per user; " + p.evalNegatives() + " sampled negatives; seed "
                + p.seed() + ")";
        return new Result(ds, new DatasetManifest.Source("synthetic", "synthetic", null, p.asMap()), desc);
    }

    private static void pickExhaustively(Params p, SplittableRandom rng, double[] logPop, float[] itemVec,
                                         float[] userVec, double scale, int cap, double mu, double sigma,
                                         RawInteractions raw, long t0) {
        int d = p.latentDim();
        double[] keys = new double[p.items()];
        Integer[] order = new Integer[p.items()];
        for (int u = 0; u < p.users(); u++) {
            int n = (int) Math.round(Math.exp(mu + sigma * gaussian(rng)));
            n = Math.max(5, Math.min(cap, n));
            for (int i = 0; i < p.items(); i++) {
                double affinity = 0;
                for (int k = 0; k < d; k++) {
                    affinity += userVec[u * d + k] * itemVec[i * d + k];
                }
                // Gumbel-top-k: the n largest keys are a weighted sample without replacement
                double g = -Math.log(-Math.log(rng.nextDouble() * (1 - 1e-12) + 1e-12));
                keys[i] = logPop[i] + scale * affinity + g;
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(keys[b], keys[a]));
            long t = t0 + u * 10_000L;
            for (int k = 0; k < n; k++) {
                int item = order[k];
                float rating = 1 + Math.min(4, (int) (5 * sigmoid(keys[item] - logPop[item])));
                raw.add(u + 1, item + 1, rating, t + k * 60L + rng.nextInt(60));
            }
        }
    }

    private static void pickByCandidates(Params p, SplittableRandom rng, int[] rank, double[] logPop, float[] itemVec,
                                         float[] userVec, double scale, int cap, double mu, double sigma,
                                         RawInteractions raw, long t0) {
        int d = p.latentDim();
        int items = p.items();
        int[] byRank = new int[items];
        double[] cumulative = new double[items];
        for (int i = 0; i < items; i++) {
            byRank[rank[i]] = i;
        }
        double sum = 0;
        for (int r = 0; r < items; r++) {
            sum += Math.exp(-p.popularityExponent() * Math.log(r + 1.0));
            cumulative[r] = sum;
        }
        int[] drawn = new int[64];
        double[] keys = new double[64];
        for (int u = 0; u < p.users(); u++) {
            int n = (int) Math.round(Math.exp(mu + sigma * gaussian(rng)));
            n = Math.max(5, Math.min(cap, n));
            int distinct = 0;
            for (int want = CANDIDATES_PER_PICK * n; distinct < n; want += n) {
                if (drawn.length < want) {
                    drawn = Arrays.copyOf(drawn, 2 * want);
                    keys = new double[drawn.length];
                }
                for (int c = distinct; c < want; c++) { // (a catalogue so skewed that draws repeat: draw on)
                    int r = Arrays.binarySearch(cumulative, rng.nextDouble() * sum);
                    drawn[c] = byRank[Math.min(items - 1, r < 0 ? -r - 1 : r)];
                }
                Arrays.sort(drawn, 0, want);
                distinct = 0;
                for (int c = 0; c < want; c++) {
                    if (c == 0 || drawn[c] != drawn[c - 1]) {
                        drawn[distinct++] = drawn[c];
                    }
                }
            }
            for (int c = 0; c < distinct; c++) {
                int item = drawn[c];
                double affinity = 0;
                for (int k = 0; k < d; k++) {
                    affinity += userVec[u * d + k] * itemVec[item * d + k];
                }
                keys[c] = scale * affinity - Math.log(-Math.log(rng.nextDouble() * (1 - 1e-12) + 1e-12));
            }
            long t = t0 + u * 10_000L;
            for (int k = 0; k < n; k++) { // the n largest keys, largest first
                int best = k;
                for (int c = k + 1; c < distinct; c++) {
                    if (keys[c] > keys[best]) {
                        best = c;
                    }
                }
                int item = drawn[best];
                double key = keys[best];
                drawn[best] = drawn[k];
                keys[best] = keys[k];
                drawn[k] = item;
                keys[k] = key;
                float rating = 1 + Math.min(4, (int) (5 * sigmoid(key)));
                raw.add(u + 1, item + 1, rating, t + k * 60L + rng.nextInt(60));
            }
        }
    }

    private static float[] gaussian(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) gaussian(rng);
        }
        return v;
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble() * (1 - 1e-12) + 1e-12;
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
