package io.nexussync.core.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nexussync.core.model.TableId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a mapping from YAML and validates it, reporting every problem at once. */
public final class MappingLoader {
    public static final String BUILT_IN = "contextnexus";


    private MappingLoader() {}

    public static Mapping builtIn() {
        try (InputStream in = MappingLoader.class.getResourceAsStream("contextnexus.yaml")) {
            return parse(in, "built-in " + BUILT_IN);
        } catch (IOException e) {
            throw new IllegalStateException("the built-in mapping cannot be read", e);
        }
    }

    public static Mapping load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new MappingException(file.toString(), List.of("cannot read the file: " + e.getMessage()));
        }
    }

    static Mapping parse(InputStream in, String source) {
        MappingFile file;
        List<String> unknownKeys = new ArrayList<>();
        try {
            file = yaml(unknownKeys).readValue(in, MappingFile.class);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new MappingException(source, List.of(e.getOriginalMessage() + at));
        } catch (IOException e) {
            throw new MappingException(source, List.of("cannot read: " + e.getMessage()));
        }
        return validate(file, source, unknownKeys);
    }

    /** A reader that notes each unknown key and reads on, so that one typo does not hide the other problems. */
    private static ObjectMapper yaml(List<String> unknownKeys) {
        return new ObjectMapper(new YAMLFactory()).addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser, JsonDeserializer<?> deserializer,
                                                 Object bean, String property) throws IOException {
                unknownKeys.add("unknown key '" + property + "' (line " + parser.currentLocation().getLineNr() + "): check its spelling");
                parser.skipChildren();
                return true;
            }
        });
    }

    private static Mapping validate(MappingFile file, String source, List<String> unknownKeys) {
        List<String> problems = new ArrayList<>(unknownKeys);
        List<NodeMapping> nodes = new ArrayList<>();
        List<RelationshipMapping> relationships = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        Set<String> tables = new HashSet<>();
        for (NodeFile n : list(file.nodes())) {
            String where = "node table " + n.table();
            requireTable(n.table(), where, tables, problems);
            requireName(n.label(), where + ": label", problems);
            requireName(n.key(), where + ": key", problems);
            labels.add(n.label());
            List<ParentLink> links = new ArrayList<>();
            for (LinkFile l : list(n.links())) {
                requireName(l.column(), where + ": link column", problems);
                requireName(l.type(), where + ": link type", problems);
                requireName(l.label(), where + ": link label", problems);
                boolean incoming = l.direction() == null || l.direction().equals("incoming");
                if (l.direction() != null && !l.direction().equals("incoming") && !l.direction().equals("outgoing")) {
                    problems.add(where + ": link direction is '" + l.direction() + "'; use incoming ((parent)->(this)) or outgoing ((this)->(parent))");
                }
                links.add(new ParentLink(l.column(), l.type(), l.label(), incoming));
            }
            if (problems.isEmpty()) {
                nodes.add(new NodeMapping(TableId.parse(n.table()), n.label(), n.key(), n.version(), n.crossReference(),
                        Set.copyOf(list(n.pgOnly())), Set.copyOf(list(n.graphOnly())), List.copyOf(links)));
            }
        }
        for (RelationshipFile r : list(file.relationships())) {
            String where = "relationship table " + r.table();
            requireTable(r.table(), where, tables, problems);
            requireName(r.type(), where + ": type", problems);
            for (EndpointFile e : new EndpointFile[] {r.from(), r.to()}) {
                if (e == null) {
                    problems.add(where + ": needs both from and to, each {label, column}");
                    continue;
                }
                requireName(e.label(), where + ": endpoint label", problems);
                requireName(e.column(), where + ": endpoint column", problems);
            }
            if (r.from() != null && r.from().label() != null && !labels.contains(r.from().label())) {
                problems.add(where + ": from label " + r.from().label() + " is not the label of any mapped node table; map that table first");
            }
            if (r.to() != null && r.to().label() != null && !labels.contains(r.to().label())) {
                problems.add(where + ": to label " + r.to().label() + " is not the label of any mapped node table; map that table first");
            }
            String versionProperty = r.versionProperty() != null ? r.versionProperty()
                    : r.version() == null ? null : PropertyNames.camelCase(r.version());
            if (versionProperty != null) {
                requireName(versionProperty, where + ": versionProperty", problems);
            }
            if (problems.isEmpty()) {
                relationships.add(new RelationshipMapping(TableId.parse(r.table()), r.type(),
                        new RelationshipMapping.Endpoint(r.from().label(), r.from().column()),
                        new RelationshipMapping.Endpoint(r.to().label(), r.to().column()),
                        r.version(), versionProperty, Boolean.TRUE.equals(r.temporal()), Set.copyOf(list(r.pgOnly()))));
            }
        }
        if (nodes.isEmpty() && problems.isEmpty()) {
            problems.add("no node tables: add at least one entry under 'nodes:'");
        }
        if (!problems.isEmpty()) {
            throw new MappingException(source, problems);
        }
        return new Mapping(file.name() == null ? source : file.name(), List.copyOf(nodes), List.copyOf(relationships));
    }

    private static void requireTable(String table, String where, Set<String> seen, List<String> problems) {
        if (table == null) {
            problems.add(where + ": 'table' is missing (schema.table or table)");
            return;
        }
        for (String part : table.split("\\.", -1)) {
            if (!part.matches("[a-z_][a-z0-9_$]*")) {
                problems.add(where + ": '" + table + "' is not a plain lower-case table name");
                return;
            }
        }
        if (!seen.add(TableId.parse(table).toString())) {
            problems.add(where + ": the table is mapped twice; keep one entry");
        }
    }

    private static void requireName(String name, String where, List<String> problems) {
        if (!PropertyNames.isIdentifier(name)) {
            problems.add(where + " is '" + name + "'; it must be letters, digits and _ starting with a letter");
        }
    }

    private static <T> List<T> list(List<T> maybe) {
        return maybe == null ? List.of() : maybe;
    }

    record MappingFile(String name, List<NodeFile> nodes, List<RelationshipFile> relationships) {}

    record NodeFile(String table, String label, String key, String version, String crossReference,
                    List<String> pgOnly, List<String> graphOnly, String insertLane, Map<String, String> lanes,
                    List<LinkFile> links) {}

    record LinkFile(String column, String type, String label, String direction) {}

    record RelationshipFile(String table, String type, EndpointFile from, EndpointFile to, String version,
                            String versionProperty, Boolean temporal, List<String> pgOnly, String insertLane,
                            Map<String, String> lanes) {}

    record EndpointFile(String label, String column) {}
}
