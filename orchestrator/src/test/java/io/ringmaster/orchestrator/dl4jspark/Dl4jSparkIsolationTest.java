package io.ringmaster.orchestrator.dl4jspark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Only this package may use the M2-only, deprecated DL4J Spark modules. */
class Dl4jSparkIsolationTest {

    private static final List<String> ISOLATED = List.of("org.deeplearning4j.spark.", "org.nd4j.parameterserver.",
            "org.deeplearning4j.parallelism.", "io.aeron.");

    @Test
    void noOtherSourceImportsTheDl4jSparkModules() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent(); // the checkout: tests run in orchestrator/
        List<String> offenders = new java.util.ArrayList<>();
        for (String module : List.of("data-loader", "workers", "orchestrator")) {
            try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src"))) {
                files.filter(p -> p.toString().endsWith(".java"))
                        .filter(p -> !p.toString().contains("/io/ringmaster/orchestrator/dl4jspark/"))
                        .filter(Dl4jSparkIsolationTest::usesIsolatedModules)
                        .forEach(p -> offenders.add(root.relativize(p).toString()));
            }
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    void workersAndDataLoaderDoNotDependOnThem() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        for (String module : List.of("workers", "data-loader")) {
            String pom = Files.readString(root.resolve(module).resolve("pom.xml"));
            assertEquals(false, pom.contains("dl4j-spark"), module + "/pom.xml names a dl4j-spark module");
        }
    }

    private static boolean usesIsolatedModules(Path p) {
        try {
            String text = Files.readString(p);
            return ISOLATED.stream().anyMatch(text::contains);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
