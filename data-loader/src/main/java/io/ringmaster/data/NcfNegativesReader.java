package io.ringmaster.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads the NCF {@code NAME.test.negative} file: one line per test user,
 * {@code (user,item)} followed by that user's sampled negative items, tab-separated.
 */
public final class NcfNegativesReader {

    /** Raw-id test rows: the held-out (user, item) pair and its negatives. */
    public record RawTest(long[] users, long[] items, long[][] negatives) {
    }

    private NcfNegativesReader() {
    }

    public static RawTest read(FileSystem fs, Path file) throws IOException {
        List<long[]> rows = new ArrayList<>();
        List<long[]> negs = new ArrayList<>();
        try (TextLines lines = new TextLines(fs, file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.next()) != null) {
                String[] f = TextLines.split(line, "\t");
                String pair = f[0].trim();
                if (!pair.startsWith("(") || !pair.endsWith(")") || pair.indexOf(',') < 0) {
                    throw lines.error("expected '(user,item)' as the first field, found '" + pair + "'");
                }
                String[] ui = TextLines.split(pair.substring(1, pair.length() - 1), ",");
                if (ui.length != 2) {
                    throw lines.error("expected '(user,item)' as the first field, found '" + pair + "'");
                }
                if (f.length < 2) {
                    throw lines.error("no negative items after " + pair);
                }
                long[] n = new long[f.length - 1];
                for (int i = 1; i < f.length; i++) {
                    n[i - 1] = lines.parseId(f[i], "negative item");
                }
                rows.add(new long[] {lines.parseId(ui[0], "user"), lines.parseId(ui[1], "item")});
                negs.add(n);
            }
            if (rows.isEmpty()) {
                throw new DataFormatException(lines.file() + ": file is empty (no test users)");
            }
        }
        long[] users = new long[rows.size()];
        long[] items = new long[rows.size()];
        for (int i = 0; i < users.length; i++) {
            users[i] = rows.get(i)[0];
            items[i] = rows.get(i)[1];
        }
        return new RawTest(users, items, negs.toArray(new long[0][]));
    }
}
