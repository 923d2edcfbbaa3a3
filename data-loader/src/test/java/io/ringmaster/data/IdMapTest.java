package io.ringmaster.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdMapTest {

    @Test
    void mapsDistinctRawIdsToDenseIndicesInAscendingOrder() {
        IdMap m = IdMap.of(new long[] {905, 17, 905, -3, 17, 42});
        assertEquals(4, m.size());
        assertArrayEquals(new long[] {-3, 17, 42, 905}, m.rawIds());
        assertEquals(0, m.indexOf(-3));
        assertEquals(1, m.indexOf(17));
        assertEquals(3, m.indexOf(905));
        assertEquals(905, m.rawId(3));
        assertFalse(m.isIdentity());
    }

    @Test
    void indicesDoNotDependOnRowOrder() {
        IdMap a = IdMap.of(new long[] {3, 1, 2});
        IdMap b = IdMap.of(new long[] {2, 3, 1, 1});
        assertArrayEquals(a.rawIds(), b.rawIds());
    }

    @Test
    void denseZeroBasedIdsMapToThemselves() {
        IdMap m = IdMap.of(new long[] {2, 0, 1, 3});
        assertTrue(m.isIdentity());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, m.indexOf(i));
        }
    }

    @Test
    void unknownIdsAreReportedNotMappedToZero() {
        IdMap m = IdMap.of(new long[] {10, 20});
        assertEquals(-1, m.indexOf(15));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.require(15, "item"));
        assertTrue(e.getMessage().contains("unknown item id 15"), e.getMessage());
    }

    @Test
    void storedMapsMustBeStrictlyIncreasing() {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> IdMap.fromRawIds(new long[] {1, 5, 5}, "items.parquet"));
        assertTrue(e.getMessage().startsWith("items.parquet"), e.getMessage());
    }
}
