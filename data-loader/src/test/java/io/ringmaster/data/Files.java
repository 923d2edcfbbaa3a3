package io.ringmaster.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Test helper: write small text files. */
final class Files {

    private Files() {
    }

    static Path write(Path dir, String name, String... lines) {
        try {
            Path p = dir.resolve(name);
            java.nio.file.Files.writeString(p, lines.length == 0 ? "" : String.join("\n", lines) + "\n",
                    StandardCharsets.UTF_8);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
