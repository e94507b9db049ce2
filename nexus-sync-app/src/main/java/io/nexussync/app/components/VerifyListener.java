package io.nexussync.app.components;

import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.Verifier;
import io.nexussync.core.verify.VerifyReport;
import java.time.Instant;

/** Told what the service's verify runs find and what its repairs settle (the metrics). Called on the component's threads. */
public interface VerifyListener {
    VerifyListener NONE = new VerifyListener() {};

    /** A verify run of the service ended (a schedule's, or one asked for over the admin API). */
    default void verified(Verifier.Request request, VerifyReport report) {
    }

    /** The service repaired a finding (detected at {@link LoggedFinding#detectedAt()}) at {@code at}. */
    default void repaired(LoggedFinding finding, Instant at) {
    }

    /** Both, in order. */
    default VerifyListener andThen(VerifyListener next) {
        VerifyListener first = this;
        return new VerifyListener() {
            @Override
            public void verified(Verifier.Request request, VerifyReport report) {
                first.verified(request, report);
                next.verified(request, report);
            }

            @Override
            public void repaired(LoggedFinding finding, Instant at) {
                first.repaired(finding, at);
                next.repaired(finding, at);
            }
        };
    }
}
