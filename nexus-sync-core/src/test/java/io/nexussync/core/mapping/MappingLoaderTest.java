package io.nexussync.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nexussync.core.model.TableId;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MappingLoaderTest {

    @Test
    void shouldLoadBuiltInMappingWithFourNodeTablesAndTwoRelationshipTables() {
        Mapping mapping = MappingLoader.builtIn();

        assertThat(mapping.name()).isEqualTo(MappingLoader.BUILT_IN);
        assertThat(mapping.nodes()).extracting(NodeMapping::label).containsExactly("ContentItem", "Thread", "Message", "Tag");
        assertThat(mapping.relationships()).extracting(RelationshipMapping::type).containsExactly("INCLUDES", "TAGGED_WITH");
        assertThat(mapping.tables()).containsExactly(
                TableId.parse("content_items"), TableId.parse("threads"), TableId.parse("messages"), TableId.parse("tags"),
                TableId.parse("thread_content"), TableId.parse("content_tags"));
    }

    @Test
    void shouldLoadBuiltInMappingAsContractDescribesIt() {
        Mapping mapping = MappingLoader.builtIn();

        NodeMapping contentItems = mapping.node(TableId.parse("content_items")).orElseThrow();
        assertThat(contentItems.keyColumn()).isEqualTo("id");
        assertThat(contentItems.versionProperty()).isEqualTo("pgVersion");
        assertThat(contentItems.crossReferenceColumn()).isEqualTo("neo4j_node_id");
        assertThat(contentItems.pgOnlyColumns()).containsExactlyInAnyOrder("body", "created_by");
        assertThat(contentItems.graphOnlyProperties()).containsExactly("relevanceWeight");
        NodeMapping messages = mapping.node(TableId.parse("messages")).orElseThrow();
        assertThat(messages.parentLinks()).containsExactly(new ParentLink(List.of("thread_id"), "HAS_MESSAGE", "Thread", true, "id"));
        RelationshipMapping includes = mapping.relationship(TableId.parse("thread_content")).orElseThrow();
        assertThat(includes.temporal()).isTrue();
        assertThat(includes.versionProperty()).isEqualTo("version");
        assertThat(includes.from()).isEqualTo(new RelationshipMapping.Endpoint("Thread", List.of("thread_id"), "id"));
        assertThat(includes.to()).isEqualTo(new RelationshipMapping.Endpoint("ContentItem", List.of("content_id"), "id"));
        RelationshipMapping tagged = mapping.relationship(TableId.parse("content_tags")).orElseThrow();
        assertThat(tagged.temporal()).isFalse();
        assertThat(tagged.versionProperty()).isEqualTo("pgVersion");
        // The contract graph keeps no tombstones: a deleted row leaves no node behind.
        assertThat(mapping.nodes()).noneMatch(NodeMapping::tombstones);
    }

    @Test
    void shouldKeepTombstonesOnlyForTheNodeTablesThatAskAndRefuseAnythingButTrueOrFalse() {
        Mapping mapping = TombstoneMappings.builtInWithTombstones("ContentItem");
        assertThat(mapping.nodes()).filteredOn(NodeMapping::tombstones).extracting(NodeMapping::label).containsExactly("ContentItem");
        assertThat(mapping.historyTypes("ContentItem")).containsExactly("INCLUDES");
        assertThat(mapping.historyTypes("Tag")).isEmpty();

        String yaml = """
                nodes:
                  - table: public.items
                    label: Item
                    key: id
                    tombstones: yes-please
                  - table: public.gone
                    label: Deleted
                    key: id
                """;
        MappingException e = catchThrowableOfType(MappingException.class, () -> parse(yaml));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("public.items").contains("tombstones is 'yes-please'").contains("true or false"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("public.gone").contains("label Deleted").contains("tombstones"));
    }

    @Test
    void shouldReportEveryValidationProblemInOneException() {
        String yaml = """
                name: broken
                nodes:
                  - table: public.items
                    label: Content Item
                    key: id
                  - table: public.notes
                    label: "Note`"
                    key: id
                  - label: Orphan
                    key: id
                relationships:
                  - table: public.item_notes
                    type: HAS_NOTE
                    from: {label: Item, column: item_id}
                    to: {label: Nowhere, column: note_id}
                """;

        MappingException e = catchThrowableOfType(MappingException.class, () -> parse(yaml));

        assertThat(e.problems()).hasSize(5);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("public.items").contains("label").contains("'Content Item'"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("public.notes").contains("label").contains("Note`"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("'table' is missing"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("from label Item").contains("not the label of any mapped node table"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("to label Nowhere").contains("not the label of any mapped node table"));
        assertThat(e.getMessage()).contains("test mapping").contains("5 problem(s)");
    }

    @Test
    void shouldReportUnknownKeyTogetherWithOtherProblems() {
        String yaml = """
                nodes:
                  - table: public.items
                    label: Content Item
                    key: id
                    colour: red
                  - label: Orphan
                    key: id
                relationships:
                  - table: public.item_notes
                    type: HAS_NOTE
                    from: {label: Orphan, column: item_id}
                    to: {label: Nowhere, column: note_id}
                """;

        MappingException e = catchThrowableOfType(MappingException.class, () -> parse(yaml));

        assertThat(e.problems()).hasSize(4);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("colour"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("'Content Item'"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("'table' is missing"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("Nowhere"));
    }

    @Test
    void shouldNameUnknownKey() {
        String yaml = """
                nodes:
                  - table: public.items
                    label: Item
                    key: id
                    colour: red
                """;

        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("colour");
    }

    @Test
    void shouldRejectLabelThatWouldInjectCypher() {
        String yaml = """
                nodes:
                  - table: public.items
                    label: "Foo`) DETACH DELETE n //"
                    key: id
                """;

        MappingException e = catchThrowableOfType(MappingException.class, () -> parse(yaml));

        assertThat(e.problems()).singleElement().asString().contains("label").contains("Foo`) DETACH DELETE n //");
    }

    @Test
    void shouldRejectInjectionInEveryNameThatReachesCypher() {
        String evil = "\"X`]->() DETACH DELETE n //\"";
        String yaml = """
                nodes:
                  - table: public.items
                    label: Item
                    key: %1$s
                    links:
                      - {column: parent_id, type: %1$s, label: %1$s}
                relationships:
                  - table: public.item_links
                    type: %1$s
                    from: {label: Item, column: a_id}
                    to: {label: Item, column: b_id}
                    versionProperty: %1$s
                """.formatted(evil);

        MappingException e = catchThrowableOfType(MappingException.class, () -> parse(yaml));

        assertThat(e.problems()).hasSize(5).allSatisfy(p -> assertThat(p).contains("X`]->() DETACH DELETE n //"));
    }

    @Test
    void shouldRejectTableMappedTwice() {
        String yaml = """
                nodes:
                  - {table: items, label: Item, key: id}
                  - {table: public.items, label: Other, key: id}
                """;

        MappingException e = catchThrowableOfType(MappingException.class, () -> parse(yaml));

        assertThat(e.problems()).singleElement().asString().contains("mapped twice");
    }

    @Test
    void shouldRejectMappingWithoutNodeTables() {
        assertThatThrownBy(() -> parse("name: empty\n"))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("no node tables");
    }

    @Test
    void shouldReportYamlSyntaxErrorWithLine() {
        MappingException e = catchThrowableOfType(MappingException.class, () -> parse("nodes:\n  - table: [unclosed\n"));

        assertThat(e.problems()).singleElement().asString().contains("line");
    }

    @Test
    void shouldDeriveVersionPropertyFromVersionColumnWhenNotGiven() {
        String yaml = """
                nodes:
                  - {table: items, label: Item, key: id, version: row_version}
                relationships:
                  - table: item_links
                    type: LINKS
                    from: {label: Item, column: a_id}
                    to: {label: Item, column: b_id}
                    version: row_version
                """;

        Mapping mapping = parse(yaml);

        assertThat(mapping.nodes().get(0).versionProperty()).isEqualTo("rowVersion");
        assertThat(mapping.relationships().get(0).versionProperty()).isEqualTo("rowVersion");
        assertThat(mapping.relationships().get(0).temporal()).isFalse();
        assertThat(mapping.name()).isEqualTo("test mapping");
    }

    @Test
    void shouldReadReverseRulesAndDefaultTheOthers() {
        String yaml = """
                nodes:
                  - table: public.items
                    label: Item
                    key: id
                    reverse: {toGraphOnly: [score], conflicts: {default: graph-wins, secret: postgres-wins}, onDelete: delete, create: false}
                  - table: public.others
                    label: Other
                    key: id
                """;

        Mapping mapping = parse(yaml);

        ReverseRules items = mapping.reverseRules(TableId.parse("public.items"));
        assertThat(items.flowsBack("score")).isFalse();
        assertThat(items.flowsBack("title")).isTrue();
        assertThat(items.rule("secret")).isEqualTo(ConflictRule.POSTGRES_WINS);
        assertThat(items.rule("title")).isEqualTo(ConflictRule.GRAPH_WINS);
        assertThat(items.onDelete()).isEqualTo(ReverseRules.DeletePolicy.DELETE);
        assertThat(items.create()).isFalse();
        assertThat(mapping.reverseRules(TableId.parse("public.others"))).isEqualTo(ReverseRules.NODE_DEFAULT);
        assertThat(MappingLoader.builtIn().reverseRules(TableId.parse("public.content_items")).rule("access_level"))
                .isEqualTo(ConflictRule.POSTGRES_WINS);
        assertThat(MappingLoader.builtIn().reverseRules(TableId.parse("public.content_tags")).onDelete())
                .isEqualTo(ReverseRules.DeletePolicy.DELETE);
    }

    @Test
    void shouldNameAnUnknownConflictRuleAndDeletePolicy() {
        String yaml = """
                nodes:
                  - table: public.items
                    label: Item
                    key: id
                    reverse: {conflicts: {title: newest-wins}, onDelete: ignore, direction: both}
                """;

        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(MappingException.class)
                .hasMessageContaining("newest-wins").hasMessageContaining("last-writer-wins, postgres-wins, graph-wins, manual")
                .hasMessageContaining("'ignore'; use refuse or delete").hasMessageContaining("unknown key 'direction'");
    }

    private static Mapping parse(String yaml) {
        InputStream in = new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        return MappingLoader.parse(in, "test mapping");
    }
}
