package io.ringmaster.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestTest {

    @TempDir
    Path dir;

    private final Configuration conf = Storage.configuration();

    private Ingest.Result ingest(Path p) throws IOException {
        return Ingest.ingest(conf, p.toString(), new Ingest.Options(null, 3, 42));
    }

    @Test
    void ncfSplitKeepsItsTestNegativesAndDenseIds() throws IOException {
        Files.write(dir, "tiny.train.rating", "0\t0\t5\t10", "0\t1\t4\t11", "1\t2\t3\t12", "1\t0\t2\t13");
        Files.write(dir, "tiny.test.negative", "(0,2)\t3\t4", "(1,1)\t3\t4");
        Files.write(dir, "tiny.test.rating", "0\t2\t5\t20", "1\t1\t4\t21");
        Ingest.Result r = ingest(dir);
        Dataset ds = r.dataset();
        assertEquals("tiny", ds.name());
        assertEquals(2, ds.numUsers());
        assertEquals(5, ds.numItems());
        assertTrue(ds.userIds().isIdentity());
        assertTrue(ds.itemIds().isIdentity());
        assertEquals(4, ds.train().size());
        assertArrayEquals(new int[] {2, 1}, ds.test().items());
        assertArrayEquals(new int[] {3, 4, 3, 4}, ds.test().negItems());
        assertEquals("ncf", r.source().format());
        assertEquals(3, r.source().sha256().size());
        assertTrue(r.split().startsWith("ncf test.negative"));
    }

    @Test
    void ncfSplitBesideMovieLensFilesGetsTitlesWhenItsIdsProvablyMatch() throws IOException {
        Files.write(dir, "tiny.train.rating", "0\t0\t5\t10", "0\t1\t4\t11", "1\t2\t3\t12", "1\t0\t2\t13");
        Files.write(dir, "tiny.test.negative", "(0,2)\t3\t4", "(1,1)\t3\t4");
        // MovieLens numbers from 1: split id 0 is MovieLens id 1
        Files.write(dir, "u.data", "1\t1\t5\t10", "1\t2\t4\t11", "2\t3\t3\t12", "2\t1\t2\t13");
        Files.write(dir, "u.item", "1|Alpha (1990)|x", "2|Beta (1991)|x", "3|Gamma (1992)|x", "4|Delta|x", "5|Eps|x");
        Dataset ds = ingest(dir).dataset();
        assertEquals("Alpha (1990)", ds.itemTitles()[0]);
        assertEquals("Eps", ds.itemTitles()[4]);

        // a u.data that does not match the split: no titles rather than wrong ones
        Files.write(dir, "u.data", "9\t9\t5\t99");
        assertEquals(null, ingest(dir).dataset().itemTitles());
    }

    @Test
    void ncfTestItemThatIsAlsoATrainingInteractionIsRejected() {
        Files.write(dir, "t.train.rating", "0\t0\t5\t10", "0\t1\t4\t11");
        Path neg = Files.write(dir, "t.test.negative", "(0,1)\t3\t4");
        DataFormatException e = assertThrows(DataFormatException.class, () -> ingest(dir));
        assertTrue(e.getMessage().startsWith(neg.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("leak"), e.getMessage());
    }

    @Test
    void ncfNegativeThatTheUserInteractedWithIsRejected() {
        Files.write(dir, "t.train.rating", "0\t0\t5\t10", "0\t1\t4\t11");
        Files.write(dir, "t.test.negative", "(0,2)\t3\t0");
        DataFormatException e = assertThrows(DataFormatException.class, () -> ingest(dir));
        assertTrue(e.getMessage().contains("negative item 0 of user 0"), e.getMessage());
    }

    @Test
    void ncfSplitNeedsItsTestNegativeFile() {
        Path train = Files.write(dir, "t.train.rating", "0\t0\t5\t10");
        DataFormatException e = assertThrows(DataFormatException.class, () -> ingest(train));
        assertTrue(e.getMessage().contains("t.test.negative: file not found"), e.getMessage());
    }

    @Test
    void ncfFormatNeedsTheTrainRatingFile() {
        Path odd = Files.write(dir, "x.rating", "0\t0\t5\t10");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Ingest.ingest(conf, odd.toString(), new Ingest.Options(InputFormat.NCF, 3, 1)));
        assertTrue(e.getMessage().startsWith(odd.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("NAME.train.rating"), e.getMessage());
    }

    @Test
    void ncfTestRatingThatDisagreesIsRejected() {
        Files.write(dir, "t.train.rating", "0\t0\t5\t10", "0\t1\t4\t11");
        Files.write(dir, "t.test.negative", "(0,2)\t3\t4");
        Files.write(dir, "t.test.rating", "0\t3\t5\t20");
        DataFormatException e = assertThrows(DataFormatException.class, () -> ingest(dir));
        assertTrue(e.getMessage().contains("disagrees with t.test.rating"), e.getMessage());
    }

    @Test
    void movieLensDirectoryGetsALeaveOneOutSplitAndTitles() throws IOException {
        Files.write(dir, "u.data", "7\t100\t5\t1", "7\t200\t4\t2", "7\t300\t3\t3", "9\t100\t5\t1", "9\t400\t1\t9");
        Files.write(dir, "u.item", "100|Alpha (1995)|x", "200|Beta|x", "300|Gamma|x", "400|Delta|x", "500|Eps|x",
                "600|Zeta|x", "700|Eta|x");
        Ingest.Result r = Ingest.ingest(conf, dir.toString(), new Ingest.Options(null, 1, 42));
        Dataset ds = r.dataset();
        assertEquals(2, ds.numUsers());
        assertEquals(4, ds.numItems(), "only items with interactions are indexed");
        assertArrayEquals(new long[] {7, 9}, ds.userIds().rawIds());
        assertArrayEquals(new long[] {100, 200, 300, 400}, ds.itemIds().rawIds());
        assertArrayEquals(new String[] {"Alpha (1995)", "Beta", "Gamma", "Delta"}, ds.itemTitles());
        assertArrayEquals(new int[] {2, 3}, ds.test().items(), "latest items: 300 for user 7, 400 for user 9");
        assertEquals(3, ds.train().size());
        assertEquals("udata", r.source().format());
        assertTrue(r.split().startsWith("leave-one-out"));
    }

    @Test
    void headedCsvHasNoTitles() throws IOException {
        Path csv = Files.write(dir, "events.csv", "user,item", "1,1", "1,2", "2,3", "2,4", "2,5", "3,6", "3,7");
        Dataset ds = Ingest.ingest(conf, csv.toString(), new Ingest.Options(null, 2, 1)).dataset();
        assertNull(ds.itemTitles());
        assertEquals(3, ds.test().size());
    }

    @Test
    void unknownLayoutSaysWhatWasLookedFor() throws IOException {
        Files.write(dir, "notes.txt", "hello");
        DataFormatException e = assertThrows(DataFormatException.class, () -> ingest(dir));
        assertTrue(e.getMessage().contains("no interactions file found"), e.getMessage());
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
        Path odd = Files.write(dir, "ratings.bin", "x");
        DataFormatException f = assertThrows(DataFormatException.class, () -> ingest(odd));
        assertTrue(f.getMessage().contains("pass --format"), f.getMessage());
    }

    @Test
    void malformedTitleFileIsNotSilentlyIgnored() {
        Files.write(dir, "u.data", "7\t100\t5\t1", "7\t200\t4\t2", "8\t300\t4\t2", "8\t400\t4\t3");
        Path items = Files.write(dir, "u.item", "100|Alpha", "two hundred|Beta");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Ingest.ingest(conf, dir.toString(), new Ingest.Options(null, 1, 1)));
        assertTrue(e.getMessage().startsWith(items + ":2:"), e.getMessage());
    }
}
