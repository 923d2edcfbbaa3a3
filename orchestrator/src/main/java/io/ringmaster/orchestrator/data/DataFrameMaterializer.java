package io.ringmaster.orchestrator.data;

import io.ringmaster.data.Storage;
import io.ringmaster.data.loader.ColumnSpec;
import io.ringmaster.data.loader.LoaderManifest;
import io.ringmaster.data.loader.ParquetDataset;
import io.ringmaster.data.loader.Retry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;

/**
 * Materializes training Parquet for the loader from a Spark DataFrame with {@code user} and
 * {@code item} columns (int or bigint ids; a numeric {@code rating} is kept, as float, when present):
 * written by Spark in {@code workers × 4} part files, so every worker gets several row groups, with
 * row groups of at most {@code rowGroupMb}, and a {@link LoaderManifest} beside them. Refuses an
 * existing output.
 */
public final class DataFrameMaterializer {

    private DataFrameMaterializer() {
    }

    public static LoaderManifest write(Dataset<Row> df, String outUri, double rowGroupMb, int workers,
                                       Map<String, String> hadoop) throws IOException {
        if (!(rowGroupMb > 0) || workers < 1) {
            throw new IllegalArgumentException("rowGroupMb must be > 0 and workers >= 1");
        }
        List<String> names = Arrays.asList(df.columns());
        List<Column> select = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        for (String id : List.of("user", "item")) {
            if (!names.contains(id)) {
                throw new IllegalArgumentException("DataFrame has no '" + id + "' column (columns: " + names + ")");
            }
            DataType t = df.schema().apply(id).dataType();
            if (!t.equals(DataTypes.IntegerType) && !t.equals(DataTypes.LongType)) {
                throw new IllegalArgumentException("DataFrame column '" + id + "' is " + t.simpleString()
                        + "; ids must be int or bigint");
            }
            select.add(functions.col(id));
            columns.add(id + ":" + t.simpleString());
        }
        if (names.contains("rating")) {
            DataType t = df.schema().apply("rating").dataType();
            if (!(t instanceof NumericType)) {
                throw new IllegalArgumentException("DataFrame column 'rating' is " + t.simpleString()
                        + "; it must be numeric");
            }
            select.add(functions.col("rating").cast(DataTypes.FloatType).as("rating"));
            columns.add("rating:float");
        }
        long bytes = Math.max(16 * 1024, (long) (rowGroupMb * (1 << 20)));
        int parts = 4 * workers;
        df.select(select.toArray(new Column[0]))
                .repartition(parts)
                .write()
                .mode(SaveMode.ErrorIfExists)
                .option("parquet.block.size", bytes)
                .parquet(outUri);
        ParquetDataset written = ParquetDataset.open(Storage.configuration(hadoop), outUri,
                List.of(ColumnSpec.ints("user"), ColumnSpec.ints("item")), Retry.defaults());
        LoaderManifest m = new LoaderManifest(LoaderManifest.FORMAT_VERSION, "Spark DataFrame", columns,
                written.rows(), written.rowGroups().size(), bytes, parts);
        m.write(Storage.configuration(hadoop), Storage.path(outUri));
        return m;
    }
}
