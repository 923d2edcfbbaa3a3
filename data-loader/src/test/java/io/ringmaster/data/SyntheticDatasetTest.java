package io.ringmaster.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticDatasetTest {

    private static SyntheticDataset.Params params(long seed) {
        return new SyntheticDataset.Params(300, 400, 30, 8, 0.8, 2.5, seed, 99);
    }

    @Test
    void sameSeedSameDataset() {
        Dataset a = SyntheticDataset.generate(params(5)).dataset();
        Dataset b = SyntheticDataset.generate(params(5)).dataset();
        Dataset c = SyntheticDataset.generate(params(6)).dataset();
        assertArrayEquals(a.train().items(), b.train().items());
        assertArrayEquals(a.test().negItems(), b.test().negItems());
        assertFalse(Arrays.equals(a.train().items(), c.train().items()));
    }

    @Test
    void popularityIsSkewedAndEveryUserIsTested() {
        Dataset d = SyntheticDataset.generate(params(5)).dataset();
        assertEquals(300, d.numUsers());
        assertEquals(300, d.test().size());
        assertEquals(300 * 99, d.test().negItems().length);
        int[] counts = new int[d.numItems()];
        for (int it : d.train().items()) {
            counts[it]++;
        }
        Arrays.sort(counts);
        long top = 0;
        for (int i = counts.length - counts.length / 10; i < counts.length; i++) {
            top += counts[i];
        }
        double share = (double) top / d.train().size();
        assertTrue(share > 0.2, "top 10% of items should draw well over 10% of interactions, got " + share);
    }

    @Test
    void smallCataloguesStillLeaveRoomForTheEvaluationNegatives() {
        Dataset d = SyntheticDataset.generate(new SyntheticDataset.Params(200, 120, 80, 8, 0.8, 2.5, 2, 99)).dataset();
        assertEquals(200, d.test().size());
        assertEquals(200 * 99, d.test().negItems().length);
    }

    @Test
    void rejectsCataloguesTooSmallForTheNegatives() {
        assertThrows(IllegalArgumentException.class,
                () -> new SyntheticDataset.Params(10, 50, 5, 8, 0.8, 2.5, 1, 99));
    }
}
