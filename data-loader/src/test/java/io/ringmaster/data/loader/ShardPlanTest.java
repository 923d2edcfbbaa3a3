package io.ringmaster.data.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.DataFormatException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShardPlanTest {

    static List<RowGroupRef> uneven(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<RowGroupRef> groups = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            groups.add(new RowGroupRef(g % 3, "f" + g % 3, g, 1 + rnd.nextInt(1000), 1));
        }
        return groups;
    }

    @Test
    void shardsAreDisjointCoverEveryRowGroupOnceAndRunEqualSteps() {
        for (int ranks = 1; ranks <= 8; ranks++) {
            List<RowGroupRef> groups = uneven(37, ranks);
            long total = groups.stream().mapToLong(RowGroupRef::rows).sum();
            long biggest = groups.stream().mapToLong(RowGroupRef::rows).max().orElseThrow();
            for (int epoch = 0; epoch < 3; epoch++) {
                ShardPlan p = ShardPlan.of(groups, ranks, 7, epoch, 64, "test");
                Set<RowGroupRef> seen = new HashSet<>();
                long rows = 0;
                long min = Long.MAX_VALUE;
                long max = 0;
                for (int r = 0; r < ranks; r++) {
                    for (RowGroupRef g : p.shard(r)) {
                        assertTrue(seen.add(g), "row group " + g + " in two shards");
                    }
                    assertEquals(p.shard(r).stream().mapToLong(RowGroupRef::rows).sum(), p.rows(r));
                    rows += p.rows(r);
                    min = Math.min(min, p.rows(r));
                    max = Math.max(max, p.rows(r));
                    assertTrue(p.rowsPerRank() >= p.rows(r), "every rank's rows fit its padded steps");
                }
                assertEquals(groups.size(), seen.size(), "every row group once");
                assertEquals(total, rows, "every row once");
                assertTrue(max - min <= biggest, "balanced by rows: " + min + ".." + max);
                assertEquals((max + 63) / 64, p.stepsPerEpoch());
            }
        }
    }

    @Test
    void shardsChangeWithTheEpochAndRepeatWithTheSeed() {
        List<RowGroupRef> groups = uneven(20, 1);
        assertEquals(ShardPlan.of(groups, 4, 9, 2, 32, "t").shard(1), ShardPlan.of(groups, 4, 9, 2, 32, "t").shard(1));
        assertNotEquals(ShardPlan.of(groups, 4, 9, 2, 32, "t").shard(1), ShardPlan.of(groups, 4, 9, 3, 32,
                "t").shard(1));
    }

    @Test
    void fewerRowGroupsThanWorkersIsAClearError() {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> ShardPlan.of(uneven(3, 1), 4, 1, 0, 32, "hdfs://nn/data/train"));
        assertTrue(e.getMessage().contains("hdfs://nn/data/train: 3 row group(s) for 4 workers"), e.getMessage());
        assertTrue(e.getMessage().contains("--row-group-mb"), e.getMessage());
    }
}
