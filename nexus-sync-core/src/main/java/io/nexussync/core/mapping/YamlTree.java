package io.nexussync.core.mapping;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers the line of every key and value, so that a problem found
 * anywhere, by the loader or later against the database catalog, can name its line in the file.
 */
final class YamlTree {
    private static final YAMLFactory YAML = new YAMLFactory();

    enum Kind { MAP, LIST, SCALAR }

    /** One node: a map (keys in file order, each with its line), a list, or a scalar ({@code text == null} is YAML null). */
    record Node(Kind kind, int line, Map<String, Node> map, Map<String, Integer> keyLines, List<Node> list, String text) {
        boolean isMap() {
            return kind == Kind.MAP;
        }

        boolean isList() {
            return kind == Kind.LIST;
        }

        boolean isScalar() {
            return kind == Kind.SCALAR;
        }

        boolean isNull() {
            return kind == Kind.SCALAR && text == null;
        }

        String describe() {
            return switch (kind) {
                case MAP -> "a map";
                case LIST -> "a list";
                case SCALAR -> text == null ? "empty" : "'" + text + "'";
            };
        }
    }

    private YamlTree() {}

    /**
     * @param duplicateKeys receives a problem per key given twice in one map (YAML allows it; the later one would win silently)
     * @return the document's root, an empty map for an empty document
     */
    static Node read(InputStream in, List<MappingProblem> duplicateKeys) throws IOException {
        try (JsonParser parser = YAML.createParser(in)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new Node(Kind.MAP, 1, Map.of(), Map.of(), List.of(), null);
            }
            return value(parser, first, duplicateKeys);
        }
    }

    private static Node value(JsonParser parser, JsonToken token, List<MappingProblem> problems) throws IOException {
        int line = parser.currentTokenLocation().getLineNr();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Node> map = new LinkedHashMap<>();
                Map<String, Integer> keyLines = new LinkedHashMap<>();
                JsonToken t;
                while ((t = parser.nextToken()) != JsonToken.END_OBJECT) {
                    String key = parser.currentName();
                    int keyLine = parser.currentTokenLocation().getLineNr();
                    Node child = value(parser, parser.nextToken(), problems);
                    if (map.containsKey(key)) {
                        problems.add(new MappingProblem(keyLine, "key '" + key + "' is given twice (also on line " + keyLines.get(key) + "): keep one"));
                        continue;
                    }
                    map.put(key, child);
                    keyLines.put(key, keyLine);
                }
                return new Node(Kind.MAP, line, map, keyLines, List.of(), null);
            }
            case START_ARRAY -> {
                List<Node> list = new ArrayList<>();
                JsonToken t;
                while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(value(parser, t, problems));
                }
                return new Node(Kind.LIST, line, Map.of(), Map.of(), list, null);
            }
            case VALUE_NULL -> {
                return new Node(Kind.SCALAR, line, Map.of(), Map.of(), List.of(), null);
            }
            default -> {
                return new Node(Kind.SCALAR, line, Map.of(), Map.of(), List.of(), parser.getText());
            }
        }
    }
}
