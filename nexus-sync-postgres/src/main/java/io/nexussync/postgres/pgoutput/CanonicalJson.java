package io.nexussync.postgres.pgoutput;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.nexussync.core.model.JsonText;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Canonical JSON text, so that a value that did not change never looks changed: compact, object
 * keys sorted (recursively), and numbers written as the plain form of their exact value with
 * trailing zeros dropped ({@code 1.50}, {@code 1.5e0} and {@code 15E-1} are all {@code 1.5}), which
 * matches how {@code jsonb} compares numbers. Duplicate keys keep the last value, as {@code jsonb} does.
 */
final class CanonicalJson {

    // PostgreSQL allows json values up to 1 GB, nested as deep as its stack allows; Jackson's
    // default limits (1,000 levels, 20M-char strings, 1,000-digit numbers) are far lower.
    private static final int MAX_DEPTH = 100_000;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    // BigDecimal so no number goes through a lossy double
    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Recent small documents and their canonical text. An UPDATE carries the row's json columns whether they changed or
     * not, so a backlog of updates to the same rows brings the same documents again and again; parsing and writing each
     * one was a sixth of what the capture allocated. Bounded: cleared when full, and only documents of up to 2 KB.
     */
    private static final int CACHE_ENTRIES = 4_096;
    private static final int CACHE_MAX_LENGTH = 2_048;
    private static final java.util.concurrent.ConcurrentHashMap<String, JsonText> RECENT = new java.util.concurrent.ConcurrentHashMap<>();

    private CanonicalJson() {}

    static JsonText of(String text) {
        if (text.length() > CACHE_MAX_LENGTH) {
            return parse(text);
        }
        JsonText known = RECENT.get(text);
        if (known != null) {
            return known;
        }
        JsonText canonical = parse(text);
        if (RECENT.size() >= CACHE_ENTRIES) {
            RECENT.clear();
        }
        RECENT.put(text, canonical);
        return canonical;
    }

    private static JsonText parse(String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ValueConversionException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new ValueConversionException("not valid JSON: no value");
        }
        StringWriter out = new StringWriter(text.length());
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            write(root, generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return new JsonText(out.toString());
    }

    /** An open object (its sorted names) or array (its elements) and how far into it the writer is. */
    private record Frame(JsonNode container, Iterator<String> names, Iterator<JsonNode> elements) {}

    // A loop over an explicit stack, not recursion: deep documents must not overflow the capture thread's stack.
    private static void write(JsonNode root, JsonGenerator out) throws IOException {
        Deque<Frame> open = new ArrayDeque<>();
        JsonNode next = root;
        while (true) {
            if (next != null) {
                if (next.isObject()) {
                    List<String> names = new ArrayList<>(next.size());
                    next.fieldNames().forEachRemaining(names::add);
                    names.sort(null);
                    out.writeStartObject();
                    open.push(new Frame(next, names.iterator(), null));
                } else if (next.isArray()) {
                    out.writeStartArray();
                    open.push(new Frame(next, null, next.elements()));
                } else {
                    writeScalar(next, out);
                }
                next = null;
            }
            Frame top = open.peek();
            if (top == null) {
                return;
            }
            if (top.names() != null && top.names().hasNext()) {
                String name = top.names().next();
                out.writeFieldName(name);
                next = top.container().get(name);
            } else if (top.elements() != null && top.elements().hasNext()) {
                next = top.elements().next();
            } else {
                if (top.names() != null) {
                    out.writeEndObject();
                } else {
                    out.writeEndArray();
                }
                open.pop();
            }
        }
    }

    private static void writeScalar(JsonNode node, JsonGenerator out) throws IOException {
        switch (node.getNodeType()) {
            case NUMBER -> out.writeNumber(plain(node.decimalValue()));
            case STRING -> out.writeString(node.textValue());
            case BOOLEAN -> out.writeBoolean(node.booleanValue());
            case NULL -> out.writeNull();
            default -> throw new IllegalStateException("unexpected JSON node " + node.getNodeType());
        }
    }

    private static String plain(BigDecimal number) {
        return number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString();
    }
}
