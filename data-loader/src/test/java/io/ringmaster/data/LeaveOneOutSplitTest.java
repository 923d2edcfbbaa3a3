package io.ringmaster.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaveOneOutSplitTest {

    private static Interactions rows(int[][] userItemTime) {
        int n = userItemTime.length;
        int[] u = new int[n];
        int[] it = new int[n];
        float[] r = new float[n];
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            u[i] = userItemTime[i][0];
            it[i] = userItemTime[i][1];
            r[i] = 1;
            t[i] = userItemTime[i][2];
        }
        return new Interactions(u, it, r, t);
    }

    @Test
    void holdsOutEachUsersLatestInteraction() {
        Interactions all = rows(new int[][] {{0, 1, 50}, {0, 2, 90}, {0, 3, 70}, {1, 4, 10}, {1, 5, 20}});
        LeaveOneOutSplit.Result r = LeaveOneOutSplit.split(all, 2, 20, 5, 1);
        assertArrayEquals(new int[] {0, 1}, r.test().users());
        assertArrayEquals(new int[] {2, 5}, r.test().items());
        assertEquals(3, r.train().size());
        for (int i = 0; i < r.train().size(); i++) {
            assertFalse(r.train().users()[i] == 0 && r.train().items()[i] == 2);
        }
    }

    @Test
    void repeatedInteractionsWithTheHeldOutItemLeaveTraining() {
        Interactions all = rows(new int[][] {{0, 7, 1}, {0, 8, 2}, {0, 7, 3}});
        LeaveOneOutSplit.Result r = LeaveOneOutSplit.split(all, 1, 20, 5, 1);
        assertEquals(7, r.test().items()[0]);
        assertArrayEquals(new int[] {8}, r.train().items());
    }

    @Test
    void usersWithOneDistinctItemStayInTrainingOnly() {
        Interactions all = rows(new int[][] {{0, 1, 1}, {1, 2, 1}, {1, 2, 5}, {2, 3, 1}, {2, 4, 2}});
        LeaveOneOutSplit.Result r = LeaveOneOutSplit.split(all, 3, 20, 5, 1);
        assertArrayEquals(new int[] {2}, r.test().users());
        assertEquals(4, r.train().size());
    }

    @Test
    void negativesAreDistinctUnseenItemsAndSeeded() {
        Interactions all = rows(new int[][] {{0, 1, 1}, {0, 2, 2}, {0, 3, 3}, {1, 1, 1}, {1, 9, 2}});
        LeaveOneOutSplit.Result a = LeaveOneOutSplit.split(all, 2, 30, 20, 7);
        LeaveOneOutSplit.Result b = LeaveOneOutSplit.split(all, 2, 30, 20, 7);
        LeaveOneOutSplit.Result c = LeaveOneOutSplit.split(all, 2, 30, 20, 8);
        assertArrayEquals(a.test().negItems(), b.test().negItems());
        assertNotEquals(java.util.Arrays.toString(a.test().negItems()), java.util.Arrays.toString(c.test().negItems()));
        for (int row = 0; row < a.test().size(); row++) {
            Set<Integer> seen = new HashSet<>();
            for (int j = a.test().negOffsets()[row]; j < a.test().negOffsets()[row + 1]; j++) {
                int item = a.test().negItems()[j];
                assertTrue(seen.add(item), "duplicate negative " + item);
                int user = a.test().users()[row];
                for (int i = 0; i < all.size(); i++) {
                    assertFalse(all.users()[i] == user && all.items()[i] == item, "negative " + item + " was seen");
                }
            }
            assertEquals(20, seen.size());
        }
    }

    @Test
    void withoutTimestampsTheHeldOutRowIsASeededRandomOne() {
        Interactions all = rows(new int[][] {{0, 1, -1}, {0, 2, -1}, {0, 3, -1}, {0, 4, -1}});
        int item = LeaveOneOutSplit.split(all, 1, 30, 5, 3).test().items()[0];
        assertEquals(item, LeaveOneOutSplit.split(all, 1, 30, 5, 3).test().items()[0]);
        Set<Integer> heldOut = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            heldOut.add(LeaveOneOutSplit.split(all, 1, 30, 5, seed).test().items()[0]);
        }
        assertEquals(Set.of(1, 2, 3, 4), heldOut, "every row can be the held-out one");
    }

    @Test
    void negativesFromALargeCatalogueAreDistinctAndUnseen() {
        Interactions all = rows(new int[][] {{0, 10, 1}, {0, 20, 2}, {0, 30, 3}});
        LeaveOneOutSplit.Result r = LeaveOneOutSplit.split(all, 1, 5000, 99, 11);
        Set<Integer> negs = new HashSet<>();
        for (int item : r.test().negItems()) {
            assertTrue(negs.add(item), "duplicate negative " + item);
            assertFalse(item == 10 || item == 20 || item == 30, "negative " + item + " was seen");
        }
        assertEquals(99, negs.size());
    }

    @Test
    void tooSmallCatalogueForTheNegativesIsAClearError() {
        Interactions all = rows(new int[][] {{0, 1, 1}, {0, 2, 2}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LeaveOneOutSplit.split(all, 1, 10, 99, 1));
        assertTrue(e.getMessage().contains("cannot sample 99 evaluation negatives"), e.getMessage());
    }
}
