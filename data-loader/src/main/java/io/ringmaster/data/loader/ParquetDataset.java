package io.ringmaster.data.loader;

import io.ringmaster.data.DataFormatException;
import io.ringmaster.data.Storage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * A Parquet dataset as the loader sees it: one file, or a directory of part files (as Spark writes
 * them; names starting with {@code _} or {@code .} are skipped), read through the Hadoop FileSystem
 * API so any scheme works ({@code file}, {@code hdfs}, {@code s3a}, {@code wasb(s)}, {@code abfs(s)}).
 * Opening reads every footer, checks that each file has the requested columns with usable types,
 * and lists the row groups. Corrupt footers and schema mismatches fail here, naming file and column.
 */
public final class ParquetDataset {

    private final Configuration conf;
    private final String uri;
    private final List<ColumnSpec> columns;
    private final List<Path> files;
    private final List<MessageType> schemas;
    private final List<String> createdBy;
    private final List<RowGroupRef> rowGroups;
    private final long rows;

    private ParquetDataset(Configuration conf, String uri, List<ColumnSpec> columns, List<Path> files,
                           List<MessageType> schemas, List<String> createdBy, List<RowGroupRef> rowGroups) {
        this.conf = conf;
        this.uri = uri;
        this.columns = List.copyOf(columns);
        this.files = List.copyOf(files);
        this.schemas = List.copyOf(schemas);
        this.createdBy = createdBy;
        this.rowGroups = List.copyOf(rowGroups);
        this.rows = rowGroups.stream().mapToLong(RowGroupRef::rows).sum();
    }

    public static ParquetDataset open(Configuration conf, String uri, List<ColumnSpec> columns, Retry retry)
            throws IOException {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("read at least one column");
        }
        Path root = Storage.path(uri);
        FileSystem fs = Storage.fs(root, conf);
        String display = Storage.display(root);
        FileStatus st = retry.run(display, () -> {
            try {
                return fs.getFileStatus(root);
            } catch (FileNotFoundException e) {
                throw new FileNotFoundException(display + ": Parquet dataset not found");
            }
        });
        List<Path> files = new ArrayList<>();
        if (st.isDirectory()) {
            FileStatus[] listed = retry.run(display, () -> fs.listStatus(root));
            Arrays.stream(listed)
                    .filter(f -> f.isFile() && f.getLen() > 0)
                    .map(FileStatus::getPath)
                    .filter(p -> !p.getName().startsWith("_") && !p.getName().startsWith("."))
                    .filter(p -> p.getName().endsWith(".parquet") || p.getName().startsWith("part-"))
                    .sorted(Comparator.comparing(Path::getName))
                    .forEach(files::add);
            if (files.isEmpty()) {
                throw new DataFormatException(display + ": no Parquet files in this directory");
            }
        } else {
            files.add(st.getPath());
        }
        List<MessageType> schemas = new ArrayList<>();
        List<String> createdBy = new ArrayList<>();
        List<RowGroupRef> groups = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            String name = Storage.display(file);
            ParquetMetadata footer = retry.run(name, () -> readFooter(conf, file, name));
            MessageType schema = footer.getFileMetaData().getSchema();
            for (ColumnSpec c : columns) {
                check(name, schema, c);
            }
            schemas.add(schema);
            createdBy.add(footer.getFileMetaData().getCreatedBy());
            List<BlockMetaData> blocks = footer.getBlocks();
            for (int b = 0; b < blocks.size(); b++) {
                if (blocks.get(b).getRowCount() > 0) {
                    groups.add(new RowGroupRef(f, name, b, blocks.get(b).getRowCount(),
                            blocks.get(b).getTotalByteSize()));
                }
            }
        }
        return new ParquetDataset(conf, display, columns, files, schemas, createdBy, groups);
    }

    private static ParquetMetadata readFooter(Configuration conf, Path file, String name) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            return r.getFooter();
        } catch (RuntimeException e) { // parquet reports a bad magic number or footer this way
            throw new DataFormatException(name + ": not a Parquet file or its footer is corrupt: " + e.getMessage(), e);
        } catch (java.io.EOFException e) {
            throw new DataFormatException(name + ": truncated Parquet file: " + e.getMessage(), e);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("FileMetaData")) {
                throw new DataFormatException(name + ": the Parquet footer is corrupt: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private static void check(String file, MessageType schema, ColumnSpec c) {
        if (!schema.containsField(c.name())) {
            throw new DataFormatException(file + ": column '" + c.name() + "' is missing (file has "
                    + schema.getFields().stream().map(Type::getName).toList() + ")");
        }
        Type t = schema.getType(c.name());
        if (!t.isPrimitive() || t.getRepetition() == Type.Repetition.REPEATED) {
            throw new DataFormatException(file + ": column '" + c.name() + "' is not a single primitive value per row");
        }
        PrimitiveTypeName p = t.asPrimitiveType().getPrimitiveTypeName();
        org.apache.parquet.schema.LogicalTypeAnnotation logical = t.getLogicalTypeAnnotation();
        if (logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation
                || logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation i
                && !i.isSigned()
                || logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.DateLogicalTypeAnnotation
                || logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation
                || logical instanceof org.apache.parquet.schema.LogicalTypeAnnotation.TimeLogicalTypeAnnotation) {
            throw new DataFormatException(file + ": column '" + c.name() + "' is " + p + " " + logical
                    + "; cast it to a plain signed integer or floating-point column");
        }
        boolean ok = switch (c.target()) {
            case INT -> p == PrimitiveTypeName.INT32 || p == PrimitiveTypeName.INT64;
            case FLOAT -> p == PrimitiveTypeName.FLOAT || p == PrimitiveTypeName.DOUBLE
                    || p == PrimitiveTypeName.INT32 || p == PrimitiveTypeName.INT64;
        };
        if (!ok) {
            throw new DataFormatException(file + ": column '" + c.name() + "' has type " + p + ", which cannot be read"
                    + " as " + (c.target() == ColumnSpec.Target.INT ? "an integer id (INT32 or INT64)"
                    : "a number (FLOAT, DOUBLE, INT32 or INT64)"));
        }
    }

    public Configuration conf() {
        return conf;
    }

    public String uri() {
        return uri;
    }

    public List<ColumnSpec> columns() {
        return columns;
    }

    public List<RowGroupRef> rowGroups() {
        return rowGroups;
    }

    public long rows() {
        return rows;
    }

    Path file(int index) {
        return files.get(index);
    }

    MessageType schema(int fileIndex) {
        return schemas.get(fileIndex);
    }

    String createdBy(int fileIndex) {
        return createdBy.get(fileIndex);
    }

    /** The largest row group, in rows. */
    public long maxRowGroupRows() {
        return rowGroups.stream().mapToLong(RowGroupRef::rows).max().orElse(0);
    }
}
