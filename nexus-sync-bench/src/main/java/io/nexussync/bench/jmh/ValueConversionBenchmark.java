package io.nexussync.bench.jmh;

import io.nexussync.testkit.pgoutput.PgOutputMessages.Column;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphValues;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.postgres.pgoutput.ValueConverter;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Value conversion: pgoutput's text values to Java values ({@link ValueConverter#fromText}, called by
 * the decoder for every column), then to graph property values (GraphValues.toProperty, called by the
 * planner for every mapped column), for one content_items row and per type; and the whole row through
 * the planner's public API (identity, property names, versions included). Scores are rows (or values)
 * per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ValueConversionBenchmark {
    private static final TableId CONTENT_ITEMS = new TableId("public", "content_items");

    /** A content_items row as text, in column order (null is SQL NULL). */
    private static final String[] ROW = {
        "3f2b8c1e-7d4a-4e0b-9a51-2c6f8e0d1b7a", ContextNexusWire.TENANT, ContextNexusWire.PROJECT, "Quarterly planning notes",
        "body text " + "lorem ipsum dolor sit amet ".repeat(9), "document",
        "{\"rev\": 17, \"lang\": \"en\", \"tags\": [\"a\", \"b\"], \"source\": \"demo\"}", "project", "1287",
        "9b1d7c2a-5e3f-4a6b-8c9d-0e1f2a3b4c5d", "2026-11-24 11:00:00.123456+00", "2026-11-24 12:00:00.654321+00",
        "4:3f2b8c1e-7d4a-4e0b-9a51-2c6f8e0d1b7a:17", "42", "0"};

    private final List<Column> columns = ContextNexusWire.CONTENT_ITEM_COLUMNS;
    private NodeMapping mapping;
    private GraphPlanner planner;
    private Map<String, Object> converted;
    private List<SourceChange> oneInsert;

    /** One value of one type, for the per-type figures. */
    @State(Scope.Thread)
    public static class OneValue {
        @Param({"uuid", "text", "int8", "float8", "timestamptz", "jsonb", "text[]"})
        public String type;

        int oid;
        String text;

        @Setup
        public void setUp() {
            switch (type) {
                case "uuid" -> set(ContextNexusWire.UUID_OID, "3F2B8C1E-7D4A-4E0B-9A51-2C6F8E0D1B7A");
                case "text" -> set(ContextNexusWire.TEXT, "Quarterly planning notes");
                case "int8" -> set(ContextNexusWire.INT8, "1287465");
                case "float8" -> set(ContextNexusWire.FLOAT8, "0.73125");
                case "timestamptz" -> set(ContextNexusWire.TIMESTAMPTZ, "2026-11-24 12:00:00.654321+00");
                case "jsonb" -> set(ContextNexusWire.JSONB, "{\"rev\": 17, \"lang\": \"en\", \"tags\": [\"a\", \"b\"], \"source\": \"demo\"}");
                case "text[]" -> set(1009, "{alpha,beta,\"gamma delta\",NULL}");
                default -> throw new IllegalArgumentException(type);
            }
        }

        private void set(int oid, String text) {
            this.oid = oid;
            this.text = text;
        }
    }

    @Setup
    public void setUp() {
        var builtIn = MappingLoader.builtIn();
        mapping = builtIn.node(CONTENT_ITEMS).orElseThrow();
        planner = new GraphPlanner(builtIn);
        converted = textToJava();
        oneInsert = List.of(new SourceChange(new RowChange.Insert(CONTENT_ITEMS, converted),
                io.nexussync.core.model.Lsn.of(0x1_0000_0100L), Instant.parse("2026-11-24T12:00:00Z")));
    }

    /** The decoder's part: every column's text to its Java value. */
    @Benchmark
    public Map<String, Object> contentRowTextToJava() {
        return textToJava();
    }

    /** The planner's part: every mapped column's Java value to a graph property (PG-only columns left out), as BatchSegment does. */
    @Benchmark
    public Map<String, Object> contentRowJavaToGraph() {
        Map<String, Object> properties = new HashMap<>();
        converted.forEach((column, value) -> {
            if (value != Unchanged.TOAST && mapping.isPropertyColumn(column)) {
                properties.put(mapping.propertyName(column), GraphValues.toProperty(value));
            }
        });
        return properties;
    }

    /** One insert through the public planner: conversion to properties plus identity, version and the plan's steps. */
    @Benchmark
    public GraphWritePlan contentRowThroughPlanner() {
        return planner.plan(oneInsert);
    }

    @Benchmark
    public Object oneValueTextToJava(OneValue value) {
        return ValueConverter.fromText(value.oid, value.text);
    }

    private Map<String, Object> textToJava() {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < ROW.length; i++) {
            Column column = columns.get(i);
            row.put(column.name(), ValueConverter.fromText(column.typeOid(), ROW[i]));
        }
        return row;
    }
}
