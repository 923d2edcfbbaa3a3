package io.ringmaster.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NcfNegativesReaderTest {

    @TempDir
    Path dir;

    private NcfNegativesReader.RawTest read(Path f) throws Exception {
        var p = Storage.path(f.toString());
        return NcfNegativesReader.read(Storage.fs(p, Storage.configuration()), p);
    }

    @Test
    void readsPairsAndNegatives() throws Exception {
        Path f = Files.write(dir, "x.test.negative", "(0,101)\t5\t6\t7", "(1,280)\t8\t9");
        NcfNegativesReader.RawTest t = read(f);
        assertArrayEquals(new long[] {0, 1}, t.users());
        assertArrayEquals(new long[] {101, 280}, t.items());
        assertArrayEquals(new long[] {5, 6, 7}, t.negatives()[0]);
        assertArrayEquals(new long[] {8, 9}, t.negatives()[1]);
    }

    @Test
    void malformedPairNamesLine() {
        Path f = Files.write(dir, "x.test.negative", "(0,101)\t5", "0,101\t5");
        DataFormatException e = assertThrows(DataFormatException.class, () -> read(f));
        assertTrue(e.getMessage().startsWith(f + ":2:"), e.getMessage());
        assertTrue(e.getMessage().contains("'(user,item)'"), e.getMessage());
    }

    @Test
    void lineWithoutNegativesIsRejected() {
        Path f = Files.write(dir, "x.test.negative", "(0,101)");
        DataFormatException e = assertThrows(DataFormatException.class, () -> read(f));
        assertTrue(e.getMessage().contains(":1: no negative items"), e.getMessage());
    }

    @Test
    void nonNumericNegativeNamesLine() {
        Path f = Files.write(dir, "x.test.negative", "(0,101)\t5\tx7");
        DataFormatException e = assertThrows(DataFormatException.class, () -> read(f));
        assertTrue(e.getMessage().contains(":1: non-numeric negative item id 'x7'"), e.getMessage());
    }
}
