package io.nexussync.neo4j;

import io.nexussync.core.history.TemporalGraph;
import io.nexussync.core.history.TemporalVersion;
import io.nexussync.core.mapping.RelationshipMapping;
import java.time.Instant;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Value;
import org.neo4j.driver.types.IsoDuration;
import org.neo4j.driver.types.Point;

/**
 * The graph's side of as-of queries: a start node found by its unique identity (the constraint's index), then its
 * relationships of the type filtered by the as-of rule. The statements are the ones the README documents, with the
 * mapping's names quoted in and every value a parameter, so Neo4j keeps one plan per relationship type.
 */
public final class Neo4jTemporalGraph implements TemporalGraph {
    private static final String VALID_FROM = "validFrom";
    private static final String VALID_TO = "validTo";

    private final Driver driver;
    private final SessionConfig session;

    public Neo4jTemporalGraph(Driver driver, String database) {
        this.driver = driver;
        this.session = database == null ? SessionConfig.defaultConfig() : SessionConfig.forDatabase(database);
    }

    /** A start node's versions valid at {@code $at}: {@code validFrom <= $at < validTo}. */
    public static String validAtStatement(RelationshipMapping m) {
        return match(m) + "WHERE r.validFrom <= $at AND $at < r.validTo " + returned(m);
    }

    /** A start node's versions valid at some instant in {@code [$from, $to]}, and those that ended exactly at {@code $from}. */
    public static String overlappingStatement(RelationshipMapping m) {
        return match(m) + "WHERE r.validFrom <= $to AND r.validTo >= $from " + returned(m);
    }

    @Override
    public List<TemporalVersion> validAt(RelationshipMapping relationship, String fromId, Instant at) {
        return read("reading the " + relationship.type() + " relationships of one node as of an instant", relationship,
                validAtStatement(relationship), Map.of("id", fromId, "at", StepParameters.time(at)));
    }

    @Override
    public List<TemporalVersion> overlapping(RelationshipMapping relationship, String fromId, Instant from, Instant to) {
        return read("reading the " + relationship.type() + " history of one node", relationship, overlappingStatement(relationship),
                Map.of("id", fromId, "from", StepParameters.time(from), "to", StepParameters.time(to)));
    }

    private List<TemporalVersion> read(String operation, RelationshipMapping m, String statement, Map<String, Object> parameters) {
        String versionProperty = versionProperty(m);
        try (Session s = driver.session(session)) {
            return s.executeRead(tx -> tx.run(statement, parameters).list(r -> version(r, versionProperty)),
                    Neo4jTransactions.config(Neo4jTransactions.HISTORY));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate(operation, e);
        }
    }

    private static TemporalVersion version(Record r, String versionProperty) {
        Map<String, Object> properties = new HashMap<>();
        r.get("properties").asMap(v -> v).forEach((name, value) -> {
            if (!name.equals(VALID_FROM) && !name.equals(VALID_TO) && !name.equals(versionProperty)) {
                properties.put(name, plain(value));
            }
        });
        Value version = r.get("version");
        return new TemporalVersion(r.get("to").asString(), r.get(VALID_FROM).asZonedDateTime().toInstant(),
                r.get(VALID_TO).asZonedDateTime().toInstant(), version.isNull() ? null : version.asLong(), properties);
    }

    /** A property as JSON and a person read it: numbers, text, booleans and lists as they are; times and points as their ISO text. */
    static Object plain(Value value) {
        Object object = value.asObject();
        if (object instanceof List<?> list) {
            List<Object> items = new ArrayList<>();
            value.values().forEach(item -> items.add(plain(item)));
            return items;
        }
        if (object instanceof java.time.ZonedDateTime zoned) {
            return zoned.toInstant().toString();
        }
        if (object instanceof java.time.OffsetDateTime offset) {
            return offset.toInstant().toString();
        }
        if (object instanceof TemporalAccessor || object instanceof IsoDuration || object instanceof Point) {
            return object.toString();
        }
        return object;
    }

    /**
     * The start node by its unique index, always: on a small graph the planner's statistics may make a seek of the type's
     * validFrom index look cheaper (TemporalHistoryIT saw it pick that once), which reads every version begun before the
     * instant, of every start node, once the graph is large.
     */
    private static String match(RelationshipMapping m) {
        return "MATCH (f:" + Cypher.name(m.from().label()) + " {" + Cypher.name(m.from().idProperty()) + ": $id})-[r:" + Cypher.name(m.type())
                + "]->(t:" + Cypher.name(m.to().label()) + ") USING INDEX f:" + Cypher.name(m.from().label()) + "(" + Cypher.name(m.from().idProperty())
                + ") ";
    }

    private static String returned(RelationshipMapping m) {
        return "RETURN t." + Cypher.name(m.to().idProperty()) + " AS to, r.validFrom AS validFrom, r.validTo AS validTo, r."
                + Cypher.name(versionProperty(m)) + " AS version, properties(r) AS properties";
    }

    /** Where a temporal version keeps its row version: the mapping's property, {@code version} when it names none (as the writer does). */
    private static String versionProperty(RelationshipMapping m) {
        return m.versionProperty() == null ? "version" : m.versionProperty();
    }
}
