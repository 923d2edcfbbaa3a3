package io.ringmaster.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InteractionFileReaderTest {

    @TempDir
    Path dir;

    private final Configuration conf = Storage.configuration();

    private RawInteractions read(Path file, InputFormat format) throws Exception {
        org.apache.hadoop.fs.Path p = Storage.path(file.toString());
        FileSystem fs = Storage.fs(p, conf);
        return InteractionFileReader.read(fs, p, format);
    }

    private DataFormatException readFails(Path file, InputFormat format) {
        return assertThrows(DataFormatException.class, () -> read(file, format));
    }

    private static void assertNames(DataFormatException e, Path file, int line, String fragment) {
        String m = e.getMessage();
        String where = line > 0 ? file + ":" + line + ":" : file.toString();
        assertTrue(m.startsWith(where), "message should start with " + where + ": " + m);
        assertTrue(m.contains(fragment), "message should mention '" + fragment + "': " + m);
    }

    @Test
    void readsMovieLensUData() throws Exception {
        Path f = Files.write(dir, "u.data", "196\t242\t3\t881250949", "186\t302\t3.5\t891717742", "",
                "22\t377\t1\t878887116");
        RawInteractions r = read(f, InputFormat.UDATA);
        assertEquals(3, r.size());
        assertEquals(186, r.user(1));
        assertEquals(302, r.item(1));
        assertEquals(3.5f, r.rating(1));
        assertEquals(891717742L, r.timestamp(1));
        assertTrue(r.hasTimestamps());
    }

    @Test
    void readsMovieLensRatingsDatWithWindowsLineEnds() throws Exception {
        Path f = Files.write(dir, "ratings.dat", "1::1193::5::978300760\r", "1::661::3::978302109\r");
        RawInteractions r = read(f, InputFormat.DAT);
        assertEquals(2, r.size());
        assertEquals(661, r.item(1));
        assertEquals(978302109L, r.timestamp(1));
    }

    @Test
    void readsCsvWithHeaderInAnyColumnOrderAndCommonNames() throws Exception {
        Path f = Files.write(dir, "ratings.csv", "movieId,userId,timestamp,rating", "31,1,1260759144,2.5",
                "1029,1,1260759179,3.0");
        RawInteractions r = read(f, InputFormat.CSV);
        assertEquals(2, r.size());
        assertEquals(1, r.user(0));
        assertEquals(31, r.item(0));
        assertEquals(2.5f, r.rating(0));
        assertEquals(1260759144L, r.timestamp(0));
    }

    @Test
    void csvHeaderAfterAByteOrderMarkIsRead() throws Exception {
        Path f = Files.write(dir, "excel.csv", "\uFEFFuser,item", "5,9");
        RawInteractions r = read(f, InputFormat.CSV);
        assertEquals(5, r.user(0));
        assertEquals(9, r.item(0));
    }

    @Test
    void csvWithoutRatingOrTimestampGetsDefaults() throws Exception {
        Path f = Files.write(dir, "clicks.csv", "user,item", "5,9", "5,10");
        RawInteractions r = read(f, InputFormat.CSV);
        assertEquals(1f, r.rating(0));
        assertEquals(-1L, r.timestamp(0));
        assertFalse(r.hasTimestamps());
    }

    @Test
    void readsNcfTrainFiles() throws Exception {
        Path f = Files.write(dir, "x.train.rating", "0\t5\t4\t100", "0\t7\t5\t101", "1\t5");
        RawInteractions r = read(f, InputFormat.NCF);
        assertEquals(3, r.size());
        assertEquals(1f, r.rating(2));
        assertEquals(-1L, r.timestamp(2));
    }

    @Test
    void wrongColumnCountNamesFileAndLine() {
        Path f = Files.write(dir, "u.data", "1\t2\t3\t4", "1\t2\t3");
        assertNames(readFails(f, InputFormat.UDATA), f, 2, "expected 4 tab-separated fields");
        Path dat = Files.write(dir, "ratings.dat", "1::2::3::4::5");
        assertNames(readFails(dat, InputFormat.DAT), dat, 1, "found 5");
        Path csv = Files.write(dir, "a.csv", "user,item,rating", "1,2,3", "1,2");
        assertNames(readFails(csv, InputFormat.CSV), csv, 3, "expected 3 comma-separated fields");
        Path ncf = Files.write(dir, "n.train.rating", "1");
        assertNames(readFails(ncf, InputFormat.NCF), ncf, 1, "expected 2 to 4");
    }

    @Test
    void nonNumericIdNamesFileLineAndValue() {
        Path f = Files.write(dir, "u.data", "1\t2\t3\t4", "", "alice\t2\t3\t4");
        assertNames(readFails(f, InputFormat.UDATA), f, 3, "non-numeric user id 'alice'");
        Path g = Files.write(dir, "b.csv", "user,item", "1,book-7");
        assertNames(readFails(g, InputFormat.CSV), g, 2, "non-numeric item id 'book-7'");
        Path h = Files.write(dir, "c.csv", "user,item,rating", "1,2,great");
        assertNames(readFails(h, InputFormat.CSV), h, 2, "non-numeric rating 'great'");
        Path t = Files.write(dir, "d.csv", "user,item,timestamp", "1,2,yesterday");
        assertNames(readFails(t, InputFormat.CSV), t, 2, "non-numeric timestamp");
    }

    @Test
    void emptyFilesAreRejected() {
        Path f = Files.write(dir, "u.data");
        assertNames(readFails(f, InputFormat.UDATA), f, 0, "file is empty");
        Path blank = Files.write(dir, "blank.csv", "", "  ");
        assertNames(readFails(blank, InputFormat.CSV), blank, 0, "file is empty");
        Path headerOnly = Files.write(dir, "h.csv", "user,item");
        assertNames(readFails(headerOnly, InputFormat.CSV), headerOnly, 0, "no data rows");
    }

    @Test
    void duplicateHeadersAreRejected() {
        Path dupCol = Files.write(dir, "a.csv", "user,item,userId", "1,2,3");
        assertNames(readFails(dupCol, InputFormat.CSV), dupCol, 1, "duplicate header column 'userId'");
        Path repeated = Files.write(dir, "b.csv", "user,item", "1,2", "user,item", "3,4");
        assertNames(readFails(repeated, InputFormat.CSV), repeated, 3, "duplicate header");
    }

    @Test
    void csvNeedsAHeaderNamingUserAndItem() {
        Path noHeader = Files.write(dir, "a.csv", "1,2,3", "4,5,6");
        assertNames(readFails(noHeader, InputFormat.CSV), noHeader, 1, "missing header");
        Path unknown = Files.write(dir, "b.csv", "user,product", "1,2");
        assertNames(readFails(unknown, InputFormat.CSV), unknown, 1, "unknown CSV column 'product'");
        Path noItem = Files.write(dir, "c.csv", "user,rating", "1,2");
        assertNames(readFails(noItem, InputFormat.CSV), noItem, 1, "must name a user and an item");
    }

    @Test
    void missingFileIsNamed() {
        Path f = dir.resolve("nope.data");
        assertNames(readFails(f, InputFormat.UDATA), f, 0, "file not found");
    }

    @Test
    void negativeTimestampsAreRejected() {
        Path f = Files.write(dir, "u.data", "1\t2\t3\t-5");
        assertNames(readFails(f, InputFormat.UDATA), f, 1, "negative timestamp");
    }
}
