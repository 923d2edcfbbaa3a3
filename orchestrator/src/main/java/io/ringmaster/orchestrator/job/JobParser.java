package io.ringmaster.orchestrator.job;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads job YAML into a {@link JobConfig}: a cluster profile's settings first as the defaults, then the
 * file, then {@code --set} overrides (values in YAML syntax; Hadoop and Spark properties taken whole).
 * Errors name the file or override, the key and the line, and never quote a {@code --set} value that may
 * be a secret.
 */
final class JobParser {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .setDefaultMergeable(true)
            // the job's fields are package-private (read elsewhere through accessors): bind them directly
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .setVisibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .registerModule(JobChoices.module());

    private JobParser() {
    }

    /** Reads a job file; errors name the file, the key and the line. */
    static JobConfig load(java.nio.file.Path file, List<String> overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JobConfigException(file + ": cannot read job file: " + e.getMessage(), e);
        }
        return parse(text, file.toString(), overrides);
    }

    /**
     * Parses job YAML, then applies {@code overrides} ({@code key.path=value}, value in YAML syntax,
     * e.g. {@code train.epochs=5} or {@code model.layers=[32,16,8]}).
     */
    static JobConfig parse(String yaml, String where, List<String> overrides) {
        JsonNode jobTree = read(where, () -> yaml.isBlank() ? null : YAML.readTree(yaml));
        if (jobTree != null && !jobTree.isObject() && !jobTree.isNull() && !jobTree.isMissingNode()) {
            throw new JobConfigException(where + ": a job file must be a YAML mapping of keys to values");
        }
        String clusterName = topLevelValue(jobTree, overrides, "cluster");
        String strategyName = topLevelValue(jobTree, overrides, "strategy");
        boolean batchSet = jobTree != null && jobTree.get("train") != null && jobTree.get("train").has("batch-size");
        for (String o : overrides) {
            String key = o.contains("=") ? o.substring(0, o.indexOf('=')).trim() : o;
            batchSet |= key.equals("train.batch-size");
        }
        JobConfig defaults = new JobConfig();
        ClusterProfile profile = clusterName == null ? null : ClusterProfile.load(clusterName);
        if (profile != null) {
            // the engine, BLAS threads and all-reduce settings of a profile are the ring's: DL4J's strategies
            // keep their own defaults
            profile.applyTo(defaults, strategyName == null || strategyName.equals("allreduce"));
        }
        JobConfig c = read(where, () -> yaml.isBlank() ? null : YAML.readerForUpdating(defaults).readValue(yaml));
        JobConfig base = c == null ? defaults : c;
        // a profile's train.batch-size-per-worker, when the job names no global batch size
        Integer perWorker = profile != null && !batchSet ? profile.train.batchSizePerWorker : null;
        if (overrides.isEmpty()) {
            return perWorkerBatch(base, perWorker).freeze();
        }
        ObjectNode tree = YAML.createObjectNode();
        for (int n = 0; n < overrides.size(); n++) {
            String o = overrides.get(n);
            int eq = o.indexOf('=');
            if (eq <= 0) { // not echoed: it may be a secret given without its key
                throw new JobConfigException("--set number " + (n + 1) + ": expected key.path=value, got "
                        + (eq == 0 ? "no key before '='" : "no '='"));
            }
            String key = o.substring(0, eq).trim();
            String[] keys = splitKey(key);
            ObjectNode node = tree;
            for (int i = 0; i < keys.length - 1; i++) {
                JsonNode child = node.get(keys[i]);
                node = child instanceof ObjectNode obj ? obj : node.putObject(keys[i]);
            }
            String value = o.substring(eq + 1).trim();
            JsonNode parsed;
            if (keys.length > 1 && isPassThrough(keys)) {
                // a Hadoop or Spark property: its value is the text as given (a secret may hold any
                // character YAML would read as syntax), less one pair of enclosing quotes
                parsed = value.isEmpty() ? null : YAML.getNodeFactory().textNode(unquote(value));
            } else {
                parsed = parseValue(key, value);
            }
            node.set(keys[keys.length - 1], parsed == null ? YAML.nullNode() : parsed);
        }
        JobConfig done = read("--set", false, () -> YAML.readerForUpdating(base).readValue(tree));
        return perWorkerBatch(done, perWorker).freeze();
    }

    private static JobConfig perWorkerBatch(JobConfig job, Integer perWorker) {
        if (perWorker != null) {
            job.train.batchSize = perWorker * job.workers;
        }
        return job;
    }

    /**
     * A top-level key's value before the job is bound (it picks the defaults the rest binds onto): the
     * last {@code --set} of it, else the job file's, else null.
     */
    private static String topLevelValue(JsonNode jobTree, List<String> overrides, String key) {
        String value = jobTree != null && jobTree.get(key) != null ? jobTree.get(key).asText() : null;
        for (String o : overrides) {
            String k = o.contains("=") ? o.substring(0, o.indexOf('=')).trim() : o;
            if (k.equals(key)) {
                value = o.substring(o.indexOf('=') + 1).trim().replaceAll("^'(.*)'$", "$1");
            }
        }
        return value;
    }

    /**
     * A {@code --set} key as a path: split at dots, except that whatever follows {@code hadoop.} or
     * {@code spark.conf.} is one property name ({@code hadoop.fs.s3a.secret.key} is the Hadoop key
     * {@code fs.s3a.secret.key}).
     */
    static String[] splitKey(String key) {
        if (key.startsWith("hadoop.") && key.length() > "hadoop.".length()) {
            return new String[] {"hadoop", key.substring("hadoop.".length())};
        }
        if (key.startsWith("spark.conf.") && key.length() > "spark.conf.".length()) {
            return new String[] {"spark", "conf", key.substring("spark.conf.".length())};
        }
        return key.split("\\.");
    }

    /**
     * The Hadoop properties among {@code --set} overrides ({@code hadoop.KEY=VALUE}), for reading a run
     * directory before its job is parsed (its credentials were redacted from {@code job.yaml}).
     */
    static Map<String, String> hadoopOverrides(List<String> overrides) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            String[] keys = eq > 0 ? splitKey(o.substring(0, eq).trim()) : new String[0];
            if (keys.length == 2 && keys[0].equals("hadoop")) {
                out.put(keys[1], unquote(o.substring(eq + 1).trim()));
            }
        }
        return out;
    }

    private static boolean isPassThrough(String[] path) {
        return path[0].equals("hadoop") || (path.length == 3 && path[0].equals("spark") && path[1].equals("conf"));
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** A {@code --set} value as YAML; an error names the key, never the value (it may be a secret). */
    private static JsonNode parseValue(String key, String value) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            return YAML.readTree(value);
        } catch (IOException e) {
            throw new JobConfigException("--set " + key + ": the value is not valid YAML (quote it: " + key
                    + "='...')");
        }
    }

    /** One {@code --set} override for {@link #parse}: {@code key=value}, strings quoted for YAML. */
    static String override(String key, Object value) {
        String v = value instanceof String s ? "'" + s.replace("'", "''") + "'" : String.valueOf(value);
        return key + "=" + v;
    }

    private interface Parse<T> {
        T run() throws IOException;
    }

    private static <T> T read(String where, Parse<T> parse) {
        return read(where, true, parse);
    }

    /** {@code showValues}: whether an error may quote the offending value (not for {@code --set}). */
    private static <T> T read(String where, boolean showValues, Parse<T> parse) {
        try {
            return parse.run();
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new JobConfigException(where + ": unknown key '" + path(e) + "'" + line(e) + "; known keys here: "
                    + known, e);
        } catch (InvalidFormatException e) {
            if (e.getTargetType() != null && e.getTargetType().isEnum()) { // a choice: its parse says what is allowed
                throw new JobConfigException(where + ": key '" + path(e) + "'" + line(e) + ": "
                        + e.getOriginalMessage(),
                        e);
            }
            throw new JobConfigException(where + ": key '" + path(e) + "'" + line(e) + ": "
                    + (showValues ? "'" + e.getValue() + "' is" : "the value is") + " not a valid "
                    + e.getTargetType().getSimpleName().toLowerCase(), e);
        } catch (MismatchedInputException e) {
            if (e.getPath().isEmpty()) {
                throw new JobConfigException(where + ": a job file must be a YAML mapping of keys to values", e);
            }
            throw new JobConfigException(where + ": key '" + path(e) + "'" + line(e) + ": wrong type ("
                    + (showValues ? e.getOriginalMessage().split("\n")[0] : e.getTargetType() == null ? "not shown"
                    : "expected " + e.getTargetType().getSimpleName()) + ")", e);
        } catch (JsonProcessingException e) {
            org.yaml.snakeyaml.error.MarkedYAMLException marked = null;
            for (Throwable t = e; t != null && marked == null; t = t.getCause()) {
                marked = t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m ? m : null;
            }
            if (marked != null && marked.getProblemMark() != null) { // the problem's own line, not its context's
                String problem = String.valueOf(marked.getProblem()).replace("\n", " ").strip();
                throw new JobConfigException(where + ": not valid YAML at line " + (marked.getProblemMark().getLine()
                        + 1)
                        + ", column " + (marked.getProblemMark().getColumn() + 1) + ": " + problem
                        + (problem.contains("TAB") ? " (indent with spaces)" : ""), e);
            }
            throw new JobConfigException(where + ": not valid YAML" + line(e) + ": "
                    + e.getOriginalMessage().replace("\n", " "), e);
        } catch (IOException e) {
            throw new JobConfigException(where + ": " + e.getMessage(), e);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String line(JsonProcessingException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " (line " + e.getLocation().getLineNr() + ")";
    }
}
