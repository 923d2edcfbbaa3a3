package io.ringmaster.orchestrator.score;

import io.ringmaster.data.Storage;
import io.ringmaster.workers.export.ModelBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Model bundles loaded once per JVM (driver or executor), not per row or partition. */
public final class BundleCache {

    private static final Map<String, ModelBundle> LOADED = new ConcurrentHashMap<>();
    private static final Map<String, Integer> LOADS = new ConcurrentHashMap<>();

    private BundleCache() {
    }

    public static ModelBundle get(String uri, Map<String, String> hadoop) {
        return LOADED.computeIfAbsent(uri, u -> {
            try {
                LOADS.merge(u, 1, Integer::sum);
                return ModelBundle.load(Storage.configuration(hadoop), u);
            } catch (IOException e) {
                throw new UncheckedIOException(u + ": " + e.getMessage(), e);
            }
        });
    }

    /** Times this JVM has loaded the bundle at {@code uri} (tests check it stays at one). */
    public static int loads(String uri) {
        return LOADS.getOrDefault(uri, 0);
    }
}
