package io.nexussync.neo4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.error.SyncException;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.driver.exceptions.ServiceUnavailableException;
import org.neo4j.driver.exceptions.TransientException;

class Neo4jErrorsTest {

    @Test
    void shouldRetryDeadlocksAndLockTimeoutsQuietlyAsContention() {
        SyncException deadlock = Neo4jErrors.translate("a batch", new TransientException("Neo.TransientError.Transaction.DeadlockDetected", "cycle"));
        SyncException timeout = Neo4jErrors.translate("a batch", new TransientException("Neo.TransientError.Transaction.LockAcquisitionTimeout", "slow"));

        assertThat(deadlock.isRetryable()).isTrue();
        assertThat(deadlock.isContention()).isTrue();
        assertThat(timeout.isContention()).isTrue();
    }

    @Test
    void shouldRetryOtherTransientFailuresAsOutagesAndNotRetryRejections() {
        SyncException down = Neo4jErrors.translate("a batch", new ServiceUnavailableException("connection refused"));
        SyncException rejected = Neo4jErrors.translate("a batch", new ClientException("Neo.ClientError.Schema.ConstraintValidationFailed", "clash"));

        assertThat(down.isRetryable()).isTrue();
        assertThat(down.isContention()).isFalse();
        assertThat(rejected.isRetryable()).isFalse();
    }

    @Test
    void shouldCountConstraintAndTypeErrorsAgainstTheRowButNotSyntaxOrSecurityErrors() {
        SyncException clash = Neo4jErrors.translate("a batch", new ClientException("Neo.ClientError.Schema.ConstraintValidationFailed", "clash"));
        SyncException wrongType = Neo4jErrors.translate("a batch", new ClientException("Neo.ClientError.Statement.TypeError", "map"));
        SyncException ourBug = Neo4jErrors.translate("a batch", new ClientException("Neo.ClientError.Statement.SyntaxError", "typo"));
        SyncException forbidden = Neo4jErrors.translate("a batch", new ClientException("Neo.ClientError.Security.Forbidden", "no"));

        assertThat(clash.rejectsData()).isTrue();
        assertThat(wrongType.rejectsData()).isTrue();
        assertThat(ourBug.rejectsData()).isFalse();
        assertThat(ourBug.isRetryable()).isFalse();
        assertThat(forbidden.rejectsData()).isFalse();
    }

    @Test
    void shouldKeepNeo4jsMessageWhichNamesTheClashingValueOutOfThePublicMessage() {
        SyncException clash = Neo4jErrors.translate("a batch of 3 changes", new ClientException("Neo.ClientError.Schema.ConstraintValidationFailed",
                "Node(12) already exists with label `ContentItem` and property `title` = 'row-value-4711'"));
        SyncException down = Neo4jErrors.translate("a batch of 3 changes", new ServiceUnavailableException("connection to db:7687 refused"));

        assertThat(clash.getMessage()).as("for the log and the dead letter").contains("row-value-4711");
        assertThat(clash.publicMessage()).isEqualTo("Neo4j rejected a batch of 3 changes "
                + "(Neo.ClientError.Schema.ConstraintValidationFailed; Neo4j's message is in the service log)");
        assertThat(down.publicMessage()).isEqualTo("Neo4j is unavailable or busy during a batch of 3 changes "
                + "(ServiceUnavailableException; Neo4j's message is in the service log)");
        assertThat(down.getMessage()).contains("connection to db:7687 refused");
    }
}
