package io.nexussync.app.cli;

import io.nexussync.app.admin.AdminServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.build.BuildInfo;
import io.nexussync.app.admin.ServiceAdmin;
import io.nexussync.app.admin.ServiceMetrics;
import io.nexussync.app.service.SyncService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run", description = "Set up, then stream PostgreSQL changes into Neo4j until stopped (SIGTERM or Ctrl-C drain the current batch first).")
final class RunCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;

    RunCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        try (SyncService service = new SyncService(config.load(context))) {
            AdminServer admin = null;
            ServiceMetrics serviceMetrics = null;
            if (service.config().admin().enabled()) {
                serviceMetrics = ServiceMetrics.start(service, BuildInfo.current().version(), BuildInfo.current().commit());
                PrometheusMeterRegistry metrics = serviceMetrics.registry();
                admin = ServiceAdmin.start(service, service.config().admin(), metrics);
            }
            try {
                StopOnExit.runUntilStopped(service::run, service::stop, java.time.Duration.ofSeconds(15));
            } finally {
                if (admin != null) {
                    admin.close();
                }
                if (serviceMetrics != null) {
                    serviceMetrics.close();
                }
            }
        }
        return 0;
    }
}
