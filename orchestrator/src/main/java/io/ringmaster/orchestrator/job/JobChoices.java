package io.ringmaster.orchestrator.job;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.ringmaster.data.loader.NullPolicy;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.ring.Compression;
import io.ringmaster.workers.ring.Integrity;
import io.ringmaster.workers.ring.Transport;
import io.ringmaster.workers.train.EmbeddingExchange;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.FaultInjection;
import java.io.IOException;
import java.util.Locale;
import java.util.function.Function;

/**
 * The job's choices bound straight to their enums: each is read with the enum's own {@code parse} (whose
 * message names the key and the allowed values) and written back as the id a job file uses.
 */
final class JobChoices {

    private JobChoices() {
    }

    static SimpleModule module() {
        SimpleModule m = new SimpleModule("ringmaster-job-choices");
        choice(m, Strategy.class, Strategy::parse, Strategy::id);
        choice(m, EngineKind.class, EngineKind::parse, EngineKind::id);
        choice(m, EmbeddingOptimizer.class, EmbeddingOptimizer::parse, EmbeddingOptimizer::id);
        choice(m, Compression.class, Compression::parse, Compression::id);
        choice(m, EmbeddingExchange.class, EmbeddingExchange::parse, EmbeddingExchange::id);
        choice(m, Transport.class, Transport::parse, Transport::id);
        choice(m, Integrity.class, Integrity::parse, Integrity::id);
        choice(m, FaultInjection.Kind.class, FaultInjection.Kind::parse, FaultInjection.Kind::id);
        choice(m, LoaderMode.class, LoaderMode::parse, LoaderMode::id);
        choice(m, NullPolicy.class, t -> NullPolicy.parse(t), p -> p.name().toLowerCase(Locale.ROOT));
        return m;
    }

    private static <E> void choice(SimpleModule m, Class<E> type, Function<String, E> parse, Function<E, String> id) {
        m.addDeserializer(type, new StdDeserializer<E>(type) {
            @Override
            public E deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                String text = p.getValueAsString();
                try {
                    return parse.apply(text == null ? p.getText() : text);
                } catch (IllegalArgumentException e) {
                    throw InvalidFormatException.from(p, e.getMessage(), text, type);
                }
            }
        });
        m.addSerializer(type, new StdSerializer<E>(type) {
            @Override
            public void serialize(E value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(id.apply(value));
            }
        });
    }
}
