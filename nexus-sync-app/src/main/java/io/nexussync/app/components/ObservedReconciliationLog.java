package io.nexussync.app.components;

import io.nexussync.core.verify.Finding;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.ReconciliationLog;
import io.nexussync.core.verify.RepairAction;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The reconciliation log as the repair executor sees it, telling a {@link VerifyListener} each repair it settles: the
 * executor reads its queue (which holds each finding's detection time) and marks findings repaired by id, so the
 * findings of the last queue read are kept until repaired. Everything else passes through.
 */
final class ObservedReconciliationLog implements ReconciliationLog {
    private final ReconciliationLog delegate;
    private final Supplier<VerifyListener> listener;
    private final Clock clock;
    private final Map<Long, LoggedFinding> queued = new ConcurrentHashMap<>();

    ObservedReconciliationLog(ReconciliationLog delegate, Supplier<VerifyListener> listener, Clock clock) {
        this.delegate = delegate;
        this.listener = listener;
        this.clock = clock;
    }

    @Override
    public List<LoggedFinding> repairQueue(int limit) {
        List<LoggedFinding> queue = delegate.repairQueue(limit);
        queued.clear();
        queue.forEach(item -> queued.put(item.id(), item));
        return queue;
    }

    @Override
    public void repaired(long id) {
        delegate.repaired(id);
        LoggedFinding finding = queued.remove(id);
        if (finding != null) {
            listener.get().repaired(finding, clock.instant());
        }
    }

    @Override
    public long found(Finding finding, String by) {
        return delegate.found(finding, by);
    }

    @Override
    public List<LoggedFinding> openFor(String table, String key) {
        return delegate.openFor(table, key);
    }

    @Override
    public void requestRepair(Collection<Long> ids, String by) {
        delegate.requestRepair(ids, by);
    }

    @Override
    public void repairing(long id, RepairAction action, String rule, String repairId) {
        delegate.repairing(id, action, rule, repairId);
    }

    @Override
    public void waiting(long id, String rule, String reason) {
        delegate.waiting(id, rule, reason);
    }

    @Override
    public void cleared(long id, String reason) {
        delegate.cleared(id, reason);
    }

    @Override
    public Optional<LoggedFinding> resolve(long id, boolean takePostgres, String reason, String by) {
        return delegate.resolve(id, takePostgres, reason, by);
    }

    @Override
    public Optional<LoggedFinding> finding(long id) {
        return delegate.finding(id);
    }

    @Override
    public List<LoggedFinding> findings(boolean openOnly, int limit) {
        return delegate.findings(openOnly, limit);
    }
}
