package io.ringmaster.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The NCF evaluation split for sources without one: each user's latest interaction (by timestamp,
 * ties to the later row; a seeded random one when there are no timestamps) is held out and ranked
 * against {@code evalNegatives} items the user never interacted with, sampled with a seed. Every
 * training row of the held-out (user, item) pair leaves the training set, so nothing leaks. Users with
 * a single distinct item stay in training only.
 */
public final class LeaveOneOutSplit {

    public record Result(Interactions train, TestSplit test) {
    }

    private LeaveOneOutSplit() {
    }

    public static Result split(Interactions all, int numUsers, int numItems, int evalNegatives, long seed) {
        if (evalNegatives < 1) {
            throw new IllegalArgumentException("evaluation negatives must be >= 1, got " + evalNegatives);
        }
        int n = all.size();
        int[] users = all.users();
        int[] items = all.items();
        long[] ts = all.timestamps();
        boolean timed = true;
        for (long t : ts) {
            if (t < 0) {
                timed = false;
                break;
            }
        }
        // rows grouped by user, file order kept inside a group
        int[] start = new int[numUsers + 1];
        for (int u : users) {
            start[u + 1]++;
        }
        for (int u = 0; u < numUsers; u++) {
            start[u + 1] += start[u];
        }
        int[] order = new int[n];
        int[] fill = Arrays.copyOf(start, numUsers);
        for (int i = 0; i < n; i++) {
            order[fill[users[i]]++] = i;
        }

        boolean[] dropped = new boolean[n];
        boolean[] marked = new boolean[numItems];
        int[] testUsers = new int[numUsers];
        int[] testItems = new int[numUsers];
        int[][] negatives = new int[numUsers][];
        int tests = 0;
        for (int u = 0; u < numUsers; u++) {
            int from = start[u];
            int to = start[u + 1];
            if (to - from < 2) {
                continue;
            }
            SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, u));
            int held;
            if (timed) {
                held = order[from];
                for (int j = from + 1; j < to; j++) {
                    if (ts[order[j]] >= ts[held]) {
                        held = order[j];
                    }
                }
            } else {
                held = order[from + rng.nextInt(to - from)];
            }
            int heldItem = items[held];
            int remaining = 0;
            for (int j = from; j < to; j++) {
                if (items[order[j]] != heldItem) {
                    remaining++;
                }
            }
            if (remaining == 0) {
                continue;
            }
            int distinct = 0;
            for (int j = from; j < to; j++) {
                int it = items[order[j]];
                if (it == heldItem) {
                    dropped[order[j]] = true;
                }
                if (!marked[it]) {
                    marked[it] = true;
                    distinct++;
                }
            }
            int candidates = numItems - distinct;
            if (candidates < evalNegatives) {
                throw new IllegalArgumentException("cannot sample " + evalNegatives + " evaluation negatives for user"
                        + " index " + u + ": it interacted with " + distinct + " of " + numItems + " items, leaving "
                        + candidates + " (lower --eval-negatives or use a larger item catalogue)");
            }
            negatives[tests] = sampleUnmarked(marked, evalNegatives, candidates, rng);
            for (int j = from; j < to; j++) {
                marked[items[order[j]]] = false;
            }
            testUsers[tests] = u;
            testItems[tests] = heldItem;
            tests++;
        }

        int keep = 0;
        for (boolean d : dropped) {
            if (!d) {
                keep++;
            }
        }
        int[] tu = new int[keep];
        int[] ti = new int[keep];
        float[] tr = new float[keep];
        long[] tt = new long[keep];
        float[] ratings = all.ratings();
        for (int i = 0, k = 0; i < n; i++) {
            if (!dropped[i]) {
                tu[k] = users[i];
                ti[k] = items[i];
                tr[k] = ratings[i];
                tt[k] = ts[i];
                k++;
            }
        }
        TestSplit test = TestSplit.of(Arrays.copyOf(testUsers, tests), Arrays.copyOf(testItems, tests),
                Arrays.copyOf(negatives, tests));
        return new Result(new Interactions(tu, ti, tr, tt), test);
    }

    /** {@code k} distinct items whose {@code marked} flag is false (leaves the flags as found). */
    private static int[] sampleUnmarked(boolean[] marked, int k, int candidates, SplittableRandom rng) {
        int[] out = new int[k];
        if (candidates <= 2 * k) {
            int[] pool = new int[candidates];
            for (int i = 0, c = 0; i < marked.length; i++) {
                if (!marked[i]) {
                    pool[c++] = i;
                }
            }
            for (int i = 0; i < k; i++) {
                int j = i + rng.nextInt(candidates - i);
                int t = pool[i];
                pool[i] = pool[j];
                pool[j] = t;
                out[i] = pool[i];
            }
            return out;
        }
        for (int i = 0; i < k; ) {
            int it = rng.nextInt(marked.length);
            if (!marked[it]) {
                marked[it] = true;
                out[i++] = it;
            }
        }
        for (int it : out) {
            marked[it] = false;
        }
        return out;
    }
}
