package dev.drover.cli;

import dev.drover.api.WebhookRecords.CreateWebhookRequest;
import dev.drover.api.WebhookRecords.DeliveryAttempt;
import dev.drover.api.WebhookRecords.DeliveryItem;
import dev.drover.api.WebhookRecords.ListDeliveriesResponse;
import dev.drover.api.WebhookRecords.WebhookItem;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover webhooks create|list|get|delete|enable|deliveries|delivery|redeliver}: outbound webhooks. */
@Command(name = "webhooks", mixinStandardHelpOptions = true,
        description = "POST run events to your URLs, signed the Standard Webhooks way.",
        subcommands = {WebhooksCommand.Create.class, WebhooksCommand.ListWebhooks.class, WebhooksCommand.Get.class,
            WebhooksCommand.Delete.class, WebhooksCommand.Enable.class, WebhooksCommand.Deliveries.class,
            WebhooksCommand.Delivery.class, WebhooksCommand.Redeliver.class})
final class WebhooksCommand {

    static void print(WebhookItem w, boolean json) {
        if (json) {
            System.out.println(Output.json(w));
            return;
        }
        System.out.println(w.id() + "  " + w.url() + "  " + (w.enabled() ? "enabled" : "disabled") + "  "
                + String.join(",", w.eventTypes()));
        if (w.description() != null) {
            System.out.println("  " + w.description());
        }
        if (!w.enabled() && w.disabledReason() != null) {
            System.out.println("  disabled: " + w.disabledReason());
        }
        if (w.secret() != null) {
            // shown once: the server keeps it to sign deliveries and never shows it again
            System.out.println("  secret (shown only now): " + w.secret());
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Subscribe a URL to run events.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--url", required = true, description = "Where deliveries are POSTed (http or https).")
        String url;

        @Option(names = "--event", required = true, split = ",",
                description = "Event types, repeated or comma-separated, e.g. run_succeeded,run_failed.")
        List<String> events;

        @Option(names = "--description", description = "What it is for.")
        String description;

        @Option(names = "--personal", description = "Follow your own runs instead of your team's.")
        boolean personal;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            print(client.client().createWebhook(new CreateWebhookRequest(url, events, description,
                    personal ? Boolean.FALSE : null)), json);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List webhooks, oldest first.")
    static final class ListWebhooks implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--json", description = "Print JSON (one array of every webhook).")
        boolean json;

        @Override
        public Integer call() {
            List<WebhookItem> all = client.client().webhooks().toList();
            if (json) {
                System.out.println(Output.json(all));
                return 0;
            }
            System.out.printf("%-36s  %-8s  %-8s  %s%n", "WEBHOOK", "STATE", "FAILURES", "URL");
            all.forEach(w -> System.out.printf("%-36s  %-8s  %-8d  %s%n", w.id(), w.enabled() ? "enabled" : "disabled",
                    w.consecutiveFailures(), w.url()));
            return 0;
        }
    }

    /** The commands that act on one webhook by id. */
    abstract static class OnOne implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "WEBHOOK_ID")
        String id;
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one webhook.")
    static final class Get extends OnOne {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            print(client.client().getWebhook(id), json);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a webhook and its delivery log.")
    static final class Delete extends OnOne {
        @Override
        public Integer call() {
            client.client().deleteWebhook(id);
            System.out.println("deleted " + id);
            return 0;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true,
            description = "Enable a disabled webhook again; its pending deliveries are due at once.")
    static final class Enable extends OnOne {
        @Override
        public Integer call() {
            print(client.client().enableWebhook(id), false);
            return 0;
        }
    }

    @Command(name = "deliveries", mixinStandardHelpOptions = true, description = "A webhook's delivery log, newest first.")
    static final class Deliveries extends OnOne {
        @Option(names = "--limit", defaultValue = "50", description = "Deliveries per page, 1 to 200 (default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--cursor", description = "The next_cursor a previous page printed.")
        String cursor;

        @Option(names = "--json", description = "Print JSON (the page, with page_info).")
        boolean json;

        @Override
        public Integer call() {
            ListDeliveriesResponse page = client.client().listDeliveries(id, limit, cursor);
            if (json) {
                System.out.println(Output.json(page));
                return 0;
            }
            System.out.printf("%-36s  %-20s  %-9s  %-8s  %-6s  %s%n", "DELIVERY", "EVENT", "STATUS", "ATTEMPTS", "HTTP",
                    "ERROR");
            page.deliveries().forEach(d -> System.out.printf("%-36s  %-20s  %-9s  %-8d  %-6s  %s%n", d.id(),
                    d.eventType(), d.status(), d.attempts(), d.responseStatus() == null ? "–" : d.responseStatus(),
                    d.error() == null ? "" : d.error()));
            if (page.pageInfo() != null && page.pageInfo().hasNextPage()) {
                System.out.println("more: --cursor " + page.pageInfo().nextCursor());
            }
            return 0;
        }
    }

    @Command(name = "delivery", mixinStandardHelpOptions = true,
            description = "One delivery with every attempt: when, HTTP status, latency, error.")
    static final class Delivery extends OnOne {
        @Parameters(index = "1", paramLabel = "DELIVERY_ID")
        String deliveryId;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            DeliveryItem d = client.client().getDelivery(id, deliveryId);
            if (json) {
                System.out.println(Output.json(d));
                return 0;
            }
            System.out.println(d.id() + "  " + d.eventType() + "  run " + d.runId() + "  " + d.status()
                    + (d.nextAttemptAt() == null ? "" : ", next attempt " + d.nextAttemptAt()));
            List<DeliveryAttempt> attempts = d.attemptHistory() == null ? List.of() : d.attemptHistory();
            for (DeliveryAttempt a : attempts) {
                System.out.printf("  %s  %-6s  %6d ms  %s%n", a.attemptedAt(),
                        a.responseStatus() == null ? "–" : a.responseStatus(), a.latencyMs(),
                        a.succeeded() ? "ok" : a.error() == null ? "failed" : a.error());
            }
            return 0;
        }
    }

    @Command(name = "redeliver", mixinStandardHelpOptions = true,
            description = "Send a delivery again, with the same webhook-id.")
    static final class Redeliver extends OnOne {
        @Parameters(index = "1", paramLabel = "DELIVERY_ID")
        String deliveryId;

        @Override
        public Integer call() {
            DeliveryItem d = client.client().redeliver(id, deliveryId);
            System.out.println(d.id() + "  " + d.status());
            return 0;
        }
    }
}
