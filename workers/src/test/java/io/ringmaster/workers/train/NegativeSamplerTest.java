package io.ringmaster.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {

    // 4 users, 10 items; user 3 has interacted with 9 of the 10 items
    static final int[] USERS = {0, 0, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    static final int[] ITEMS = {1, 2, 1, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 8};

    static NegativeSampler sampler(int negatives, long seed) {
        return new NegativeSampler(USERS, ITEMS, new UserItemIndex(4, 10, USERS, ITEMS), negatives, seed);
    }

    @Test
    void negativesAreNeverItemsTheUserInteractedWith() {
        Set<Long> positives = new HashSet<>();
        for (int i = 0; i < USERS.length; i++) {
            positives.add((long) USERS[i] << 32 | ITEMS[i]);
        }
        for (int epoch = 0; epoch < 20; epoch++) {
            EpochSamples s = sampler(4, 9).sample(epoch);
            assertEquals(USERS.length * 5, s.size());
            int pos = 0;
            for (int i = 0; i < s.size(); i++) {
                boolean interacted = positives.contains((long) s.users()[i] << 32 | s.items()[i]);
                if (s.labels()[i] == 1f) {
                    pos++;
                    assertTrue(interacted);
                } else {
                    assertFalse(interacted, "negative (" + s.users()[i] + "," + s.items()[i] + ") was a positive");
                }
                if (s.users()[i] == 3 && s.labels()[i] == 0f) {
                    assertEquals(9, s.items()[i], "user 3's only unseen item is 9");
                }
            }
            assertEquals(USERS.length, pos);
        }
    }

    @Test
    void sameSeedAndEpochGiveTheSameSamplesInTheSameOrder() {
        EpochSamples a = sampler(4, 9).sample(3);
        EpochSamples b = sampler(4, 9).sample(3);
        assertArrayEquals(a.users(), b.users());
        assertArrayEquals(a.items(), b.items());
        assertArrayEquals(a.labels(), b.labels());
        EpochSamples nextEpoch = sampler(4, 9).sample(4);
        EpochSamples otherSeed = sampler(4, 10).sample(3);
        assertFalse(Arrays.equals(a.items(), nextEpoch.items()));
        assertFalse(Arrays.equals(a.items(), otherSeed.items()));
    }

    @Test
    void epochsAreShuffled() {
        EpochSamples s = sampler(4, 9).sample(0);
        // unshuffled, every 5th example would be a positive
        int aligned = 0;
        for (int i = 0; i < s.size(); i += 5) {
            aligned += s.labels()[i] == 1f ? 1 : 0;
        }
        assertTrue(aligned < USERS.length, "examples look unshuffled");
    }

    @Test
    void userWhoInteractedWithEveryItemIsAClearError() {
        int[] u = {0, 0};
        int[] it = {0, 1};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NegativeSampler(u, it, new UserItemIndex(1, 2, u, it), 4, 1));
        assertTrue(e.getMessage().contains("interacted with all 2 items"), e.getMessage());
    }

    @Test
    void userItemIndexDeduplicates() {
        UserItemIndex idx = new UserItemIndex(2, 5, new int[] {0, 0, 0, 1}, new int[] {3, 3, 1, 4});
        assertEquals(2, idx.count(0));
        assertTrue(idx.contains(0, 3));
        assertTrue(idx.contains(0, 1));
        assertFalse(idx.contains(0, 4));
        assertTrue(idx.contains(1, 4));
    }
}
