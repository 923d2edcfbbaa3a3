package io.ringmaster.orchestrator.spark;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The module flags ({@code --add-opens}, {@code --add-exports}) this JVM runs with, for JVMs it starts or
 * describes.
 */
public final class JvmFlags {

    private JvmFlags() {
    }

    public static List<String> moduleFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports"))
                .toList();
    }
}
