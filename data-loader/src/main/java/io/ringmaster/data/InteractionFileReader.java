package io.ringmaster.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads one interactions file (MovieLens {@code u.data} or {@code ratings.dat}, headed CSV, or an
 * NCF {@code .train.rating} file) into raw ids. Any malformed line fails the whole read with the file
 * and line named.
 */
public final class InteractionFileReader {

    /** Accepted CSV header names, by column. */
    private static final Map<String, String> CSV_ALIASES = new LinkedHashMap<>();

    static {
        for (String s : new String[] {"user", "user_id", "userid", "uid"}) {
            CSV_ALIASES.put(s, "user");
        }
        for (String s : new String[] {"item", "item_id", "itemid", "movie", "movie_id", "movieid", "iid"}) {
            CSV_ALIASES.put(s, "item");
        }
        for (String s : new String[] {"rating", "score", "value"}) {
            CSV_ALIASES.put(s, "rating");
        }
        for (String s : new String[] {"timestamp", "ts", "time"}) {
            CSV_ALIASES.put(s, "timestamp");
        }
    }

    private InteractionFileReader() {
    }

    public static RawInteractions read(FileSystem fs, Path file, InputFormat format) throws IOException {
        try (TextLines lines = new TextLines(fs, file, StandardCharsets.UTF_8)) {
            RawInteractions out = new RawInteractions();
            switch (format) {
                case UDATA, DAT -> readFixed(lines, format, out);
                case NCF -> readNcfTrain(lines, out);
                case CSV -> readCsv(lines, out);
                default -> throw new IllegalArgumentException("unhandled format " + format);
            }
            return out;
        }
    }

    private static void readFixed(TextLines lines, InputFormat format, RawInteractions out) throws IOException {
        String line;
        while ((line = lines.next()) != null) {
            String[] f = TextLines.split(line, format.delimiter());
            if (f.length != 4) {
                throw lines.error("expected 4 " + format.delimiterName()
                        + "-separated fields (user, item, rating, timestamp), found " + f.length);
            }
            out.add(lines.parseId(f[0], "user"), lines.parseId(f[1], "item"), lines.parseRating(f[2]),
                    lines.parseTimestamp(f[3]));
        }
        if (out.size() == 0) {
            throw new DataFormatException(lines.file() + ": file is empty (no interactions)");
        }
    }

    private static void readNcfTrain(TextLines lines, RawInteractions out) throws IOException {
        String line;
        while ((line = lines.next()) != null) {
            String[] f = TextLines.split(line, "\t");
            if (f.length < 2 || f.length > 4) {
                throw lines.error("expected 2 to 4 tab-separated fields (user, item[, rating[, timestamp]]), found "
                        + f.length);
            }
            out.add(lines.parseId(f[0], "user"), lines.parseId(f[1], "item"),
                    f.length > 2 ? lines.parseRating(f[2]) : 1f,
                    f.length > 3 ? lines.parseTimestamp(f[3]) : -1);
        }
        if (out.size() == 0) {
            throw new DataFormatException(lines.file() + ": file is empty (no interactions)");
        }
    }

    private static void readCsv(TextLines lines, RawInteractions out) throws IOException {
        String header = lines.next();
        if (header == null) {
            throw new DataFormatException(lines.file() + ": file is empty (expected a header line such as"
                    + " user,item,rating,timestamp)");
        }
        String[] names = TextLines.split(header, ",");
        int user = -1;
        int item = -1;
        int rating = -1;
        int timestamp = -1;
        String[] canonical = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            String raw = names[i].trim();
            if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
                raw = raw.substring(1, raw.length() - 1);
            }
            String c = CSV_ALIASES.get(raw.toLowerCase(Locale.ROOT));
            if (c == null) {
                if (!raw.isEmpty() && (Character.isDigit(raw.charAt(0)) || raw.charAt(0) == '-')) {
                    throw lines.error("missing header: first line is data ('" + header
                            + "'); CSV input needs a header such as user,item,rating,timestamp");
                }
                throw lines.error("unknown CSV column '" + raw + "'; accepted names: " + CSV_ALIASES.keySet());
            }
            for (int j = 0; j < i; j++) {
                if (c.equals(canonical[j])) {
                    throw lines.error("duplicate header column '" + raw + "' (column " + (i + 1) + " repeats '"
                            + c + "' of column " + (j + 1) + ")");
                }
            }
            canonical[i] = c;
            switch (c) {
                case "user" -> user = i;
                case "item" -> item = i;
                case "rating" -> rating = i;
                default -> timestamp = i;
            }
        }
        if (user < 0 || item < 0) {
            throw lines.error("CSV header must name a user and an item column, got " + Arrays.toString(names));
        }
        String line;
        while ((line = lines.next()) != null) {
            String[] f = TextLines.split(line, ",");
            if (line.equals(header)) {
                throw lines.error("duplicate header: the header line appears again (concatenated files?)");
            }
            if (f.length != names.length) {
                throw lines.error("expected " + names.length + " comma-separated fields as in the header, found "
                        + f.length);
            }
            out.add(lines.parseId(f[user], "user"), lines.parseId(f[item], "item"),
                    rating >= 0 ? lines.parseRating(f[rating]) : 1f,
                    timestamp >= 0 ? lines.parseTimestamp(f[timestamp]) : -1);
        }
        if (out.size() == 0) {
            throw new DataFormatException(lines.file() + ": has a header but no data rows");
        }
    }
}
