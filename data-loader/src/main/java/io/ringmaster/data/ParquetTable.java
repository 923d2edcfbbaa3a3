package io.ringmaster.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Flat Parquet tables of primitive columns, written from and read into primitive arrays (no per-row
 * objects). Column types: {@code int32}, {@code int64}, {@code float}, {@code string} (UTF-8, the
 * only nullable one).
 */
public final class ParquetTable {

    /** Column kinds Ringmaster stores. */
    public enum Kind { INT32, INT64, FLOAT, STRING }

    /** A column to write: exactly one of the arrays matching {@code kind} is set. */
    public record Column(String name, Kind kind, int[] ints, long[] longs, float[] floats, String[] strings) {

        public static Column ints(String name, int[] values) {
            return new Column(name, Kind.INT32, values, null, null, null);
        }

        public static Column longs(String name, long[] values) {
            return new Column(name, Kind.INT64, null, values, null, null);
        }

        public static Column floats(String name, float[] values) {
            return new Column(name, Kind.FLOAT, null, null, values, null);
        }

        public static Column strings(String name, String[] values) {
            return new Column(name, Kind.STRING, null, null, null, values);
        }

        int rows() {
            return switch (kind) {
                case INT32 -> ints.length;
                case INT64 -> longs.length;
                case FLOAT -> floats.length;
                case STRING -> strings.length;
            };
        }

        Type type() {
            return switch (kind) {
                case INT32 -> Types.required(PrimitiveTypeName.INT32).named(name);
                case INT64 -> Types.required(PrimitiveTypeName.INT64).named(name);
                case FLOAT -> Types.required(PrimitiveTypeName.FLOAT).named(name);
                case STRING -> Types.optional(PrimitiveTypeName.BINARY)
                        .as(LogicalTypeAnnotation.stringType()).named(name);
            };
        }
    }

    private ParquetTable() {
    }

    /** Writes {@code columns} (all of equal length) as one Parquet file, SNAPPY-compressed. */
    public static void write(Configuration conf, Path file, String tableName, List<Column> columns) throws IOException {
        write(conf, file, tableName, columns, ParquetWriter.DEFAULT_BLOCK_SIZE);
    }

    /**
     * Writes {@code columns} as one SNAPPY-compressed Parquet file whose row groups hold about
     * {@code rowGroupBytes} each (Parquet checks the size every 100 to 10,000 rows, so small groups
     * come out approximate).
     */
    public static void write(Configuration conf, Path file, String tableName, List<Column> columns,
                             long rowGroupBytes) throws IOException {
        int rows = columns.get(0).rows();
        List<Type> fields = new ArrayList<>();
        for (Column c : columns) {
            if (c.rows() != rows) {
                throw new IllegalArgumentException("column " + c.name() + " has " + c.rows() + " rows, expected "
                        + rows);
            }
            fields.add(c.type());
        }
        MessageType schema = new MessageType(tableName, fields);
        try (ParquetWriter<Integer> writer = new RowWriterBuilder(file, schema, columns)
                .withConf(conf)
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withRowGroupSize(rowGroupBytes)
                .build()) {
            for (int r = 0; r < rows; r++) {
                writer.write(r);
            }
        }
    }

