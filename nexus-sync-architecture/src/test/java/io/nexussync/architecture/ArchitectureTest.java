package io.nexussync.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Set;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.TransactionConfig;

/**
 * The rules the package layout keeps, checked on the production classes of every module (tests are not imported).
 * A failure names each offending class with the line of the dependency, and for a cycle the whole path around it.
 */
@AnalyzeClasses(packages = "io.nexussync", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] DRIVERS = {
        "java.sql..", "javax.sql..", "org.postgresql..", "org.neo4j..", "com.zaxxer..", "org.apache.kafka.."};

    private static final String[] JDBC = {"java.sql..", "javax.sql..", "org.postgresql..", "com.zaxxer.."};

    /**
     * Each module's sub-packages (core.plan, core.apply, postgres.setup, ...) are one slice each, with everything
     * below them; a module's root package (io.nexussync.neo4j, io.nexussync.postgres, ...) is a slice of its own.
     */
    private static final SliceAssignment SUB_PACKAGES = new SliceAssignment() {
        private static final String ROOT = "io.nexussync.";

        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            if (!name.startsWith(ROOT)) {
                return SliceIdentifier.ignore();
            }
            String[] parts = name.substring(ROOT.length()).split("\\.");
            return SliceIdentifier.of(parts.length == 1 ? parts[0] : parts[0] + "." + parts[1]);
        }

        @Override
        public String getDescription() {
            return "the sub-packages of each module of io.nexussync";
        }
    };

    @ArchTest
    static final ArchRule packages_are_free_of_cycles = slices().assignedFrom(SUB_PACKAGES).should().beFreeOfCycles()
            .because("a package that needs one which needs it back cannot be understood, tested or moved alone");

    @ArchTest
    static final ArchRule core_knows_no_driver = noClasses().that().resideInAPackage("io.nexussync.core..")
            .should().dependOnClassesThat().resideInAnyPackage(DRIVERS)
            .because("core is the model, the planner and the pipeline; each database is reached through its ports");

    @ArchTest
    static final ArchRule core_knows_no_metrics_library = noClasses().that().resideInAPackage("io.nexussync.core..")
            .should().dependOnClassesThat().resideInAnyPackage("io.micrometer..", "io.prometheus..")
            .because("the core reports through its listeners (VisibilityListener, ApplyListener, ...); the app turns them into meters");

    @ArchTest
    static final ArchRule app_knows_no_jdbc = noClasses().that().resideInAPackage("io.nexussync.app..")
            .should().dependOnClassesThat().resideInAnyPackage(JDBC)
            .because("the application wires adapters; SQL belongs in nexus-sync-postgres (the demo, which seeds its own "
                    + "database, is a module of its own: io.nexussync.demo)");

    @ArchTest
    static final ArchRule capture_half_knows_no_apply_half = noClasses().that().resideInAPackage("io.nexussync.core.capture..")
            .should().dependOnClassesThat().resideInAnyPackage("io.nexussync.core.pipeline..", "io.nexussync.core.schedule..",
                    "io.nexussync.core.apply..", "io.nexussync.core.plan..", "io.nexussync.core.acknowledge..")
            .because("capture and apply meet only at the ChangeFeed port, which a Kafka topic can implement between two processes");

    @ArchTest
    static final ArchRule neo4j_edge_knows_no_postgresql = noClasses().that().resideInAPackage("io.nexussync.neo4j..")
            .should().dependOnClassesThat().resideInAnyPackage(JDBC)
            .because("the Neo4j edge writes the graph only");

    @ArchTest
    static final ArchRule postgres_edge_knows_no_neo4j = noClasses().that().resideInAPackage("io.nexussync.postgres..")
            .should().dependOnClassesThat().resideInAPackage("org.neo4j..")
            .because("the PostgreSQL edge reads and writes PostgreSQL only");

    @ArchTest
    static final ArchRule kafka_edge_knows_no_database = noClasses().that().resideInAPackage("io.nexussync.kafka..")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "org.postgresql..", "org.neo4j..", "com.zaxxer..")
            .because("the Kafka edge carries changes between the capture and apply roles; each database has its own edge");

    @ArchTest
    static final ArchRule model_and_mapping_stand_alone = noClasses()
            .that().resideInAnyPackage("io.nexussync.core.model..", "io.nexussync.core.mapping..")
            .should().dependOnClassesThat(resideInAPackage("io.nexussync..")
                    .and(not(resideInAnyPackage("io.nexussync.core.model..", "io.nexussync.core.mapping.."))))
            .because("the model and the mapping are the vocabulary every other package speaks");

    private static final Set<String> SESSION_WORK = Set.of("run", "beginTransaction", "executeRead", "executeWrite",
            "executeReadWithoutResult", "executeWriteWithoutResult", "readTransaction", "writeTransaction");

    private static final DescribedPredicate<JavaMethodCall> NEO4J_WORK_WITHOUT_CONFIG =
            new DescribedPredicate<>("a Neo4j session's transaction without a TransactionConfig") {
                @Override
                public boolean test(JavaMethodCall call) {
                    return call.getTargetOwner().isAssignableTo(Session.class) && SESSION_WORK.contains(call.getName())
                            && call.getTarget().getRawParameterTypes().stream().noneMatch(type -> type.isEquivalentTo(TransactionConfig.class));
                }
            };

    @ArchTest
    static final ArchRule every_neo4j_transaction_is_marked_as_ours = noClasses()
            .should().callMethodWhere(NEO4J_WORK_WITHOUT_CONFIG)
            .orShould().callMethod(Driver.class, "executableQuery", String.class)
            .because("the loop guard: the nexus-sync Neo4j plugin takes a transaction without the nexus-sync metadata for a user's "
                    + "and sends its changes back to PostgreSQL (every session takes Neo4jTransactions.config(purpose))");
}
