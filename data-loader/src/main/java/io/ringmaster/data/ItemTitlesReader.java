package io.ringmaster.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads MovieLens item names: {@code u.item} ({@code id|title|...}) or {@code movies.dat}
 * ({@code id::title::genres}), both ISO-8859-1 encoded.
 */
public final class ItemTitlesReader {

    private ItemTitlesReader() {
    }

    public static Map<Long, String> read(FileSystem fs, Path file, String delimiter) throws IOException {
        Map<Long, String> titles = new HashMap<>();
        try (TextLines lines = new TextLines(fs, file, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = lines.next()) != null) {
                String[] f = TextLines.split(line, delimiter);
                if (f.length < 2) {
                    throw lines.error("expected at least 2 '" + delimiter + "'-separated fields (id, title), found "
                            + f.length);
                }
                long id = lines.parseId(f[0], "item");
                if (titles.put(id, f[1].trim()) != null) {
                    throw lines.error("item id " + id + " appears twice");
                }
            }
        }
        return titles;
    }
}
