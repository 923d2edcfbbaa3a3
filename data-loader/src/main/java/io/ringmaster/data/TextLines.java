package io.ringmaster.data;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads a text file line by line through Hadoop's FileSystem, tracking line numbers for error
 * messages, dropping a trailing carriage return and skipping blank lines.
 */
final class TextLines implements Closeable {

    private final BufferedReader reader;
    private final String file;
    private long lineNo;

    TextLines(FileSystem fs, Path path, Charset charset) throws IOException {
        this.file = Storage.display(path);
        if (!fs.exists(path)) {
            throw new DataFormatException(file + ": file not found");
        }
        if (fs.getFileStatus(path).isDirectory()) {
            throw new DataFormatException(file + ": is a directory, expected a file");
        }
        this.reader = new BufferedReader(new InputStreamReader(fs.open(path), charset), 1 << 16);
    }

    /** The next non-blank line, or null at end of file. */
    String next() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1); // byte-order mark written by some editors and Excel
            }
            if (!line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
                line = line.substring(0, line.length() - 1);
            }
            if (!line.isBlank()) {
                return line;
            }
        }
        return null;
    }

    long lineNo() {
        return lineNo;
    }

    String file() {
        return file;
    }

    DataFormatException error(String message) {
        return DataFormatException.at(file, lineNo, message);
    }

    /** Splits on a literal delimiter, keeping empty fields. */
    static String[] split(String line, String delimiter) {
        List<String> out = new ArrayList<>(8);
        int from = 0;
        int at;
        while ((at = line.indexOf(delimiter, from)) >= 0) {
            out.add(line.substring(from, at));
            from = at + delimiter.length();
        }
        out.add(line.substring(from));
        return out.toArray(new String[0]);
    }

    long parseId(String field, String what) {
        String f = field.trim();
        try {
            return Long.parseLong(f);
        } catch (NumberFormatException e) {
            throw error("non-numeric " + what + " id '" + f + "' (ids must be integers)");
        }
    }

    float parseRating(String field) {
        String f = field.trim();
        float r;
        try {
            r = Float.parseFloat(f);
        } catch (NumberFormatException e) {
            throw error("non-numeric rating '" + f + "'");
        }
        if (!Float.isFinite(r)) {
            throw error("rating '" + f + "' is not a finite number");
        }
        return r;
    }

    long parseTimestamp(String field) {
        String f = field.trim();
        long t;
        try {
            t = Long.parseLong(f);
        } catch (NumberFormatException e) {
            throw error("non-numeric timestamp '" + f + "' (expected integer seconds)");
        }
        if (t < 0) {
            throw error("negative timestamp " + t);
        }
        return t;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
