package io.ringmaster.data.loader;

import io.ringmaster.data.DataFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Decodes whole row groups of the requested columns straight from Parquet's column readers into
 * primitive arrays: no per-record objects. Handles every encoding and codec parquet-mr reads
 * (plain, dictionary, RLE; uncompressed, SNAPPY, GZIP, ZSTD) and nullable columns. Keeps one open
 * reader per file; not thread-safe (one per prefetch thread).
 */
public final class RowGroupReader implements AutoCloseable {

    private final ParquetDataset dataset;
    private final NullPolicy nulls;
    private final Retry retry;
    private final Map<Integer, ParquetFileReader> open = new HashMap<>();

    public RowGroupReader(ParquetDataset dataset, NullPolicy nulls, Retry retry) {
        this.dataset = dataset;
        this.nulls = nulls;
        this.retry = retry;
    }

    public RowGroup read(RowGroupRef ref) throws IOException {
        PageReadStore pages = retry.run(ref.toString(), () -> {
            try {
                return reader(ref.fileIndex()).readRowGroup(ref.index());
            } catch (IOException e) {
                closeReader(ref.fileIndex()); // reopen on the next attempt
                throw e;
            }
        });
        try {
            return decode(ref, pages);
        } catch (DataFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DataFormatException(ref.file() + ": row group " + ref.index() + " cannot be decoded: "
                    + e.getMessage(), e);
        }
    }

    private ParquetFileReader reader(int fileIndex) throws IOException {
        ParquetFileReader r = open.get(fileIndex);
        if (r == null) {
            r = ParquetFileReader.open(HadoopInputFile.fromPath(dataset.file(fileIndex), dataset.conf()));
            MessageType schema = dataset.schema(fileIndex);
            List<Type> projected = new ArrayList<>();
            for (ColumnSpec c : dataset.columns()) {
                projected.add(schema.getType(c.name()));
            }
            r.setRequestedSchema(new MessageType(schema.getName(), projected));
            open.put(fileIndex, r);
        }
        return r;
    }

    private RowGroup decode(RowGroupRef ref, PageReadStore pages) {
        MessageType schema = dataset.schema(ref.fileIndex());
        List<Type> projected = new ArrayList<>();
        for (ColumnSpec c : dataset.columns()) {
            projected.add(schema.getType(c.name()));
        }
        MessageType projection = new MessageType(schema.getName(), projected);
        ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages,
                new GroupRecordConverter(projection).getRootConverter(), projection,
                dataset.createdBy(ref.fileIndex()));
        int n = Math.toIntExact(pages.getRowCount());
        List<ColumnSpec> cols = dataset.columns();
        Object[] out = new Object[cols.size()];
        boolean[] isNull = null;
        for (int c = 0; c < cols.size(); c++) {
            ColumnSpec spec = cols.get(c);
            ColumnDescriptor cd = projection.getColumnDescription(new String[] {spec.name()});
            ColumnReader cr = store.getColumnReader(cd);
            int maxDef = cd.getMaxDefinitionLevel();
            PrimitiveTypeName type = cd.getPrimitiveType().getPrimitiveTypeName();
            if (spec.target() == ColumnSpec.Target.INT) {
                int[] v = new int[n];
                for (int r = 0; r < n; r++) {
                    if (cr.getCurrentDefinitionLevel() == maxDef) {
                        if (type == PrimitiveTypeName.INT32) {
                            v[r] = cr.getInteger();
                        } else {
                            long x = cr.getLong();
                            if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
                                throw new DataFormatException(ref.file() + ": row group " + ref.index() + ", row " + r
                                        + ": column '" + spec.name() + "' value " + x + " does not fit a 32-bit id");
                            }
                            v[r] = (int) x;
                        }
                    } else {
                        isNull = markNull(isNull, n, r, ref, spec);
                    }
                    cr.consume();
                }
                out[c] = v;
            } else {
                float[] v = new float[n];
                for (int r = 0; r < n; r++) {
                    if (cr.getCurrentDefinitionLevel() == maxDef) {
                        v[r] = switch (type) {
                            case FLOAT -> cr.getFloat();
                            case DOUBLE -> (float) cr.getDouble();
                            case INT32 -> cr.getInteger();
                            default -> cr.getLong();
                        };
                    } else {
                        isNull = markNull(isNull, n, r, ref, spec);
                    }
                    cr.consume();
                }
                out[c] = v;
            }
        }
        if (isNull == null) {
            return new RowGroup(ref, n, out, 0);
        }
        int kept = 0;
        for (int r = 0; r < n; r++) {
            if (!isNull[r]) {
                for (Object col : out) {
                    if (col instanceof int[] a) {
                        a[kept] = a[r];
                    } else {
                        ((float[]) col)[kept] = ((float[]) col)[r];
                    }
                }
                kept++;
            }
        }
        for (int c = 0; c < out.length; c++) {
            out[c] = out[c] instanceof int[] a ? java.util.Arrays.copyOf(a, kept)
                    : java.util.Arrays.copyOf((float[]) out[c], kept);
        }
        return new RowGroup(ref, kept, out, n - kept);
    }

    private boolean[] markNull(boolean[] isNull, int n, int r, RowGroupRef ref, ColumnSpec spec) {
        if (nulls == NullPolicy.REJECT) {
            throw new DataFormatException(ref.file() + ": row group " + ref.index() + ", row " + r + ": column '"
                    + spec.name() + "' is null (set nulls: skip to drop such rows)");
        }
        boolean[] m = isNull == null ? new boolean[n] : isNull;
        m[r] = true;
        return m;
    }

    private void closeReader(int fileIndex) {
        ParquetFileReader r = open.remove(fileIndex);
        if (r != null) {
            try {
                r.close();
            } catch (IOException ignored) {
                // a broken reader is being replaced
            }
        }
    }

    @Override
    public void close() {
        for (Integer f : new ArrayList<>(open.keySet())) {
            closeReader(f);
        }
    }
}