    /** Reads the named columns of a file; each array in the result has one entry per row. */
    public static Map<String, Object> read(Configuration conf, Path file, Map<String, Kind> wanted) throws IOException {
        String display = Storage.display(file);
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            long total = reader.getRecordCount();
            if (total > Integer.MAX_VALUE) {
                throw new DataFormatException(display + ": " + total + " rows is more than one table can hold");
            }
            int rows = (int) total;
            List<Type> projected = new ArrayList<>();
            Map<String, Object> out = new HashMap<>();
            for (Map.Entry<String, Kind> e : wanted.entrySet()) {
                String name = e.getKey();
                if (!schema.containsField(name)) {
                    throw new DataFormatException(display + ": column '" + name + "' is missing (file has "
                            + schema.getFields().stream().map(Type::getName).toList() + ")");
                }
                Type t = schema.getType(name);
                checkKind(display, t, e.getValue());
                projected.add(t);
                out.put(name, switch (e.getValue()) {
                    case INT32 -> new int[rows];
                    case INT64 -> new long[rows];
                    case FLOAT -> new float[rows];
                    case STRING -> new String[rows];
                });
            }
            MessageType projection = new MessageType(schema.getName(), projected);
            reader.setRequestedSchema(projection);
            String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
            int base = 0;
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                int n = (int) pages.getRowCount();
                ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages,
                        new GroupRecordConverter(projection).getRootConverter(), projection, createdBy);
                for (Map.Entry<String, Kind> e : wanted.entrySet()) {
                    ColumnDescriptor cd = projection.getColumnDescription(new String[] {e.getKey()});
                    readColumn(display, store.getColumnReader(cd), cd, e.getValue(), out.get(e.getKey()), base, n);
                }
                base += n;
            }
            if (base != rows) {
                throw new DataFormatException(display + ": footer says " + rows + " rows but row groups hold " + base);
            }
            return out;
        } catch (RuntimeException e) {
            if (e instanceof DataFormatException) {
                throw e;
            }
            throw new DataFormatException(display + ": cannot decode Parquet: " + e.getMessage(), e);
        }
    }

    private static void checkKind(String file, Type t, Kind kind) {
        if (!t.isPrimitive()) {
            throw new DataFormatException(file + ": column '" + t.getName() + "' is not a primitive column");
        }
        PrimitiveType p = t.asPrimitiveType();
        PrimitiveTypeName expected = switch (kind) {
            case INT32 -> PrimitiveTypeName.INT32;
            case INT64 -> PrimitiveTypeName.INT64;
            case FLOAT -> PrimitiveTypeName.FLOAT;
            case STRING -> PrimitiveTypeName.BINARY;
        };
        if (p.getPrimitiveTypeName() != expected) {
            throw new DataFormatException(file + ": column '" + t.getName() + "' has type "
                    + p.getPrimitiveTypeName() + ", expected " + expected);
        }
        if (kind != Kind.STRING && t.getRepetition() != Type.Repetition.REQUIRED) {
            throw new DataFormatException(file + ": column '" + t.getName() + "' is nullable; expected a required "
                    + expected + " column");
        }
    }

    private static void readColumn(String file, ColumnReader cr, ColumnDescriptor cd, Kind kind, Object dest,
                                   int base, int n) {
        int maxDef = cd.getMaxDefinitionLevel();
        for (int r = 0; r < n; r++) {
            boolean present = cr.getCurrentDefinitionLevel() == maxDef;
            switch (kind) {
                case INT32 -> ((int[]) dest)[base + r] = cr.getInteger();
                case INT64 -> ((long[]) dest)[base + r] = cr.getLong();
                case FLOAT -> ((float[]) dest)[base + r] = cr.getFloat();
                case STRING -> ((String[]) dest)[base + r] = present ? cr.getBinary().toStringUsingUTF8() : null;
            }
            cr.consume();
        }
    }

    private static final class RowWriterBuilder extends ParquetWriter.Builder<Integer, RowWriterBuilder> {
        private final MessageType schema;
        private final List<Column> columns;

        RowWriterBuilder(Path file, MessageType schema, List<Column> columns) {
            super(file);
            this.schema = schema;
            this.columns = columns;
        }

        @Override
        protected RowWriterBuilder self() {
            return this;
        }

        @Override
        protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
            return new RowWriteSupport(schema, columns);
        }
    }

    private static final class RowWriteSupport extends WriteSupport<Integer> {
        private final MessageType schema;
        private final List<Column> columns;
        private RecordConsumer consumer;

        RowWriteSupport(MessageType schema, List<Column> columns) {
            this.schema = schema;
            this.columns = columns;
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, Map.of("writer", "ringmaster"));
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(Integer row) {
            int r = row;
            consumer.startMessage();
            for (int i = 0; i < columns.size(); i++) {
                Column c = columns.get(i);
                if (c.kind() == Kind.STRING && c.strings()[r] == null) {
                    continue;
                }
                consumer.startField(c.name(), i);
                switch (c.kind()) {
                    case INT32 -> consumer.addInteger(c.ints()[r]);
                    case INT64 -> consumer.addLong(c.longs()[r]);
                    case FLOAT -> consumer.addFloat(c.floats()[r]);
                    case STRING -> consumer.addBinary(Binary.fromString(c.strings()[r]));
                }
                consumer.endField(c.name(), i);
            }
            consumer.endMessage();
        }
    }
}
