package io.ringmaster.orchestrator.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Keeps credentials out of what Ringmaster writes and prints: the values of credential-like
 * {@code hadoop} and {@code spark.conf} keys become {@code <redacted>}.
 */
final class CredentialRedaction {

    /** What a credential's value becomes. */
    static final String REDACTED = "<redacted>";

    private CredentialRedaction() {
    }

    /**
     * The resolved job as YAML with the values of credential-like {@code hadoop} and {@code spark.conf}
     * keys (access keys, secrets, passwords, tokens, SAS, account keys) replaced by {@code <redacted>}:
     * what goes into the run directory and logs.
     */
    static String redactedYaml(JobConfig job) {
        try {
            ObjectNode tree = JobParser.YAML.valueToTree(job);
            redact(tree.get("hadoop"));
            JsonNode sparkNode = tree.get("spark");
            if (sparkNode != null) {
                redact(sparkNode.get("conf"));
            }
            return JobParser.YAML.writeValueAsString(tree);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot serialise job", e);
        }
    }

    /**
     * A job file's text (a study file: a job plus other sections) with its {@code hadoop} and
     * {@code spark.conf} credential values redacted; other text is kept as parsed YAML.
     */
    static String redactedYaml(String yaml) {
        try {
            JsonNode tree = JobParser.YAML.readTree(yaml);
            if (tree instanceof ObjectNode obj) {
                redact(obj.get("hadoop"));
                JsonNode sparkNode = obj.get("spark");
                if (sparkNode != null) {
                    redact(sparkNode.get("conf"));
                }
            }
            return JobParser.YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read job text to redact it", e);
        }
    }

    /** A {@code key=value} override with its value redacted when the key names a credential. */
    static String redactedOverride(String override) {
        int eq = override.indexOf('=');
        return eq > 0 && isCredential(override.substring(0, eq)) ? override.substring(0, eq + 1) + REDACTED : override;
    }

    private static final java.util.Set<String> CREDENTIAL_WORDS = java.util.Set.of("key", "accountkey", "accesskey",
            "secret", "secretkey", "password", "passwd", "token", "sas", "credential", "credentials");

    /**
     * True for configuration keys whose values are credentials: a word of the key (split at '.', '_',
     * '-' and camelCase) is key, secret, password, token, sas or credential(s); providers and types
     * (class names) are not.
     */
    static boolean isCredential(String key) {
        String lower = key.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("provider") || lower.endsWith(".type") || lower.endsWith("provider.type")) {
            return false;
        }
        for (String word : key.split("[._\\-]|(?<=[a-z0-9])(?=[A-Z])")) {
            if (CREDENTIAL_WORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static void redact(JsonNode section) {
        if (section instanceof ObjectNode obj) {
            List<String> names = new java.util.ArrayList<>();
            obj.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                if (isCredential(n)) {
                    obj.put(n, REDACTED);
                }
            }
        }
    }
}
